"""The two-stage robust plan: fuel grants chosen on the sample-average problem.

:func:`solve_policy` solves the sample-average problem over scenarios
(:func:`build_saa`: one extensive-form LP of :mod:`.extensive`, or beyond
:data:`EXTENSIVE_COLUMNS` its Benders decomposition, :mod:`.benders`) and reads the
grants; :func:`plain_policy` is the same LP on the published portfolio alone
(the **expected-value** problem: published outages, tankers on their expected day), the
grants a deterministic plan would make. :func:`choose_samples` picks the number of
training samples by convergence: from ``start`` samples it doubles ``n`` until the
Mak-Morton-Wood upper bound on the candidate's optimality gap
(:func:`~ingenio.scenarios.statistics.gap_estimate`, ``batches`` independent batches of
``n`` fresh samples, each batch an SAA solve and the candidate fixed on it) is at most
``tolerance`` of what is at stake, or ``n`` reaches the most allowed. What is at stake is
the mean gain of each batch's SAA optimum over the plain (expected-value) grants on the
same batch: with the default 0.1, the candidate may miss at most a tenth of the gain any
first stage could make over plain (nothing at stake and no gap: converged at once). A
larger ``n`` whose solve fails or hits its limit leaves the last ``n`` that solved, and
:attr:`Convergence.stopped` says so. Sample indices: training ``0 .. n-1``, gap batches
from :data:`GAP_START`, held-out from
:data:`~ingenio.scenarios.robust.HELD_OUT_START`; all of one seed, never shared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from ingenio.domain import Portfolio
from ingenio.errors import IngenioError
from ingenio.limits import MAX_SAMPLES
from ingenio.planning.portfolio import create_model
from ingenio.scenarios.benders import build_decomposed
from ingenio.scenarios.extensive import FirstStage, FloatArray, Solved, build_extensive
from ingenio.scenarios.grant_policy import GrantPolicy
from ingenio.scenarios.montecarlo import Sampler, sample_rng
from ingenio.scenarios.statistics import GapEstimate, gap_estimate

__all__ = [
    "EXTENSIVE_COLUMNS",
    "FINE_EXTENSIVE_COLUMNS",
    "GAP_START",
    "PLAIN",
    "ROBUST",
    "SOLVE_SECONDS",
    "Builder",
    "Convergence",
    "Method",
    "SampleAverage",
    "Trained",
    "build_saa",
    "builder",
    "choose_samples",
    "draw",
    "plain_policy",
    "resolve_coarse",
    "solve_policy",
]

FINE_EXTENSIVE_COLUMNS = 250_000
"""Most columns (samples x one sample's fine LP) with fine buckets; beyond, coarse buckets
(day starts, grant points, deliveries): each recourse is then a slightly looser
relaxation, several times smaller (the demo: 7 k columns a sample instead of 40 k, M 23 k
instead of 166 k). At 1 M, the demo's ``--samples 20`` ran fine buckets and did not finish
its training in 45 minutes of a loaded machine."""
SOLVE_SECONDS = 1800.0
"""Wall-time limit of each extensive-form solve (a loaded machine stretches it)."""
GAP_START = 2_000_000
"""Gap batch ``g`` uses sample indices ``GAP_START + g * MAX_SAMPLES + j``."""
PLAIN = "plain"
"""The expected-value grants: what a plan of the published portfolio would grant."""
ROBUST = "two-stage SAA"
"""The grants of the sample-average two-stage problem."""

EXTENSIVE_COLUMNS = 250_000
"""Most columns of an extensive form solved as one LP (``method="auto"``); beyond, the
Benders decomposition of :mod:`.benders`, whose time grows about linearly with the samples
(the extensive form's simplex work grows faster: see ``docs/scenarios.md``)."""
Method = Literal["auto", "extensive", "benders"]
"""How the sample-average problem is solved."""

Ticks = Callable[[int, int], None]


class SampleAverage(Protocol):
    """The sample-average problem, loaded: an extensive form or its decomposition."""

    first: FirstStage
    samples: int
    n_cols: int
    n_rows: int
    nonzeros: int
    build_seconds: float

    def solve(self, fixed: FloatArray | None = None, time_limit_s: float = ...) -> Solved:
        """Maximise the mean score, or value the ``fixed`` first stage."""


def build_saa(
    portfolio: Portfolio,
    scenarios: Sequence[Portfolio],
    *,
    coarse: bool = True,
    method: Method = "auto",
    start: FloatArray | None = None,
) -> SampleAverage:
    """The sample-average problem over ``scenarios``: one extensive-form LP, or for
    ``"benders"`` (``"auto"``: when the extensive form would pass
    :data:`EXTENSIVE_COLUMNS` columns) its decomposition started from ``start``."""
    if method == "auto":
        size = create_model(scenarios[0], coarse=coarse).lp.n_cols if scenarios else 0
        method = "benders" if size * len(scenarios) > EXTENSIVE_COLUMNS else "extensive"
    if method == "benders":
        return build_decomposed(portfolio, scenarios, coarse=coarse, start=start)
    return build_extensive(portfolio, scenarios, coarse=coarse)


def resolve_coarse(portfolio: Portfolio, samples: int, coarse: bool | None) -> bool:
    """``coarse`` itself, or for None: coarse when ``samples`` fine LPs of the published
    portfolio would pass :data:`FINE_EXTENSIVE_COLUMNS` columns."""
    if coarse is not None:
        return coarse
    return create_model(portfolio).lp.n_cols * samples > FINE_EXTENSIVE_COLUMNS


def draw(
    portfolio: Portfolio, sampler: Sampler, seed: int, indices: Sequence[int]
) -> list[Portfolio]:
    """The scenarios of the given sample indices (the same as Monte Carlo's)."""
    return [sampler(portfolio, sample_rng(seed, i)) for i in indices]


@dataclass(frozen=True)
class Trained:
    """A policy solved on an extensive form: the policy, the solve, the model's size."""

    policy: GrantPolicy
    solved: Solved
    samples: int
    columns: int
    rows: int
    nonzeros: int
    build_seconds: float


Builder = Callable[[Portfolio, Sequence[Portfolio], bool, "FloatArray | None"], SampleAverage]
"""``build(portfolio, scenarios, coarse, start)``: loads a sample-average problem."""


def builder(method: Method = "auto") -> Builder:
    """A :data:`Builder` of :func:`build_saa` with ``method``."""

    def build(
        portfolio: Portfolio, scenarios: Sequence[Portfolio], coarse: bool,
        start: FloatArray | None,
    ) -> SampleAverage:  # fmt: skip
        return build_saa(portfolio, scenarios, coarse=coarse, method=method, start=start)

    return build


def solve_policy(
    portfolio: Portfolio, scenarios: Sequence[Portfolio], name: str = ROBUST,
    *, coarse: bool = True, time_limit_s: float = SOLVE_SECONDS, method: Method = "auto",
    start: FloatArray | None = None, build: Builder | None = None,
) -> tuple[Trained, SampleAverage]:  # fmt: skip
    """The grants that maximise the mean planner score over ``scenarios`` (the SAA)."""
    ef = (build or builder(method))(portfolio, scenarios, coarse, start)
    solved = ef.solve(time_limit_s=time_limit_s)
    trained = Trained(ef.first.policy(name, solved.x), solved, len(scenarios), ef.n_cols,
                      ef.n_rows, ef.nonzeros, ef.build_seconds)  # fmt: skip
    return trained, ef


def plain_policy(portfolio: Portfolio, *, coarse: bool = True) -> Trained:
    """The expected-value grants: the same LP on the published portfolio alone."""
    return solve_policy(portfolio, [portfolio], PLAIN, coarse=coarse, method="extensive")[0]


@dataclass(frozen=True)
class Convergence:
    """How the number of training samples was chosen: one gap estimate per ``n`` tried."""

    steps: tuple[GapEstimate, ...]
    tolerance: float
    converged: bool
    stopped: str = ""
    """Why the doubling stopped before converging or reaching the most (a solver limit)."""

    @property
    def n(self) -> int:
        """The number of training samples chosen."""
        return self.steps[-1].n


def choose_samples(
    portfolio: Portfolio,
    sampler: Sampler,
    seed: int,
    most: int,
    *,
    start: int = 5,
    batches: int = 5,
    tolerance: float = 0.1,
    coarse: bool = True,
    reference: GrantPolicy | None = None,
    time_limit_s: float = SOLVE_SECONDS,
    method: Method = "auto",
    build: Builder | None = None,
    progress: Ticks | None = None,
) -> tuple[Trained, Convergence]:
    """Solve the SAA on ``n = start, 2 start, ...`` training samples until its gap converges.

    Returns the policy of the last ``n`` solved and every gap estimate (module docstring);
    when a larger ``n`` does not solve within ``time_limit_s`` (per solve), the last ``n``
    that did is kept and :attr:`Convergence.stopped` says why.
    ``most`` is the most training samples; ``batches`` of at least 2 give a finite bound.
    ``build`` loads each sample-average problem (default :func:`builder` of ``method``);
    the training solve starts from ``reference``, each gap batch from the trained grants.
    """
    if not 1 <= most <= MAX_SAMPLES or batches < 1:
        raise ValueError(f"training samples must be in [1, {MAX_SAMPLES}], batches >= 1")
    build = build or builder(method)
    first_stage = FirstStage.of(portfolio)
    ref = None if reference is None else first_stage.vector(reference)
    n = min(max(1, start), most)
    steps: list[GapEstimate] = []
    done, total = 0, _work(n, most, batches)
    kept: Trained | None = None
    while True:
        try:
            trained, _ = solve_policy(portfolio, draw(portfolio, sampler, seed, range(n)),
                                      coarse=coarse, time_limit_s=time_limit_s, start=ref,
                                      build=build)  # fmt: skip
            x = trained.solved.x
            optima, values, refs = [], [], []
            for g in range(batches):
                first = GAP_START + g * MAX_SAMPLES
                batch = draw(portfolio, sampler, seed, range(first, first + n))
                ef = build(portfolio, batch, coarse, x)
                optima.append(ef.solve(time_limit_s=time_limit_s).mean)
                values.append(ef.solve(fixed=x, time_limit_s=time_limit_s).mean)
                if ref is not None:
                    refs.append(ef.solve(fixed=ref, time_limit_s=time_limit_s).mean)
                done += n
                if progress is not None:
                    progress(done, total)
        except IngenioError as exc:
            if kept is None or exc.kind != "solver_failed":
                raise
            # a bigger n did not solve in time: keep the last n that did, not converged
            return kept, Convergence(tuple(steps), tolerance, False, f"n = {n}: {exc}")
        steps.append(gap_estimate(n, optima, values, refs if ref is not None else None))
        kept = trained
        converged = steps[-1].relative() <= tolerance
        if converged or n >= most:
            return trained, Convergence(tuple(steps), tolerance, converged)
        n = min(2 * n, most)


def _work(n: int, most: int, batches: int) -> int:
    """Batch samples solved if every doubling up to ``most`` runs (for progress)."""
    total = 0
    while True:
        total += n * batches
        if n >= most:
            return total
        n = min(2 * n, most)
