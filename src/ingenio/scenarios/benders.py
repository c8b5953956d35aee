"""The sample-average two-stage problem by Benders decomposition (the multi-cut L-shaped
method): the same optimum as the extensive form of :mod:`.extensive`, one sample at a time.

The extensive form holds every sample's portfolio LP in one HiGHS model; its simplex work
grows faster than the number of samples (M with 200 samples, 4.6 M columns, did not solve
in an hour). The first stage is small (stock grants per depot, plant and day, tanker
shares: about a hundred columns), so the problem decomposes:

* **subproblem** ``w``: the sample's portfolio LP and its grant rows, exactly as in the
  extensive form, with the first-stage columns *fixed* at ``x``. Its optimum ``Q_w(x)``
  is concave in ``x`` and the reduced costs ``g_w`` of the fixed columns are a
  supergradient: ``Q_w(y) <= Q_w(x) + g_w . (y - x)`` for every ``y`` (LP duality).
  Each subproblem keeps its model and its last optimal basis, so a new ``x`` re-solves
  from that basis (a few dual simplex iterations);
* **master**: the first-stage columns and rows (stock granted in full, tankers split in
  full), one column ``theta_w`` per sample, maximise ``early . x + mean_w theta_w`` under
  the cuts ``theta_w <= Q_w(x_k) + g_w . (x - x_k)`` gathered at every point ``x_k``
  tried. Its optimum is an **upper bound** on the SAA optimum (the cuts over-estimate each
  ``Q_w``); every ``x_k`` tried gives a **lower bound** ``early . x_k + mean_w Q_w(x_k)``.

The loop starts from ``start`` (the expected-value grants when given: a warm start) and
keeps the master within a **trust region** around the best point so far (each column
within ``radius`` times its range; Linderoth and Wright's box): unrestricted, the first
masters jump to corners of the box where every subproblem re-solves at length. A step
that achieves a tenth of what the master predicted moves the centre (and widens the
region when it reached its edge); otherwise the new cuts refine the model and every third
such step halves the radius. It stops when the master predicts less than ``tolerance``
(relative) over the centre: by concavity the optimum is then at most
``best + (predicted - best) / radius``, and the master over the whole box bounds it too;
the policy returned is the centre, :attr:`Solved.bound` the smaller bound (score units).
Valuing a fixed policy is one pass over the subproblems. Memory is the sum of the
per-sample models (no model of every sample at once), time about linear in the samples.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from ingenio.domain import Portfolio
from ingenio.errors import IngenioError
from ingenio.planning.portfolio import run_for
from ingenio.scenarios.extensive import (
    EARLY_WEIGHT,
    Assembly,
    FirstStage,
    FloatArray,
    Solved,
    first_stage_columns,
    highs_lp,
    load_highs,
    sample_block,
    session,
)

__all__ = ["TOLERANCE", "Decomposed", "build_decomposed"]

TOLERANCE = 1e-7
"""Relative distance between the upper and lower bounds at which the loop stops (on the
demo's scores of about 8.5 M, under one currency unit)."""

RADIUS = 0.1
"""First trust-region radius, as a share of each first-stage column's range."""
MIN_RADIUS = 1e-4
"""The radius shrinks no further."""

Iteration = Callable[[int, float, float], None]
"""``progress(iteration, upper bound, best lower bound)`` after each master solve."""


@dataclass
class _Sub:
    """One sample's recourse LP (first-stage columns first) and its last optimal basis.

    A HiGHS session after a solve holds about 10 MB of solver workspace on a sample of M,
    the model and a basis about 2: each evaluation opens a session, loads the model, starts
    from the basis and closes it (a warm re-solve takes a few milliseconds), so 200 samples
    of M fit in about 1 GB instead of 5."""

    lp: Any
    basis: Any
    constant: float
    n_cols: int
    n_rows: int
    nonzeros: int


@dataclass
class Decomposed:
    """The sample-average problem split per sample (module docstring); the same interface as
    :class:`~ingenio.scenarios.extensive.ExtensiveForm`."""

    first: FirstStage
    samples: int
    n_cols: int
    n_rows: int
    nonzeros: int
    build_seconds: float
    subs: list[_Sub]
    hi: FloatArray
    early: FloatArray
    start: FloatArray | None = None
    """First stage to start the loop from (a warm start); else an even split on day 0."""
    tolerance: float = TOLERANCE
    progress: Iteration | None = None
    iterations: int = 0
    """Master solves of the last :meth:`solve`."""
    cuts: int = 0
    """Cuts in the master of the last :meth:`solve`."""
    _idx: Any = field(default=None, repr=False)
    _seen: dict[bytes, FloatArray] = field(default_factory=dict, repr=False)
    """Values ``Q_w`` at the points the last loop evaluated (by the point's bytes)."""

    def solve(self, fixed: FloatArray | None = None, time_limit_s: float = 600.0) -> Solved:
        """Maximise the mean score; with ``fixed``, value that first stage (one pass).

        Raises
        ------
        IngenioError
            ``solver_failed`` when a subproblem or the master does not solve, or the loop
            has not converged within ``time_limit_s``.
        """
        began = time.perf_counter()
        deadline = began + time_limit_s
        if fixed is not None:
            x = np.clip(np.asarray(fixed, dtype=np.float64), 0.0, self.hi)
            known = self._seen.get(x.tobytes())  # the loop's start is often valued next
            q = known if known is not None else self._evaluate(x, deadline, gradients=False)[0]
            scores = tuple(float(v + s.constant) for v, s in zip(q, self.subs, strict=True))
            self.iterations, self.cuts = 0, 0
            return Solved(float(np.mean(scores)), scores, x, time.perf_counter() - began)
        return self._loop(began, deadline)

    def _loop(self, began: float, deadline: float) -> Solved:
        n, k = self.samples, self.first.n
        master = _master(self.first, n)
        idx = np.arange(k, dtype=np.int32)
        centre = self._start()
        q, g = self._evaluate(centre, deadline, gradients=True)
        self._seen = {centre.tobytes(): q}
        self._add_cuts(master, range(n), centre, q, g)
        self.iterations, self.cuts = 0, n
        best_q, best = q, float(self.early @ centre + q.mean())
        radius, nulls, upper = RADIUS, 0, math.inf
        # the tolerance is relative to the score, not to the LP's objective (which counts
        # every essential order delivered at the weight E)
        constant = float(np.mean([s.constant for s in self.subs]))
        while True:
            # the master within the trust region: |x - centre| <= radius x the column's range
            if k:
                lo = np.maximum(0.0, centre - radius * self.hi)
                master.changeColsBounds(k, idx, lo, np.minimum(self.hi, centre + radius * self.hi))
            self._run(master, deadline)
            self.iterations += 1
            predicted = float(master.getInfo().objective_function_value)
            # concavity: the optimum is at most best + (predicted - best) / radius
            upper = min(upper, best + max(0.0, predicted - best) / radius)
            if self.progress is not None:
                self.progress(self.iterations, upper, best)
            if predicted - best <= self.tolerance * max(1.0, abs(best + constant)):
                break
            sol = np.asarray(master.getSolution().col_value, dtype=np.float64)
            x, theta = np.clip(sol[:k], 0.0, self.hi), sol[k:]
            q, g = self._evaluate(x, deadline, gradients=True)
            self._seen[x.tobytes()] = q
            got = float(self.early @ x + q.mean())
            slack = 1e-9 * max(1.0, float(np.max(np.abs(q))))
            rows = [w for w in range(n) if theta[w] > q[w] + slack]
            self._add_cuts(master, rows, x, q, g)
            self.cuts += len(rows)
            ratio = (got - best) / (predicted - best)
            if ratio >= 0.1:  # a serious step: move the centre
                edge = (np.abs(x - centre) >= 0.99 * radius * self.hi) & (self.hi > 0)
                if ratio >= 0.5 and np.any(edge):
                    radius = min(1.0, 2 * radius)  # a good step to the edge: widen
                centre, best, best_q, nulls = x, got, q, 0
            else:  # a null step: the new cuts refine the model; shrink after a few
                nulls += 1
                if nulls % 3 == 0:
                    radius = max(MIN_RADIUS, radius / 2)
        if radius < 1.0 and k:  # the master over the whole box: a global bound, cheap
            master.changeColsBounds(k, idx, np.zeros(k), self.hi)
            self._run(master, deadline)
            upper = min(upper, float(master.getInfo().objective_function_value))
        scores = tuple(float(v + s.constant) for v, s in zip(best_q, self.subs, strict=True))
        mean = float(np.mean(scores))
        # the bound on the mean score: the bound on the objective, less the early-grant
        # tie-breaker at its least (at most EARLY_WEIGHT x last day x all the stock in hand)
        days = max((day for _, _, day in self.first.stock), default=0)
        slack = EARLY_WEIGHT * days * sum(v for _, v in self.first.depot_stock)
        bound = max(mean, upper + constant + slack) if math.isfinite(upper) else mean
        return Solved(mean, scores, centre.copy(), time.perf_counter() - began, bound)

    def _start(self) -> FloatArray:
        if self.start is not None:
            return np.clip(np.asarray(self.start, dtype=np.float64), 0.0, self.hi)
        x = np.zeros(self.first.n)
        plants = sorted({p for _, p, _ in self.first.stock} | {p for _, p in self.first.shares})
        for i, (d, _, day) in enumerate(self.first.stock):
            if day == 0:
                x[i] = dict(self.first.depot_stock)[d] / max(1, len(plants))
        x[len(self.first.stock) :] = 1.0 / max(1, len(plants))
        return x

    def _evaluate(
        self, x: FloatArray, deadline: float, *, gradients: bool
    ) -> tuple[FloatArray, FloatArray]:
        """``Q_w(x)`` of every sample and (with ``gradients``) their supergradients."""
        k = self.first.n
        if self._idx is None:
            self._idx = np.arange(k, dtype=np.int32)
        q = np.zeros(self.samples)
        g = np.zeros((self.samples, k)) if gradients else np.zeros((0, k))
        for w, sub in enumerate(self.subs):
            h = session(sub.lp)
            if k:
                h.changeColsBounds(k, self._idx, x, x)
            if sub.basis is not None:
                h.setBasis(sub.basis)
            self._run(h, deadline, f"sample {w + 1} of {self.samples}")
            q[w] = h.getInfo().objective_function_value
            if gradients and k:
                g[w] = np.asarray(h.getSolution().col_dual, dtype=np.float64)[:k]
            sub.basis = h.getBasis()
        return q, g

    def _add_cuts(
        self, master: Any, rows: Sequence[int], x: FloatArray, q: FloatArray, g: FloatArray
    ) -> None:
        """``theta_w - g_w . x <= Q_w(x_k) - g_w . x_k`` for each sample ``w`` in ``rows``."""
        k = self.first.n
        starts, index, value, upper = [], [], [], []
        at = 0
        for w in rows:
            nz = np.flatnonzero(g[w])
            starts.append(at)
            index += [*nz.tolist(), k + w]
            value += [*(-g[w][nz]).tolist(), 1.0]
            upper.append(float(q[w] - g[w] @ x))
            at += len(nz) + 1
        master.addRows(len(rows), np.full(len(rows), -math.inf), np.array(upper),
                       at, np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32),
                       np.array(value))  # fmt: skip

    def _run(self, h: Any, deadline: float, what: str = "the master") -> None:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise IngenioError(
                f"the decomposition over {self.samples} samples did not converge in time "
                f"({self.iterations} iterations)", kind="solver_failed",
            )  # fmt: skip
        status = run_for(h, left)
        if status != highspy.HighsModelStatus.kOptimal:
            raise IngenioError(
                f"the decomposition over {self.samples} samples: {what} did not solve "
                f"({h.modelStatusToString(status)})", kind="solver_failed",
            )  # fmt: skip


