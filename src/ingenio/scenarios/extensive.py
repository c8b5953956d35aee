"""The sample-average two-stage problem as one LP: the extensive form over samples (HiGHS).

First stage (shared by every sample, :class:`FirstStage`): the columns of a
:class:`~ingenio.scenarios.grant_policy.GrantPolicy`: ``X[d, p, k]`` litres of depot
``d``'s stock granted to plant ``p`` from day ``k``, and ``s[a, p]`` the share of
tanker ``a`` that plant ``p`` gets when it docks, with

* ``sum_{p, k} X[d, p, k] = stock_d`` (all the stock in hand is granted) and
* ``sum_p s[a, p] = 1`` (every tanker is split in full).

Recourse (one copy per sample ``w``): the portfolio LP of
:func:`ingenio.planning.portfolio.create_model` built on that sample (its outages,
its tanker arrivals; coarse buckets by default), whose depot draws ``G_w[d, p, i]``
must stay within the plant's grants at every grant point ``t_i`` of the sample::

    sum_{d, i' <= i} G_w[d, p, i'] <= sum_{d, k: 1440 k <= t_i} X[d, p, k]
                                      + sum_{a: arrival_w(a) <= t_i} litres_a * s[a, p]

Objective: the mean over samples of the planner score of :mod:`.measure`
(``value + E * essential orders done - PHI * litres burned``, less ``E`` times the
number of essential orders, a constant), and ``1e-6`` per litre-day of delay of a
stock grant so that ties grant early. One HiGHS model holds it all; fixing the first
stage (:meth:`ExtensiveForm.solve` with ``fixed``) gives the recourse value of a given
policy on the same samples, leaving it free on one sample the wait-and-see value.
Only public functions of ``ingenio.planning.portfolio`` are used.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt

from ingenio.domain import MINUTES_PER_DAY, Portfolio
from ingenio.errors import IngenioError
from ingenio.planning.portfolio import PortfolioModel, create_model
from ingenio.scenarios.grant_policy import GrantPolicy, depot_deliveries, grant_plants
from ingenio.scenarios.measure import FUEL_WEIGHT, essential_ids, essential_weight

__all__ = [
    "EARLY_WEIGHT",
    "Assembly",
    "ExtensiveForm",
    "FirstStage",
    "Solved",
    "build_extensive",
    "first_stage_columns",
    "highs_lp",
    "load_highs",
    "sample_block",
    "session",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

EARLY_WEIGHT = 1e-6
"""Score units per litre and day a stock grant waits: ties grant early."""


@dataclass(frozen=True)
class FirstStage:
    """The first-stage columns (they come first in the extensive form), in this order."""

    stock: tuple[tuple[str, str, int], ...]
    """``(depot id, plant id, day)`` of each stock-grant column."""
    shares: tuple[tuple[str, str], ...]
    """``(delivery id, plant id)`` of each tanker-share column."""
    depot_stock: tuple[tuple[str, float], ...]
    litres: tuple[tuple[str, float], ...]
    """Nominal litres of each tanker bound for a depot."""

    @classmethod
    def of(cls, portfolio: Portfolio) -> FirstStage:
        """The first stage of ``portfolio``: its depots, tankers and grantable plants."""
        plants = grant_plants(portfolio)
        days = range(math.ceil(portfolio.horizon.minutes / MINUTES_PER_DAY))
        tankers = depot_deliveries(portfolio)
        return cls(
            stock=tuple((d.id, p, k) for d in portfolio.depots for p in plants for k in days),
            shares=tuple((a.id, p) for a in tankers for p in plants),
            depot_stock=tuple((d.id, d.stock_l) for d in portfolio.depots),
            litres=tuple((a.id, a.litres) for a in tankers),
        )

    @property
    def n(self) -> int:
        """Number of first-stage columns."""
        return len(self.stock) + len(self.shares)

    def policy(self, name: str, x: FloatArray) -> GrantPolicy:
        """The grant policy of first-stage values ``x`` (tiny values dropped)."""
        k = len(self.stock)
        return GrantPolicy(
            name,
            tuple((d, p, day, float(v)) for (d, p, day), v in zip(self.stock, x[:k], strict=True)
                  if v > 1e-6),
            tuple((a, p, float(min(1.0, v))) for (a, p), v in zip(self.shares, x[k:], strict=True)
                  if v > 1e-9),
        )  # fmt: skip

    def vector(self, policy: GrantPolicy) -> FloatArray:
        """First-stage values of ``policy`` (grants this stage has no column for are lost)."""
        x = np.zeros(self.n)
        at = {key: i for i, key in enumerate(self.stock)}
        for d, p, day, v in policy.stock:
            if (d, p, day) in at:
                x[at[(d, p, day)]] += v
        at2 = {key: len(self.stock) + i for i, key in enumerate(self.shares)}
        for a, p, s in policy.shares:
            if (a, p) in at2:
                x[at2[(a, p)]] += s
        return x


@dataclass(frozen=True)
class Solved:
    """One solve of an extensive form."""

    mean: float
    """Mean planner score over the samples (the SAA objective, in score units)."""
    scores: tuple[float, ...]
    """Planner score of each sample's recourse."""
    x: FloatArray
    """First-stage values."""
    seconds: float
    bound: float | None = None
    """A proven upper bound on the optimum's mean score when the solve stopped within a
    tolerance of it (a decomposition); None when the solve is exact (``mean``)."""

    @property
    def upper(self) -> float:
        """The upper bound on the optimum's mean score: ``bound``, or ``mean`` if exact."""
        return self.mean if self.bound is None else self.bound


