"""A fuel policy chosen by sample-average optimisation, and its test on held-out samples.

The method (two-stage, sample average approximation)
----------------------------------------------------
The fuel decisions are taken **here and now**, before anyone knows when the
grid will fail or the tankers will dock; the detailed schedule adapts to what
happens (**wait and see**). A :class:`FuelPolicy` is the here-and-now part: the
share of every depot arrival (the depot's stock at the start and each tanker
that docks there) earmarked for each plant. What is not earmarked is the
shared **reserve**, trucked first come first served to whichever plant the
schedule needs it at.

*Executing* a policy on a scenario (a sampled portfolio, every outage and
arrival known) means re-planning that scenario with the policy fixed: each
earmark becomes a delivery straight into the plant's tank at the minute the
fuel reaches the depot in that scenario, the reserve stays in the depot, and the
planner schedules everything else. So "the plain plan under sampled outages" is
the plain plan's intent, its fuel allocation, re-executed, not its frozen
operations, which a different outage would make impossible.

:func:`robust_plan` then:

1. plans the portfolio as published and reads the plain plan's allocation
   (litres trucked to each plant / depot supply): the *expected-value* shares;
2. plans each training sample with no earmarks and averages the shares each
   such plan trucked: the *sample-average* shares;
3. (``lp=True``) solves the portfolio-level LP of
   :func:`ingenio.planning.portfolio.allocate` on the published portfolio and
   reads its depot grants as shares: the *LP* shares;
4. builds candidates: each share vector with a reserve of 0 %, 25 % and 50 %
   (shares scaled by 1 - reserve), the free re-plan (100 % reserve), plus any
   extra candidates given;
5. executes every candidate on the same training samples and keeps the one
   with the best mean on-time value (or mean value: ``criterion``; ties go to
   the earlier candidate, the plain one first). The plain policy is a candidate,
   so the choice is never worse than plain **on the training samples**;
   :func:`evaluate_held_out` measures it on fresh samples.

Earmarked fuel enters a tank like any direct delivery, without the capacity
check trucked fuel gets (``docs/plan-rules.md``): think of a bowser on site.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ingenio.domain import Plan, Portfolio
from ingenio.energy.outage_model import learn_outage_model
from ingenio.planning.dispatch import dispatch
from ingenio.scenarios.aggregate import percentile
from ingenio.scenarios.executor import Executor, InlineExecutor, Progress, TaskFailure
from ingenio.scenarios.fuel_policy import FuelPolicy, lp_shares, mean_shares, shares_of
from ingenio.scenarios.montecarlo import (
    OutageSampler,
    SampleJob,
    Sampler,
    SampleResult,
    run_jobs,
)
from ingenio.scenarios.whatif import Planner

__all__ = [
    "HELD_OUT_START",
    "RESERVES",
    "Candidate",
    "FuelPolicy",
    "HeldOutRow",
    "HeldOutTable",
    "RobustPlan",
    "evaluate_held_out",
    "robust_plan",
]

HELD_OUT_START = 1_000_000
"""Held-out samples use indices from here on: never a training sample's index."""
RESERVES = (0.0, 0.25, 0.5)
"""Reserve levels tried with each share vector."""


@dataclass(frozen=True)
class Candidate:
    """A policy and how it did on the training samples."""

    policy: FuelPolicy
    mean: float
    p10: float
    failures: int


@dataclass(frozen=True)
class RobustPlan:
    """The chosen policy, the plain one, every candidate, and the plan they lead to."""

    policy: FuelPolicy
    plain: FuelPolicy
    candidates: tuple[Candidate, ...]
    samples: int
    seed: int
    portfolio: Portfolio
    """The published portfolio with the chosen policy applied."""
    plan: Plan
    failures: tuple[TaskFailure, ...]

    def policies(self) -> dict[str, FuelPolicy]:
        """``plain``, ``robust`` and ``free re-plan`` (no earmarks), to compare."""
        return {"plain": self.plain, "robust": self.policy, "free re-plan": FuelPolicy("free")}


def _by_variant(
    results: Sequence[SampleResult], k: int, criterion: str = "on_time"
) -> dict[int, float]:
    if criterion == "on_time":
        return {r.index: r.on_time_value for r in results if r.variant == k}
    return {r.index: r.value for r in results if r.variant == k}


