"""Top-up (docs/planning.md, "Idle litres while starving"): depot fuel left while a
plant starves goes into the orders the measure names, written straight into the plan."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_optimise import _feedback_portfolio

from ingenio.domain import OrderOutcome, OrderStatus, Plan
from ingenio.planning.dispatch import dispatch
from ingenio.planning.explain import fuel_needs
from ingenio.planning.optimise.feedback import RoundState, merge_round, summed
from ingenio.planning.optimise.topup import generator_runs, topup_round
from ingenio.planning.portfolio import allocate
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.summary import idle_fuel
from ingenio.validate import validate


def _starved_state() -> tuple[RoundState, float]:
    """Round state where plant A's first plan leaves its order out (as a plant solver
    that stopped early would), while plant B burns only part of the depot."""
    p = _feedback_portfolio()
    allocation = allocate(p)
    state = RoundState(p, {}, dict(allocation.depot_grants), None, [])
    subs = {pid: plant_portfolio(p, pid, summed(state.grants.get(pid, ()))) for pid in "AB"}
    empty = Plan(
        "none",
        (),
        (),
        (),
        tuple(OrderOutcome(o.id, OrderStatus.UNSCHEDULED, None, 0, 0.0) for o in subs["A"].orders),
    )
    state.plans = {"A": empty, "B": dispatch(subs["B"])}
    state.merged = merge_round(p, state)
    return state, allocation.bound


def test_idle_fuel_of_a_starving_plant_is_burned_by_its_orders() -> None:
    state, bound = _starved_state()
    p = state.work
    before = state.merged
    assert before is not None and validate(p, before) == []
    idle = idle_fuel(p, before, fuel_needs(p, before))
    assert idle.starving == ("A",) and idle.litres > 0  # A starves, B's fuel sits idle

    assert topup_round(p, state)
    after = state.merged
    assert after is not None
    assert [str(v) for v in validate(p, after)] == []
    assert idle_fuel(p, after, fuel_needs(p, after)).litres == 0.0
    assert after.value > before.value
    assert after.value <= bound
    assert any(n.startswith("top-up:") and "A" in n for n in state.notes)
    # Nothing left to burn for: a second round changes nothing.
    assert not topup_round(p, state)


def test_generator_runs_cover_the_load_and_merge_touching_stretches() -> None:
    p = _feedback_portfolio()
    sub = plant_portfolio(p, "B", ((0, 400.0),))
    plan = dispatch(sub)
    runs = generator_runs(sub, "B", plan.operations)
    assert runs is not None and len(runs) == 1  # one step at one load: one run
    again = replace(plan, generator_runs=tuple(runs))
    assert [str(v) for v in validate(sub, again)] == []
    assert sum(r.end - r.start for r in runs) == pytest.approx(
        sum(op.end - op.start for op in plan.operations)
    )


def test_plants_report_their_model_bound_beside_the_lp_bound() -> None:
    from conftest import build_portfolio

    from ingenio.planning.optimise import cp_sat_planner, optimise
    from ingenio.planning.schedule import SolveParams

    p = build_portfolio()
    plan = optimise(p, SolveParams(time_limit_s=1.0, workers=1), processes=1, rounds=1)
    assert validate(p, plan) == []
    note = next(n for n in plan.notes if n.startswith("plant model bounds (CP-SAT"))
    assert "vs LP bound" in note
    # A plant's model bound is at least the value of its plan (a model solution).
    pid = p.plants[0].id
    sub = plant_portfolio(p, pid)
    own = cp_sat_planner(sub, SolveParams(time_limit_s=1.0, workers=1), None, None)
    assert own.bound is not None and own.bound >= own.value - 1e-6
