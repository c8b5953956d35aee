"""The optimiser's time budget (``optimise/budget.py``) and how the plant runner keeps to
it, on a fake clock: no test here waits or asserts a duration."""

from __future__ import annotations

import math

import pytest
from conftest import build_portfolio

from ingenio.domain import Plan, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise.budget import Budget, plant_seconds, plants_that_fit
from ingenio.planning.optimise.run import OUT_OF_TIME, PlantRunner, _Job, _plan_plant
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams
from ingenio.validate import validate


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_no_budget_is_unlimited_and_never_cuts() -> None:
    clock = FakeClock()
    b = Budget(None, clock)
    clock.now += 1e6
    assert not b.limited
    assert b.left() == math.inf and b.left(0.1) == math.inf
    assert b.deadline(0.5) is None
    assert b.cap(0.3, 60.0) == 60.0


def test_shares_deadlines_and_stage_seconds_on_a_fake_clock() -> None:
    clock = FakeClock()
    b = Budget(100.0, clock)
    assert b.cap(0.3, 60.0) == 30.0 and b.cap(0.3, 10.0) == 10.0
    b.enter("allocate")
    clock.now += 25.0
    b.enter("plants")
    clock.now += 50.0
    assert b.left() == pytest.approx(25.0)
    assert b.left(0.7) == pytest.approx(-5.0)  # past the plants' share
    assert b.deadline(0.8) == pytest.approx(1080.0)
    b.enter("allocate")  # a stage entered twice adds up
    clock.now += 5.0
    b.close()
    assert b.spent == pytest.approx({"allocate": 30.0, "plants": 50.0})
    assert b.timings() == "stage seconds: allocate 30.0, plants 50.0; total 80.0 of 100 s budget"


def test_a_plant_gets_the_least_of_its_limit_and_its_fair_share() -> None:
    assert plant_seconds(100.0, 10, 2, 5.0) == 5.0  # time to spare: the limit
    assert plant_seconds(100.0, 50, 2, 5.0) == pytest.approx(4.0)  # 25 rounds of 4 s
    assert plant_seconds(7.0, 3, 2, math.inf) == pytest.approx(3.5)  # 2 rounds
    assert plant_seconds(-3.0, 4, 2, 5.0) == 0.0  # past the stage's end: nothing
    assert plant_seconds(8.0, 0, 2, 5.0) == 5.0


def test_how_many_re_plans_fit_in_what_is_left() -> None:
    assert plants_that_fit(10.0, 2, 1.0) == 20
    assert plants_that_fit(2.5, 2, 1.0) == 4  # two rounds of two
    assert plants_that_fit(0.9, 2, 1.0) == 0
    assert plants_that_fit(-1.0, 2, 1.0) == 0


def _sub() -> Portfolio:
    p = build_portfolio()
    return plant_portfolio(p, p.plants[0].id)


def _never(*args: object, **kwargs: object) -> Plan:
    raise AssertionError("the solver must not start without time for it")


def test_a_plant_out_of_time_keeps_its_start_without_starting_the_solver() -> None:
    sub = _sub()
    job = _Job("P1", sub, SolveParams(time_limit_s=10.0), None, _never, seconds=0.0)
    plan = _plan_plant(job, lambda kind, value: None)
    assert plan.notes[-1] == OUT_OF_TIME
    assert validate(sub, plan) == []
    assert plan.value == pytest.approx(dispatch(sub).value)


def test_the_solver_gets_what_the_start_leaves_never_more_than_its_limit() -> None:
    sub = _sub()
    clock = FakeClock()
    limits: list[float] = []

    def planner(
        portfolio: Portfolio, params: SolveParams, hint: Plan | None, progress: object
    ) -> Plan:
        limits.append(params.time_limit_s)
        assert hint is not None
        return hint

    def ticking() -> float:
        clock.now += 1.0  # every reading of the clock costs a second
        return clock.now

    job = _Job("P1", sub, SolveParams(time_limit_s=10.0), None, planner, seconds=6.0)
    _plan_plant(job, lambda kind, value: None, clock=ticking)
    assert len(limits) == 1 and 0.5 <= limits[0] < 6.0
    limits.clear()
    roomy = _Job("P1", sub, SolveParams(time_limit_s=10.0), None, planner, seconds=500.0)
    _plan_plant(roomy, lambda kind, value: None, clock=ticking)
    assert limits == [10.0]