def robust_plan(
    portfolio: Portfolio,
    samples: int,
    seed: int,
    planner: Planner = dispatch,
    executor: Executor | None = None,
    *,
    sampler: Sampler | None = None,
    reserves: Sequence[float] = RESERVES,
    lp: bool = True,
    extra: Sequence[FuelPolicy] = (),
    progress: Progress | None = None,
    criterion: Literal["on_time", "value"] = "on_time",
) -> RobustPlan:
    """Choose a fuel policy by sample-average optimisation (module docstring).

    ``criterion`` is what the choice maximises on the training samples: the mean
    value of the orders delivered on time (default) or the mean value delivered,
    late orders at their discount.

    Parameters
    ----------
    portfolio
        The published portfolio.
    samples
        Training samples (indices ``0 .. samples-1`` of ``seed``).
    seed
        Seed of the training samples.
    planner
        Plans every scenario.
    executor
        Where the plans run (in this process by default).
    sampler
        Draws scenarios; default outages and tanker arrivals from
        ``learn_outage_model(portfolio)``.
    reserves
        Reserve levels tried with each share vector.
    lp
        Also try the shares of the portfolio-level LP (one LP solve).
    extra
        More candidate policies (for instance grants of a portfolio-level LP).
    progress
        Hears ``(done, total)`` per batch of plans.

    Returns
    -------
    RobustPlan
    """
    if not 1 <= samples < HELD_OUT_START:
        raise ValueError(f"training samples must be in [1, {HELD_OUT_START}), got {samples}")
    executor = executor or InlineExecutor()
    sampler = sampler or OutageSampler(learn_outage_model(portfolio))
    plain_plan = planner(portfolio)
    plain = FuelPolicy("plain allocation", shares_of(portfolio, plain_plan))
    job = SampleJob(portfolio, planner, sampler, seed)
    free, failed = run_jobs(job, [(i, 0) for i in range(samples)], executor, progress)
    ok_free = [r for r in free if r.depot_supply_l > 0]
    average = FuelPolicy("sample-average allocation", mean_shares(ok_free))
    policies = [FuelPolicy("free re-plan")]
    bases = [plain, average]
    if lp:
        bases.append(FuelPolicy("LP allocation", lp_shares(portfolio)))
    for base in bases:
        for rho in reserves:
            policy = base.scaled(1.0 - rho, f"{base.name}, {rho:.0%} reserve")
            policies.append(policy if rho else dataclasses.replace(policy, name=base.name))
    policies += extra
    job = dataclasses.replace(job, transforms=(None, *(p.apply for p in policies[1:])))
    items = [(i, k) for k in range(1, len(policies)) for i in range(samples)]
    tried, more = run_jobs(job, items, executor, progress)
    failed += more
    values = [
        _by_variant(free, 0, criterion),
        *(_by_variant(tried, k, criterion) for k in range(1, len(policies))),
    ]
    common = set.intersection(*(set(v) for v in values)) if values else set()
    candidates = tuple(
        Candidate(
            p,
            float(np.mean([v[i] for i in common])) if common else float("nan"),
            percentile([v[i] for i in common], 10),
            samples - len(v),
        )
        for p, v in zip(policies, values, strict=True)
    )
    ranked = [c for c in (*candidates[1:], candidates[0]) if c.mean == c.mean] or [candidates[1]]
    best = max(ranked, key=lambda c: c.mean)  # the first of equals wins: plain first
    applied = best.policy.apply(portfolio)
    return RobustPlan(
        policy=best.policy,
        plain=plain,
        candidates=candidates,
        samples=samples,
        seed=seed,
        portfolio=applied,
        plan=planner(applied),
        failures=tuple(sorted(failed, key=lambda f: f.index)),
    )


@dataclass(frozen=True)
class HeldOutRow:
    """One policy on the held-out samples; ``delta`` is its mean paired difference from
    the first row's policy, ``delta_se`` the standard error of that difference;
    ``on_time_mean`` the mean value of the orders delivered on time."""

    name: str
    samples: int
    mean: float
    on_time_mean: float
    p10: float
    p50: float
    std: float
    delta: float
    delta_se: float
    failures: int


@dataclass(frozen=True)
class HeldOutTable:
    """Policies compared on the same fresh samples (indices from ``first_index``)."""

    rows: tuple[HeldOutRow, ...]
    n: int
    seed: int
    first_index: int
    failures: tuple[TaskFailure, ...]

    def row(self, name: str) -> HeldOutRow:
        """The row of the named policy (KeyError when absent)."""
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)


def evaluate_held_out(
    portfolio: Portfolio,
    plans: Mapping[str, FuelPolicy],
    n: int,
    seed: int,
    planner: Planner = dispatch,
    executor: Executor | None = None,
    *,
    sampler: Sampler | None = None,
    progress: Progress | None = None,
) -> HeldOutTable:
    """Execute each policy on the same ``n`` fresh samples and compare them.

    Samples use indices ``HELD_OUT_START ..`` of ``seed``, so with the training
    seed they are never the samples the policy was chosen on. The first policy
    of ``plans`` is the reference of the paired differences.

    Returns
    -------
    HeldOutTable
        Per policy: mean, P10, P50, standard deviation of the value, and the
        mean paired difference from the reference with its standard error.
    """
    if n < 1 or not plans:
        raise ValueError("need at least one held-out sample and one policy")
    executor = executor or InlineExecutor()
    sampler = sampler or OutageSampler(learn_outage_model(portfolio))
    names = list(plans)
    job = SampleJob(
        portfolio, planner, sampler, seed, transforms=tuple(plans[k].apply for k in names)
    )
    items = [(HELD_OUT_START + i, k) for k in range(len(names)) for i in range(n)]
    done, failed = run_jobs(job, items, executor, progress)
    values = [_by_variant(done, k, "value") for k in range(len(names))]
    on_time = [[r.on_time_value for r in done if r.variant == k] for k in range(len(names))]
    common = sorted(set.intersection(*(set(v) for v in values)))
    ref = np.array([values[0][i] for i in common])
    rows = []
    for name, v, punctual in zip(names, values, on_time, strict=True):
        xs = np.array([v[i] for i in sorted(v)])
        diff = np.array([v[i] for i in common]) - ref
        rows.append(
            HeldOutRow(
                name=name,
                samples=len(xs),
                mean=float(xs.mean()) if len(xs) else float("nan"),
                on_time_mean=float(np.mean(punctual)) if punctual else float("nan"),
                p10=percentile(list(xs), 10),
                p50=percentile(list(xs), 50),
                std=float(xs.std(ddof=1)) if len(xs) > 1 else 0.0,
                delta=float(diff.mean()) if len(diff) else float("nan"),
                delta_se=float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0,
                failures=n - len(xs),
            )
        )
    return HeldOutTable(tuple(rows), n, seed, HELD_OUT_START, tuple(failed))
