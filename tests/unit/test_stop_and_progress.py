"""Long work can be stopped and watched (issue 9): a stopped run still returns a valid
plan, marked ``cancelled``; progress fractions never go back."""

from __future__ import annotations

import math

import pytest
from conftest import build_portfolio
from scenario_portfolios import starving_portfolio

from ingenio.planning import PlanStatus
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise import OptimiseProgress, dispatch_planner, optimise, plan_key
from ingenio.planning.portfolio import allocate
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams, schedule_plant
from ingenio.scenarios.montecarlo import STOP_CHECK_EVERY, run_samples
from ingenio.validate import validate

PARAMS = SolveParams(time_limit_s=1.0, workers=1, deterministic=True)


def _yes() -> bool:
    return True


def test_a_plant_schedule_stopped_at_once_is_valid_and_cancelled() -> None:
    p = plant_portfolio(build_portfolio(), "P1")
    result = schedule_plant(p, PARAMS, stop=_yes)
    assert result.status is PlanStatus.CANCELLED
    assert result.plan.status == "cancelled"
    assert validate(p, result.plan) == []
    assert any("cancelled" in n for n in result.plan.notes)


def test_a_plant_schedule_stopped_at_its_first_solution_keeps_a_valid_plan() -> None:
    p = plant_portfolio(build_portfolio(), "P1")
    asked: list[int] = []

    def stop() -> bool:  # False before the solve, True from the first solution on
        asked.append(1)
        return len(asked) > 1

    result = schedule_plant(p, SolveParams(time_limit_s=5.0, workers=1), stop=stop)
    assert len(asked) >= 1
    assert validate(p, result.plan) == []
    assert result.status in (PlanStatus.CANCELLED, PlanStatus.OPTIMAL, PlanStatus.FALLBACK)
    if len(asked) > 1 and result.status is not PlanStatus.OPTIMAL:
        assert result.status is PlanStatus.CANCELLED


def test_a_schedule_never_stopped_is_not_cancelled() -> None:
    p = plant_portfolio(build_portfolio(), "P1")
    result = schedule_plant(p, PARAMS, stop=lambda: False)
    assert result.status is not PlanStatus.CANCELLED
    assert validate(p, result.plan) == []


def test_the_lp_stopped_at_once_gives_the_weak_bound_marked_cancelled() -> None:
    p = build_portfolio()
    stopped = allocate(p, stop=_yes)
    assert stopped.status is PlanStatus.CANCELLED
    assert stopped.bound == pytest.approx(sum(o.value for o in p.orders))  # the weak one
    assert "cancelled" in stopped.describe()


def test_the_lp_stopped_after_the_bound_keeps_the_bound() -> None:
    p = build_portfolio()
    calls: list[int] = []

    def stop() -> bool:  # False for the bound solve, True before the later stages
        calls.append(1)
        return len(calls) > 1

    stopped = allocate(p, stop=stop)
    assert stopped.status is PlanStatus.OPTIMAL
    assert math.isclose(stopped.bound, allocate(p).bound)


def test_optimise_stopped_at_once_returns_a_valid_plan_marked_cancelled() -> None:
    p = build_portfolio()
    plan = optimise(p, PARAMS, processes=1, stop=_yes)
    assert plan.status == PlanStatus.CANCELLED
    assert validate(p, plan) == []
    assert plan_key(p, plan) >= plan_key(p, dispatch(p))
    assert any("cancelled" in n for n in plan.notes)


def test_optimise_in_worker_processes_stopped_at_once_is_valid_and_cancelled() -> None:
    p = build_portfolio()
    plan = optimise(p, PARAMS, processes=2, stop=_yes)
    assert plan.status == PlanStatus.CANCELLED
    assert validate(p, plan) == []


def test_optimise_progress_fractions_never_go_back_and_end_at_one() -> None:
    p = build_portfolio()
    seen: list[OptimiseProgress] = []
    plan = optimise(p, PARAMS, plant_planner=dispatch_planner, processes=1, progress=seen.append)
    fractions = [s.fraction for s in seen]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any(0.0 < f < 1.0 for f in fractions)
    assert seen[-1].message == "done"
    assert plan.status != PlanStatus.CANCELLED


def test_monte_carlo_stopped_after_one_batch_keeps_the_samples_that_ran() -> None:
    p = starving_portfolio(with_p2=True)
    n = STOP_CHECK_EVERY + 4
    asked: list[int] = []
    seen: list[tuple[int, int]] = []

    def stop() -> bool:  # False before the first batch, True before the second
        asked.append(1)
        return len(asked) > 1

    result = run_samples(p, n, seed=11, stop=stop, progress=lambda d, t: seen.append((d, t)))
    assert result.cancelled
    assert result.n == len(result.samples) == STOP_CHECK_EVERY
    assert [d for d, _ in seen] == list(range(1, STOP_CHECK_EVERY + 1))
    full = run_samples(p, STOP_CHECK_EVERY, seed=11)
    assert not full.cancelled
    assert result.samples == full.samples  # the same samples as an uncancelled run


def test_monte_carlo_progress_counts_across_batches() -> None:
    p = starving_portfolio(with_p2=True)
    n = STOP_CHECK_EVERY + 2
    seen: list[tuple[int, int]] = []
    result = run_samples(
        p, n, seed=3, stop=lambda: False,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert not result.cancelled and result.n == n == len(result.samples)
    assert seen == [(d, n) for d in range(1, n + 1)]