@dataclass
class Assembly:
    """Columns, rows and coefficients gathered block by block."""

    col_lo: list[FloatArray] = field(default_factory=list)
    col_hi: list[FloatArray] = field(default_factory=list)
    cost: list[FloatArray] = field(default_factory=list)
    row_lo: list[FloatArray] = field(default_factory=list)
    row_hi: list[FloatArray] = field(default_factory=list)
    rows: list[IntArray] = field(default_factory=list)
    cols: list[IntArray] = field(default_factory=list)
    vals: list[FloatArray] = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0

    def add_cols(self, lo: FloatArray, hi: FloatArray, cost: FloatArray) -> int:
        first = self.n_cols
        self.col_lo.append(lo)
        self.col_hi.append(hi)
        self.cost.append(cost)
        self.n_cols += len(lo)
        return first

    def add_rows(
        self, lo: FloatArray, hi: FloatArray, rows: IntArray, cols: IntArray, vals: FloatArray
    ) -> int:
        """Rows ``lo <= A x <= hi`` with ``A``'s entries at (local row, global column)."""
        first = self.n_rows
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        self.rows.append(rows + first)
        self.cols.append(cols)
        self.vals.append(vals)
        self.n_rows += len(lo)
        return first

    def row(self, cols: Sequence[int], vals: Sequence[float], lo: float, hi: float) -> None:
        self.add_rows(
            np.array([lo]), np.array([hi]), np.zeros(len(cols), dtype=np.int64),
            np.array(cols, dtype=np.int64), np.array(vals, dtype=np.float64),
        )  # fmt: skip


def _quiet_highs() -> Any:
    """A new ``highspy.Highs`` without its banner (printed on C stdout by the constructor)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        return highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


@dataclass
class ExtensiveForm:
    """The extensive form loaded in HiGHS (see the module docstring)."""

    first: FirstStage
    samples: int
    n_cols: int
    n_rows: int
    nonzeros: int
    score_terms: list[tuple[IntArray, FloatArray, float]]
    """Per sample: columns and coefficients of its score, and the constant."""
    highs: Any
    build_seconds: float
    bounds: tuple[FloatArray, FloatArray]
    """Bounds of the first-stage columns as built."""

    def solve(self, fixed: FloatArray | None = None, time_limit_s: float = 600.0) -> Solved:
        """Maximise the mean score; with ``fixed``, the first stage is held at those values.

        Raises
        ------
        IngenioError
            ``solver_failed`` when HiGHS does not reach an optimum in time.
        """
        began = time.perf_counter()
        h, n = self.highs, self.first.n
        if n:
            idx = np.arange(n, dtype=np.int32)
            lo, hi = self.bounds if fixed is None else (fixed, fixed)
            h.changeColsBounds(n, idx, np.asarray(lo, dtype=np.float64),
                               np.asarray(hi, dtype=np.float64))  # fmt: skip
        h.setOptionValue("time_limit", float(h.getRunTime() + time_limit_s))
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise IngenioError(
                f"the extensive form over {self.samples} samples ({self.n_cols:,} columns) "
                f"did not solve: {h.modelStatusToString(status)}", kind="solver_failed",
            )  # fmt: skip
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        scores = tuple(float(x[c] @ v) + k for c, v, k in self.score_terms)
        return Solved(float(np.mean(scores)), scores, x[:n].copy(), time.perf_counter() - began)


def sample_block(
    asm: Assembly, first: FirstStage, scenario: Portfolio, weight: float, coarse: bool
) -> tuple[IntArray, FloatArray, float]:
    """Add one sample's portfolio LP and its grant rows; return its score terms."""
    m: PortfolioModel = create_model(scenario, coarse=coarse)
    lp = m.lp
    e = essential_weight(scenario)
    local = np.zeros(lp.n_cols)
    for c, v in m.value.items():
        local[c] += v
    for c, v in m.essential.items():
        local[c] += e * v
    for burned in m.burned.values():
        local[burned[-1]] -= FUEL_WEIGHT
    c0 = asm.add_cols(lp.col_lo.copy(), lp.col_hi.copy(), weight * local)
    rows, cols, vals = lp.triplets()
    asm.add_rows(np.array(lp.row_lo), np.array(lp.row_hi), rows, cols + c0, vals)
    _grant_rows(asm, first, m, scenario, c0)
    nz = np.flatnonzero(local)
    constant = -e * len(essential_ids(scenario))
    return nz + c0, local[nz], constant


