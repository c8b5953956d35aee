"""The two-stage policy tested on held-out samples, and the recommendation.

Every policy runs on the **same** fresh samples (common random numbers: indices from
:data:`~ingenio.scenarios.robust.HELD_OUT_START` of the seed, never a training or gap
sample), so differences are paired sample by sample. Two recourses:

* **the planner** (``dispatch`` or ``optimise``, one plan per sample and policy, on the
  executor: a process pool or a Dask cluster): the plants replan within their grants.
  The recommendation rests on it: the robust policy is recommended only when the
  one-sided 95 % lower bound of its mean paired score difference from the plain policy
  is above zero; otherwise the plain plan is already robust here;
* **the model** (the portfolio LP of each sample with the first stage fixed, or free
  for the wait-and-see value): the value of the stochastic solution
  ``VSS = E[v(x_SAA)] - E[v(x_EV)]`` and the expected value of perfect information
  ``EVPI = E[WS] - E[v(x_SAA)]``, each a mean of paired per-sample differences with
  its 95 % interval.

All figures are planner scores (:mod:`.measure`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ingenio.domain import OrderStatus, Portfolio
from ingenio.scenarios.aggregate import percentile
from ingenio.scenarios.executor import Executor, InlineExecutor, TaskFailure
from ingenio.scenarios.extensive import FirstStage, build_extensive
from ingenio.scenarios.grant_policy import GrantPolicy
from ingenio.scenarios.measure import essential_ids, sample_score
from ingenio.scenarios.montecarlo import SampleJob, Sampler, run_jobs, sample_rng
from ingenio.scenarios.robust import HELD_OUT_START
from ingenio.scenarios.statistics import Interval, paired
from ingenio.scenarios.whatif import Planner

__all__ = [
    "FREE",
    "HeldOutPolicy",
    "LpJob",
    "ModelValues",
    "held_out_model",
    "held_out_planner",
    "lp_values",
    "recommend",
]

FREE = "free re-plan"
"""Baseline: no grants, every plan trucks depot fuel as it needs (the old menu's first)."""
Ticks = Callable[[int, int], None]


@dataclass(frozen=True)
class HeldOutPolicy:
    """One policy's planner scores on the held-out samples (by sample index)."""

    name: str
    scores: tuple[tuple[int, float], ...]
    value_mean: float
    on_time_mean: float
    essential_missed_mean: float
    fuel_mean: float
    failures: int

    def values(self, indices: Sequence[int] | None = None) -> list[float]:
        """Scores of the given samples (all, in index order, by default)."""
        got = dict(self.scores)
        return [got[i] for i in (indices if indices is not None else sorted(got))]

    @property
    def mean(self) -> float:
        """Mean score."""
        return float(np.mean(self.values())) if self.scores else float("nan")

    def percentile(self, q: float) -> float:
        """Percentile ``q`` of the score."""
        return percentile(self.values(), q)

    @property
    def std(self) -> float:
        """Standard deviation of the score."""
        xs = self.values()
        return float(np.std(xs, ddof=1)) if len(xs) > 1 else 0.0


def held_out_planner(
    portfolio: Portfolio,
    policies: Sequence[GrantPolicy | None],
    names: Sequence[str],
    n: int,
    seed: int,
    planner: Planner,
    sampler: Sampler,
    executor: Executor | None = None,
    *,
    first_index: int = HELD_OUT_START,
    progress: Ticks | None = None,
) -> tuple[tuple[HeldOutPolicy, ...], tuple[TaskFailure, ...]]:
    """Plan every held-out sample under every policy (None: no grants, a free re-plan)."""
    transforms = tuple(p.apply if p is not None else None for p in policies)
    job = SampleJob(portfolio, planner, sampler, seed, transforms=transforms)
    items = [(first_index + i, k) for k in range(len(policies)) for i in range(n)]
    done, failed = run_jobs(job, items, executor or InlineExecutor(), progress)
    essential = essential_ids(portfolio)
    out = []
    for k, name in enumerate(names):
        mine = sorted((r for r in done if r.variant == k), key=lambda r: r.index)
        missed = [
            sum(1 for oid, st, _ in r.outcomes
                if oid in essential and st is OrderStatus.UNSCHEDULED)
            for r in mine
        ]  # fmt: skip
        out.append(HeldOutPolicy(
            name, tuple((r.index, sample_score(portfolio, r)) for r in mine),
            _mean([r.value for r in mine]), _mean([r.on_time_value for r in mine]),
            _mean([float(m) for m in missed]), _mean([r.fuel_l for r in mine]), n - len(mine),
        ))  # fmt: skip
    return tuple(out), tuple(failed)


def _mean(xs: Sequence[float]) -> float:
    return float(np.mean(xs)) if xs else float("nan")


def recommend(plain: HeldOutPolicy, robust: HeldOutPolicy, same: bool) -> tuple[str, Interval]:
    """``robust``'s name when its paired gain over ``plain`` has a 95 % lower bound above 0,
    else ``"plain"``; and the paired difference ``robust - plain``."""
    common = sorted(set(dict(plain.scores)) & set(dict(robust.scores)))
    if not common:
        nan = float("nan")
        return "plain", Interval(nan, nan, 0, nan, nan, nan, nan)
    delta = paired(robust.values(common), plain.values(common))
    return (robust.name if delta.lower_bound > 0 and not same else "plain"), delta


@dataclass(frozen=True)
class LpJob:
    """What every held-out model evaluation shares (sent once to each worker)."""

    portfolio: Portfolio
    sampler: Sampler
    seed: int
    fixed: tuple[tuple[float, ...], ...]
    """First-stage vectors of the policies to value (plain, robust)."""
    coarse: bool = True


def lp_values(job: LpJob, index: int) -> tuple[float, ...]:
    """Sample ``index``: its wait-and-see score, then each fixed policy's score (the LP)."""
    scenario = job.sampler(job.portfolio, sample_rng(job.seed, index))
    ef = build_extensive(job.portfolio, [scenario], coarse=job.coarse)
    ws = ef.solve().mean
    return (ws, *(ef.solve(fixed=np.array(x)).mean for x in job.fixed))


@dataclass(frozen=True)
class ModelValues:
    """VSS and EVPI on the held-out samples, by the model (the portfolio LP)."""

    vss: Interval
    evpi: Interval
    samples: int
    failures: tuple[TaskFailure, ...]


def held_out_model(
    portfolio: Portfolio,
    plain: GrantPolicy,
    robust: GrantPolicy,
    n: int,
    seed: int,
    sampler: Sampler,
    executor: Executor | None = None,
    *,
    coarse: bool = True,
    progress: Ticks | None = None,
) -> ModelValues:
    """VSS and EVPI with their 95 % intervals over ``n`` held-out samples (module docstring)."""
    first = FirstStage.of(portfolio)
    fixed = tuple(tuple(float(v) for v in first.vector(p)) for p in (plain, robust))
    job = LpJob(portfolio, sampler, seed, fixed, coarse)
    items = [HELD_OUT_START + i for i in range(n)]
    got = (executor or InlineExecutor()).map(lp_values, job, items, progress)
    rows = [r for r in got if not isinstance(r, TaskFailure)]
    failed = tuple(TaskFailure(items[r.index], r.error) for r in got if isinstance(r, TaskFailure))
    if not rows:
        nan = float("nan")
        empty = Interval(nan, nan, 0, nan, nan, nan, nan)
        return ModelValues(empty, empty, 0, failed)
    ws, v_plain, v_robust = ([r[k] for r in rows] for k in range(3))
    return ModelValues(paired(v_robust, v_plain), paired(ws, v_robust), len(rows), failed)