def _master(first: FirstStage, n: int) -> Any:
    """The master LP: first-stage columns and rows, then one ``theta`` per sample."""
    asm = Assembly()
    first_stage_columns(asm, first)
    asm.add_cols(np.full(n, -math.inf), np.full(n, math.inf), np.full(n, 1.0 / n))
    if not asm.rows:  # no first-stage rows: an empty row keeps the matrix well formed
        asm.row([], [], -math.inf, math.inf)
    return load_highs(asm)


def build_decomposed(
    portfolio: Portfolio,
    scenarios: Sequence[Portfolio],
    *,
    coarse: bool = True,
    start: FloatArray | None = None,
    tolerance: float = TOLERANCE,
) -> Decomposed:
    """The decomposition of ``portfolio``'s first stage over ``scenarios`` (equal weights);
    parameters as :func:`~ingenio.scenarios.extensive.build_extensive`, and ``start`` the
    first stage to start from."""
    if not scenarios:
        raise ValueError("the decomposition needs at least one sample")
    began = time.perf_counter()
    first = FirstStage.of(portfolio)
    hi, early = first_stage_columns(Assembly(), first)
    subs = []
    for scenario in scenarios:
        asm = Assembly()
        asm.add_cols(np.zeros(first.n), hi, np.zeros(first.n))
        _, _, constant = sample_block(asm, first, scenario, 1.0, coarse)
        nonzeros = int(sum(len(v) for v in asm.vals))
        subs.append(_Sub(highs_lp(asm), None, constant, asm.n_cols, asm.n_rows, nonzeros))
    return Decomposed(
        first, len(scenarios), sum(s.n_cols for s in subs) + first.n + len(subs),
        sum(s.n_rows for s in subs), sum(s.nonzeros for s in subs),
        time.perf_counter() - began, subs, hi, early, start, tolerance,
    )  # fmt: skip
