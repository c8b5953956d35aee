"""Chains across plants: a part made at one plant and assembled at another is planned by
the optimiser with the transfer time between them, and the validator checks it."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingenio.data.generate import Counts, generate_portfolio
from ingenio.domain import (
    Block,
    Enterprise,
    Horizon,
    Line,
    Operation,
    Order,
    OrderStatus,
    Plan,
    Plant,
    Portfolio,
    Product,
    Step,
    Window,
)
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise import dispatch_planner, optimise
from ingenio.planning.schedule import SolveParams
from ingenio.validate import validate

ORIGIN = datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana"))
PARAMS = SolveParams(time_limit_s=0.5, workers=1)


def _two_plants(transfer: int) -> Portfolio:
    """Plant A makes a part (60 units at 30/h: 120 min); plant B assembles it (60 units
    at 60/h: 60 min) once the part has been trucked over in ``transfer`` minutes. Grid
    always on, lines always open."""
    horizon = Horizon(ORIGIN, days=2, slot_minutes=15)
    full = (Window(0, horizon.minutes),)

    def plant(pid: str) -> Plant:
        return Plant(pid, f"Plant {pid}", "E1", "B1", 500.0, (Line(f"L{pid}", "Line", pid, full),))

    return Portfolio(
        name="chain",
        horizon=horizon,
        enterprises=(Enterprise("E1", "Empresa"),),
        plants=(plant("A"), plant("B")),
        blocks=(Block("B1", "Bloque"),),
        products=(
            Product("PART", "Part", "metal", (Step("make", ("LA",), 30.0, 50.0),)),
            Product("KIT", "Kit", "metal", (Step("assemble", ("LB",), 60.0, 50.0),)),
        ),
        orders=(
            Order("PA", "PART", 60.0, 0, 1440, 1.0),
            Order(
                "KB", "KIT", 60.0, 0, 1440, 10.0, predecessors=("PA",), transfer_minutes=transfer
            ),
        ),
    )


def _span(plan: Plan, order_id: str) -> tuple[int, int]:
    ops = [op for op in plan.operations if op.order_id == order_id]
    return min(op.start for op in ops), max(op.end for op in ops)


def test_part_at_plant_a_is_assembled_at_plant_b_after_the_transfer() -> None:
    p = _two_plants(transfer=90)
    plan = optimise(p, PARAMS, plant_planner=dispatch_planner, processes=1)
    assert validate(p, plan) == []
    assert _span(plan, "PA") == (0, 120)
    assert _span(plan, "KB") == (210, 270)  # 120 min making + 90 min on the truck
    assert not any("not planned" in n or "left out" in n for n in plan.notes)


def test_cp_sat_plans_the_chain_and_keeps_the_transfer() -> None:
    p = _two_plants(transfer=300)
    plan = optimise(p, PARAMS, processes=1)
    assert validate(p, plan) == []
    part_end = _span(plan, "PA")[1]
    assert _span(plan, "KB")[0] >= part_end + 300
    assert {o.order_id for o in plan.outcomes if o.status is OrderStatus.ON_TIME} == {"PA", "KB"}


def test_dispatch_waits_for_the_transfer_too() -> None:
    p = _two_plants(transfer=45)
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert _span(plan, "KB") == (165, 225)


def test_validator_counts_the_transfer_time() -> None:
    p = _two_plants(transfer=90)
    early = Plan(
        planner="hand",
        operations=(
            Operation("PA", 0, "LA", 0, 120, 60.0),
            Operation("KB", 0, "LB", 180, 240, 60.0),  # 30 min before the truck arrives
        ),
        generator_runs=(),
        fuel_transfers=(),
        outcomes=(),
    )
    broken = [v for v in validate(p, early) if v.rule == "precedence"]
    assert len(broken) == 1
    assert "30 min before predecessor PA is complete and its 90 min transfer is over" in (
        broken[0].message
    )
    on_time = replace(
        early,
        operations=(early.operations[0], Operation("KB", 0, "LB", 210, 270, 60.0)),
    )
    assert [v for v in validate(p, on_time) if v.rule == "precedence"] == []
    # A predecessor at the same plant needs no transfer.
    same = replace(p, orders=(p.orders[0], replace(p.orders[1], product_id="PART")))
    back_to_back = replace(
        early,
        operations=(early.operations[0], Operation("KB", 0, "LA", 120, 240, 60.0)),
    )
    assert [v for v in validate(same, back_to_back) if v.rule == "precedence"] == []


def _with_chains(portfolio: Portfolio, seed: int, links: int, transfer: int) -> Portfolio:
    """``portfolio`` with ``links`` orders made to wait on an order of another plant."""
    rng = random.Random(seed)
    plant_of = {o.id: portfolio.product_plant(o.product_id).id for o in portfolio.orders}
    orders = list(portfolio.orders)
    index = {o.id: i for i, o in enumerate(orders)}
    for _ in range(links):
        succ = rng.choice(orders)
        others = [o for o in orders if plant_of[o.id] != plant_of[succ.id] and not o.predecessors]
        if succ.predecessors or not others:
            continue
        pred = rng.choice(others)
        orders[index[succ.id]] = replace(succ, predecessors=(pred.id,), transfer_minutes=transfer)
    return replace(portfolio, orders=tuple(orders))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    links=st.integers(1, 6),
    transfer=st.sampled_from([0, 60, 240, 900]),
)
def test_plans_with_cross_plant_chains_pass_the_validator(
    seed: int, links: int, transfer: int
) -> None:
    base = generate_portfolio(Counts(plants=3, lines=6, orders=24, days=3), seed=seed)
    p = _with_chains(base, seed, links, transfer)
    plan = optimise(p, PARAMS, plant_planner=dispatch_planner, processes=1)
    assert validate(p, plan) == []
    assert validate(p, dispatch(p)) == []
