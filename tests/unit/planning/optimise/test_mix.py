"""A plan cut into plant parts in one pass (``optimise/mix.py``)."""

from __future__ import annotations

from collections import Counter

from ingenio.data.generate import Counts, generate_portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise.mix import mix, plant_parts


def test_plant_parts_cut_a_plan_into_its_plants_and_nothing_else() -> None:
    p = generate_portfolio(Counts(plants=3, lines=12, orders=120, days=4), seed=2)
    plan = dispatch(p)
    parts = plant_parts(p, plan)
    assert sorted(parts) == sorted(pl.id for pl in p.plants)
    for pid, part in parts.items():
        plant = p.plant(pid)
        assert all(plant.has_line(op.line_id) for op in part.operations)
        assert all(t.plant_id == pid for t in part.fuel_transfers)
        assert {o.order_id for o in part.outcomes} == {o.id for o in p.orders_of(pid)}
    for field in ("operations", "generator_runs", "fuel_transfers", "outcomes"):
        joined = Counter(x for part in parts.values() for x in getattr(part, field))
        assert joined == Counter(getattr(plan, field)), field
    assert plan.operations and plan.fuel_transfers, "a plan with fuel moves to cut"


def test_a_plan_mixed_with_itself_takes_nothing() -> None:
    p = generate_portfolio(Counts(plants=3, lines=12, orders=120, days=4), seed=2)
    plan = dispatch(p)
    assert mix(p, plan, plan) == (plan, [])
