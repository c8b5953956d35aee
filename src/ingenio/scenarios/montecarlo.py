"""Monte Carlo runs: plan many sampled outage and tanker scenarios, then aggregate.

Sample ``i`` of a run with seed ``s`` draws everything from
``random.Random(s * 1_000_003 + i)`` (:func:`sample_rng`): outages first, then
tanker arrivals. Each sample is planned and validated on its own, so a run
gives the same figures whatever the executor, the number of workers or the
order samples finish in. A sample that fails (the sampler or planner raises, or
the plan breaks a rule of ``docs/plan-rules.md``) is reported with its index
and error in :attr:`MonteCarloResult.failures`; it is never dropped silently.

Aggregates (over the samples that succeeded): mean, standard deviation and
P10/P50/P90 of the plan value; per order the share of samples in which it is
late or unscheduled; per plant the share of samples in which it stops (against
the plan of the published schedule, see :mod:`ingenio.scenarios.resumption`)
and the distribution of its resumption minute.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ingenio.domain import OrderStatus, Plan, Portfolio, Window
from ingenio.energy.outage_model import (
    OutageModel,
    learn_outage_model,
    sample_deliveries,
    sample_portfolio,
)
from ingenio.errors import ErrorKind, IngenioError
from ingenio.planning import Stop
from ingenio.planning.dispatch import dispatch
from ingenio.scenarios.aggregate import (
    OrderRisk,
    PlantResumption,
    order_risks,
    percentile,
    plant_resumptions,
)
from ingenio.scenarios.executor import Executor, InlineExecutor, Progress, TaskFailure
from ingenio.scenarios.fuel_policy import depot_supply, trucked
from ingenio.scenarios.resumption import (
    MIN_LOST_MINUTES,
    all_stoppages,
    main_stoppage,
    production_by_plant,
)
from ingenio.scenarios.samples import SampleResult
from ingenio.scenarios.whatif import Planner, fuel_burned
from ingenio.validate import validate

__all__ = [
    "SEED_STRIDE",
    "STOP_CHECK_EVERY",
    "MonteCarloResult",
    "OrderRisk",
    "OutageSampler",
    "PlantResumption",
    "SampleJob",
    "SampleResult",
    "Sampler",
    "percentile",
    "run_jobs",
    "run_sample",
    "run_samples",
    "sample_rng",
]

STOP_CHECK_EVERY = 16
"""With a stop signal, samples run in batches of this many; ``stop()`` is asked before each."""

SEED_STRIDE = 1_000_003
"""Sample ``i`` of seed ``s`` uses ``random.Random(s * SEED_STRIDE + i)``."""

Sampler = Callable[[Portfolio, random.Random], Portfolio]
"""Draws one scenario of a portfolio from a random source (must be picklable)."""

Transform = Callable[[Portfolio], Portfolio]
"""Applied to a drawn scenario before planning it (a fuel policy, a perturbation)."""


def sample_rng(seed: int, index: int) -> random.Random:
    """The random source of sample ``index`` of a run with ``seed``."""
    return random.Random(seed * SEED_STRIDE + index)


@dataclass(frozen=True)
class OutageSampler:
    """Outages drawn from an :class:`OutageModel`, then (optionally) tanker arrivals."""

    model: OutageModel
    deliveries: bool = True

    def __call__(self, portfolio: Portfolio, rng: random.Random) -> Portfolio:
        """One scenario: ``sample_portfolio`` then ``sample_deliveries`` with the same rng."""
        scenario = sample_portfolio(portfolio, self.model, rng)
        return sample_deliveries(scenario, rng) if self.deliveries else scenario


@dataclass(frozen=True)
class SampleJob:
    """What every sample of a run shares (sent once to each worker)."""

    portfolio: Portfolio
    planner: Planner
    sampler: Sampler
    seed: int
    base_production: Mapping[str, tuple[Window, ...]] = field(default_factory=dict)
    transforms: tuple[Transform | None, ...] = (None,)
    min_lost: int = MIN_LOST_MINUTES


class PlanRuleError(IngenioError, RuntimeError):
    """A sampled scenario's plan breaks a plan rule (a planner bug)."""

    default_kind: ClassVar[ErrorKind] = "rule_broken"


def run_sample(job: SampleJob, item: tuple[int, int]) -> SampleResult:
    """Draw, transform, plan and validate sample ``item = (index, transform index)``."""
    began = time.perf_counter()
    index, k = item
    scenario = job.sampler(job.portfolio, sample_rng(job.seed, index))
    transform = job.transforms[k]
    if transform is not None:
        scenario = transform(scenario)
    plan = job.planner(scenario)
    broken = validate(scenario, plan)
    if broken:
        raise PlanRuleError(f"the plan breaks {len(broken)} rule(s); first: {broken[0]}")
    stops = all_stoppages(scenario, job.base_production, plan, job.min_lost)
    resumed = [(pid, main_stoppage(found)) for pid, found in stops.items()]
    return SampleResult(
        index=index,
        variant=k,
        value=plan.value,
        outcomes=tuple((o.order_id, o.status, o.lateness_minutes) for o in plan.outcomes),
        fuel_l=sum(fuel_burned(scenario, plan).values()),
        resumptions=tuple((pid, s.resumes_at) for pid, s in resumed if s is not None),
        trucked=tuple(sorted(trucked(plan).items())),
        depot_supply_l=depot_supply(scenario),
        on_time_value=sum(o.value for o in plan.outcomes if o.status is OrderStatus.ON_TIME),
        seconds=time.perf_counter() - began,
    )


