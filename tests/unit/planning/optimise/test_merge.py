"""Plant plans merged into one (``optimise/merge.py``): transfers within the grants."""

from __future__ import annotations

from test_optimise import _feedback_portfolio

from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise.merge import merge
from ingenio.planning.portfolio import allocate
from ingenio.planning.restrict import plant_portfolio
from ingenio.validate import validate


def test_fuel_transfers_stay_within_the_grants() -> None:
    # The merge of the plant plans made with the grants (before any comparison).
    p = _feedback_portfolio()
    allocation = allocate(p)
    grants = allocation.depot_grants
    plans = {pid: dispatch(plant_portfolio(p, pid, allocation.grants[pid])) for pid in ("A", "B")}
    plan = merge(p, plans, grants)
    assert validate(p, plan) == []
    assert plan.fuel_transfers
    for plant in p.plants:
        mine = sorted(
            (t.at, t.depot_id, t.litres) for t in plan.fuel_transfers if t.plant_id == plant.id
        )
        for at, depot, _ in mine:
            moved = sum(x for a, d, x in mine if a <= at and d == depot)
            granted = sum(x for d, a, x in grants.get(plant.id, ()) if a <= at and d == depot)
            assert moved <= granted + 1e-6