def test_the_runner_past_the_plant_stage_keeps_every_start_and_says_so() -> None:
    p = build_portfolio()
    clock = FakeClock()
    budget = Budget(10.0, clock)
    clock.now += 9.0  # past the plants' share: every plant gets no time
    runner = PlantRunner(_never, SolveParams(), 1, None, 0.0, budget=budget)
    runner.until = 0.8
    subs = {pl.id: plant_portfolio(p, pl.id) for pl in p.plants}
    plans = runner.run(subs, {})
    assert sorted(runner.out_of_time) == sorted(subs)
    for pid, plan in plans.items():
        assert validate(subs[pid], plan) == []
        assert plan.notes[-1] == OUT_OF_TIME


def test_the_runner_without_a_budget_gives_every_plant_its_limit() -> None:
    p = build_portfolio()
    limits: list[float] = []

    def planner(
        portfolio: Portfolio, params: SolveParams, hint: Plan | None, progress: object
    ) -> Plan:
        limits.append(params.time_limit_s)
        assert hint is not None
        return hint

    runner = PlantRunner(planner, SolveParams(time_limit_s=3.0), 1, None, 0.0)
    runner.until = 0.8  # no budget: no cut
    subs = {pl.id: plant_portfolio(p, pl.id) for pl in p.plants}
    runner.run(subs, {})
    assert limits == [3.0] * len(subs) and runner.out_of_time == []


def test_plants_about_to_lose_their_solver_take_the_spill_share() -> None:
    p = build_portfolio()
    subs = {pl.id: plant_portfolio(p, pl.id) for pl in p.plants}
    limits: list[float] = []

    def planner(
        portfolio: Portfolio, params: SolveParams, hint: Plan | None, progress: object
    ) -> Plan:
        limits.append(params.time_limit_s)
        assert hint is not None
        return hint

    def runner_at(elapsed: float, spill: float | None) -> PlantRunner:
        clock = FakeClock()
        budget = Budget(100.0, clock)
        clock.now += elapsed
        runner = PlantRunner(planner, SolveParams(time_limit_s=3.0), 1, None, 0.0, budget=budget)
        runner.until, runner.spill = 0.8, spill
        return runner

    # 0.5 s left of the plants' share for 2 plants: 0.25 s each, no solver...
    cut = runner_at(79.5, None)
    cut.run(subs, {})
    assert sorted(cut.out_of_time) == sorted(subs) and not cut.spilled and limits == []
    # ... unless they may run into the feedback's share (10.5 s more): then both solve.
    spilled = runner_at(79.5, 0.9)
    spilled.run(subs, {})
    assert spilled.spilled and spilled.out_of_time == []
    assert limits == [3.0] * len(subs)
    # with time to spare the spill share is not touched
    roomy = runner_at(0.0, 0.9)
    roomy.run(subs, {})
    assert not roomy.spilled


def test_dispatch_beside_the_plants_is_dispatch_and_its_time_is_a_stage() -> None:
    from ingenio.planning.optimise.planner import _Baseline

    p = build_portfolio()
    clock = FakeClock()
    budget = Budget(100.0, clock)
    baseline = _Baseline(p, background=True)
    budget.enter("plants")
    plan = baseline(budget)
    here = dispatch(p)
    assert plan.operations == here.operations and plan.value == here.value
    assert baseline(budget) is plan  # computed once
    budget.close()
    assert "dispatch" in budget.spent


def test_a_failing_dispatch_beside_the_plants_fails_the_caller() -> None:
    from ingenio.planning.optimise.planner import _Baseline

    baseline = _Baseline(None, background=True)  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        baseline(Budget(None))