def run_jobs(
    job: SampleJob,
    items: Sequence[tuple[int, int]],
    executor: Executor,
    progress: Progress | None = None,
) -> tuple[list[SampleResult], list[TaskFailure]]:
    """Run :func:`run_sample` over ``items``; failures carry the sample index."""
    done = executor.map(run_sample, job, items, progress)
    ok = [r for r in done if isinstance(r, SampleResult)]
    failed = [TaskFailure(items[r.index][0], r.error) for r in done if isinstance(r, TaskFailure)]
    return ok, failed


@dataclass(frozen=True)
class MonteCarloResult:
    """The samples of a run, its failures and its aggregates (module docstring)."""

    portfolio: str
    n: int
    seed: int
    planner: str
    executor: str
    base_value: float
    samples: tuple[SampleResult, ...]
    failures: tuple[TaskFailure, ...]
    order_risks: tuple[OrderRisk, ...]
    plant_resumptions: tuple[PlantResumption, ...]
    seconds: float
    cancelled: bool = False
    """The caller's ``stop()`` ended the run early: ``n`` samples ran, not all asked."""

    @property
    def values(self) -> tuple[float, ...]:
        """Plan value of each successful sample, by sample index."""
        return tuple(s.value for s in self.samples)

    @property
    def mean(self) -> float:
        """Expected value (mean over the successful samples)."""
        return float(np.mean(self.values)) if self.samples else float("nan")

    @property
    def std(self) -> float:
        """Sample standard deviation of the value (0 for one sample)."""
        return float(np.std(self.values, ddof=1)) if len(self.samples) > 1 else 0.0

    def percentile(self, q: float) -> float:
        """Percentile ``q`` (0-100) of the value, see :func:`percentile`."""
        return percentile(self.values, q)

    @property
    def p10(self) -> float:
        """10th percentile of the value: 9 samples in 10 do at least this well."""
        return self.percentile(10)

    @property
    def p50(self) -> float:
        """Median value."""
        return self.percentile(50)

    @property
    def p90(self) -> float:
        """90th percentile of the value."""
        return self.percentile(90)


def run_samples(
    portfolio: Portfolio,
    n: int,
    seed: int,
    planner: Planner = dispatch,
    executor: Executor | None = None,
    *,
    sampler: Sampler | None = None,
    base_plan: Plan | None = None,
    progress: Progress | None = None,
    min_lost: int = MIN_LOST_MINUTES,
    stop: Stop | None = None,
) -> MonteCarloResult:
    """Plan ``n`` sampled scenarios of ``portfolio`` and aggregate them.

    Parameters
    ----------
    portfolio
        The portfolio with its published outages and uncertain deliveries.
    n
        Number of samples (indices ``0 .. n-1``).
    seed
        Sample ``i`` uses :func:`sample_rng(seed, i) <sample_rng>`.
    planner
        Plans each scenario (a picklable module-level function).
    executor
        Where samples run; in this process by default.
    sampler
        Draws a scenario; default :class:`OutageSampler` over
        ``learn_outage_model(portfolio)`` (published schedule, no history).
    base_plan
        Plan of ``portfolio`` itself, the reference for stoppages; made with
        ``planner`` here when not given.
    progress
        Hears ``(done, n)``.
    min_lost
        Least production time lost for a stop to count (see ``resumption``).
    stop
        Asked before every ``STOP_CHECK_EVERY`` samples (which then run as one batch);
        when it returns True no more samples start, and the result aggregates those
        that ran (``n`` then counts them) with ``cancelled`` set.

    Returns
    -------
    MonteCarloResult
    """
    if n < 1:
        raise ValueError(f"the number of samples must be at least 1, got {n}")
    began = time.perf_counter()
    executor = executor or InlineExecutor()
    sampler = sampler or OutageSampler(learn_outage_model(portfolio))
    base_plan = base_plan or planner(portfolio)
    job = SampleJob(
        portfolio, planner, sampler, seed, production_by_plant(portfolio, base_plan),
        min_lost=min_lost,
    )  # fmt: skip
    items = [(i, 0) for i in range(n)]
    cancelled = False
    if stop is None:
        ok, failed = run_jobs(job, items, executor, progress)
    else:
        ok, failed = [], []
        for first in range(0, n, STOP_CHECK_EVERY):
            if stop():
                cancelled = True
                n = first
                break
            batch = items[first : first + STOP_CHECK_EVERY]
            ok_b, failed_b = run_jobs(job, batch, executor, _shifted(progress, first, n))
            ok += ok_b
            failed += failed_b
    return MonteCarloResult(
        portfolio=portfolio.name,
        n=n,
        seed=seed,
        planner=getattr(planner, "__name__", type(planner).__name__),
        executor=executor.name,
        base_value=base_plan.value,
        samples=tuple(sorted(ok, key=lambda s: s.index)),
        failures=tuple(sorted(failed, key=lambda f: f.index)),
        order_risks=order_risks(portfolio, ok, base_plan),
        plant_resumptions=plant_resumptions(portfolio, ok),
        seconds=time.perf_counter() - began,
        cancelled=cancelled,
    )


def _shifted(progress: Progress | None, first: int, n: int) -> Progress | None:
    """``progress`` of a batch that starts at item ``first`` of ``n``."""
    if progress is None:
        return None
    report = progress
    return lambda done, _: report(first + done, n)