def _grant_rows(
    asm: Assembly, first: FirstStage, m: PortfolioModel, scenario: Portfolio, c0: int
) -> None:
    """Each plant's cumulative depot draws within its grants, at every grant point."""
    arrival = {d.id: d.expected for d in scenario.deliveries}
    litres = dict(first.litres)
    plants = sorted({p for _, p, _ in m.grants})
    for pid in plants:
        draws: list[int] = []
        for i, t in enumerate(m.grant_points):
            draws += [c0 + col for (_, p, j), col in m.grants.items() if p == pid and j == i]
            cols = list(draws)
            vals = [1.0] * len(draws)
            for k, (_, p, day) in enumerate(first.stock):
                if p == pid and day * MINUTES_PER_DAY <= t:
                    cols.append(k)
                    vals.append(-1.0)
            for k, (a, p) in enumerate(first.shares, start=len(first.stock)):
                if p == pid and arrival.get(a, math.inf) <= t:
                    cols.append(k)
                    vals.append(-litres[a])
            asm.row(cols, vals, -math.inf, 0.0)


def build_extensive(
    portfolio: Portfolio, scenarios: Sequence[Portfolio], *, coarse: bool = True
) -> ExtensiveForm:
    """The extensive form of ``portfolio``'s first stage over ``scenarios`` (equal weights).

    Parameters
    ----------
    portfolio
        The published portfolio (its depots and tankers make the first stage).
    scenarios
        Sampled scenarios of it (same plants, depots and tanker ids).
    coarse
        Build each sample's portfolio LP with coarse buckets (day starts, grant points,
        deliveries): a model several times smaller and a looser relaxation.
    """
    if not scenarios:
        raise ValueError("the extensive form needs at least one sample")
    began = time.perf_counter()
    first = FirstStage.of(portfolio)
    asm = Assembly()
    hi, _ = first_stage_columns(asm, first)
    weight = 1.0 / len(scenarios)
    terms = [sample_block(asm, first, s, weight, coarse) for s in scenarios]
    nonzeros = int(sum(len(v) for v in asm.vals))
    h = load_highs(asm)
    return ExtensiveForm(
        first, len(scenarios), asm.n_cols, asm.n_rows, nonzeros,
        terms, h, time.perf_counter() - began, (np.zeros(first.n), hi),
    )  # fmt: skip


def first_stage_columns(asm: Assembly, first: FirstStage) -> tuple[FloatArray, FloatArray]:
    """Add the first-stage columns (they come first) and their rows to an empty ``asm``:
    every depot's stock granted in full, every tanker split in full. Returns the columns'
    upper bounds and costs (the early-grant tie-breaker)."""
    k = len(first.stock)
    stock_of = dict(first.depot_stock)
    hi = np.array([stock_of[d] for d, _, _ in first.stock] + [1.0] * len(first.shares))
    early = np.array([-EARLY_WEIGHT * day for _, _, day in first.stock] + [0.0] * len(first.shares))
    asm.add_cols(np.zeros(first.n), hi, early)
    plants = {p for _, p, _ in first.stock} | {p for _, p in first.shares}
    if plants:
        for depot, stock in first.depot_stock:
            cols = [i for i, (d, _, _) in enumerate(first.stock) if d == depot]
            asm.row(cols, [1.0] * len(cols), stock, stock)
        for a, _ in first.litres:
            cols = [k + i for i, (b, _) in enumerate(first.shares) if b == a]
            asm.row(cols, [1.0] * len(cols), 1.0, 1.0)
    return hi, early


def load_highs(asm: Assembly) -> Any:
    """A silent, single-threaded HiGHS session holding the assembled model (maximise)."""
    return session(highs_lp(asm))


def session(lp: Any) -> Any:
    """A silent, single-threaded HiGHS session holding ``lp`` (a ``highspy.HighsLp``)."""
    h = _quiet_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.passModel(lp)
    return h


def highs_lp(asm: Assembly) -> Any:
    """The assembled model as a ``highspy.HighsLp`` (column-wise, maximise); empties
    ``asm``'s coefficient pieces on the way."""
    lp = highspy.HighsLp()
    n = asm.n_cols
    lp.num_col_ = n
    lp.num_row_ = asm.n_rows
    lp.col_cost_ = np.concatenate(asm.cost)
    lp.col_lower_ = np.concatenate(asm.col_lo)
    lp.col_upper_ = np.concatenate(asm.col_hi)
    lp.row_lower_ = np.concatenate(asm.row_lo)
    lp.row_upper_ = np.concatenate(asm.row_hi)
    lp.sense_ = highspy.ObjSense.kMaximize
    rows: IntArray = np.concatenate(asm.rows)
    cols: IntArray = np.concatenate(asm.cols)
    vals: FloatArray = np.concatenate(asm.vals)
    asm.rows, asm.cols, asm.vals = [], [], []  # free the pieces before HiGHS copies
    order = np.argsort(cols, kind="stable")
    counts = np.bincount(cols, minlength=n)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = asm.n_rows
    lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    lp.a_matrix_.index_ = rows.astype(np.int32)[order]
    lp.a_matrix_.value_ = vals[order]
    return lp
