"""Explanations of orders that wait on another plant's order: they name the predecessor,
its plant, the transfer and the hours that would have to change; a predecessor the plan
leaves undone is named with its own reason."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cross_plant_chains import _with_chains as with_chains

from ingenio.data.generate import Counts, generate_portfolio
from ingenio.domain import (
    Block,
    Enterprise,
    FuelTank,
    Generator,
    Horizon,
    Line,
    Order,
    OrderOutcome,
    OrderStatus,
    Plan,
    Plant,
    Portfolio,
    Product,
    Step,
    Window,
)
from ingenio.formats.plan_file import plan_from_document, plan_to_document
from ingenio.i18n import say
from ingenio.operations.replan import merge, prepare, with_outage
from ingenio.planning.dispatch import dispatch
from ingenio.planning.explain import explain, order_fit, reasons, with_explanations
from ingenio.planning.optimise import dispatch_planner, optimise
from ingenio.planning.schedule import SolveParams
from ingenio.services.replan import affected_plants, replan_plan
from ingenio.validate import validate

ORIGIN = datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana"))  # 00:00 local
PARAMS = SolveParams(time_limit_s=0.5, workers=1)


def _chain(kit: Order, *others: Order, fuel: bool = False) -> Portfolio:
    """Plant A makes a part PA (60 units at 30/h: 2 h); plant B assembles it (``kit``,
    60 units at 60/h: 1 h) once trucked over. Grid always on, lines always open; with
    ``fuel`` plant B has a genset and a tank (so the diesel trial placement runs)."""
    horizon = Horizon(ORIGIN, days=2, slot_minutes=15)
    full = (Window(0, horizon.minutes),)
    gens = (Generator("G", "genset", "B", 100.0, 0.0, 0.0, 0.25),) if fuel else ()
    tank = FuelTank(capacity_l=100.0, stock_l=50.0, reserve_l=5.0) if fuel else None
    return Portfolio(
        name="chain",
        horizon=horizon,
        enterprises=(Enterprise("E1", "Empresa"),),
        plants=(
            Plant("A", "Plant A", "E1", "B1", 500.0, (Line("LA", "Line", "A", full),)),
            Plant(
                "B",
                "Plant B",
                "E1",
                "B1",
                500.0,
                (Line("LB", "Line", "B", full),),
                generators=gens,
                tank=tank,
            ),
        ),
        blocks=(Block("B1", "Bloque"),),
        products=(
            Product("PART", "Part", "metal", (Step("make", ("LA",), 30.0, 50.0),)),
            Product("KIT", "Kit", "metal", (Step("assemble", ("LB",), 60.0, 50.0),)),
        ),
        orders=(Order("PA", "PART", 60.0, 0, 1440, 1.0), kit, *others),
    )


def _kit(due: int, transfer: int = 300) -> Order:
    return Order("KB", "KIT", 60.0, 0, due, 10.0, predecessors=("PA",), transfer_minutes=transfer)


def _status(plan: Plan, order_id: str) -> OrderStatus:
    return next(o.status for o in plan.outcomes if o.order_id == order_id)


def test_an_assembly_late_only_for_the_transfer_names_it_and_the_hours() -> None:
    # PA done at 02:00 at the earliest, 5 h on the truck: KB starts 07:00, done 08:00,
    # due 06:40. Without the transfer it would be done at 03:00.
    p = _chain(_kit(due=400))
    plan = optimise(p, PARAMS, plant_planner=dispatch_planner, processes=1)
    assert validate(p, plan) == []
    assert _status(plan, "KB") is OrderStatus.LATE
    assert explain(p, plan)["KB"] == (
        "waits for order PA of plant A, done at the earliest 2026-04-06 02:00, then 5.0 h of "
        "transfer: it cannot start before 2026-04-06 07:00, too late to finish by the due "
        "date; it would finish in time starting by 2026-04-06 05:40, 1.3 h sooner (order PA "
        "done earlier or a shorter transfer)"
    )
    # the same order with a short transfer is on time: the transfer is the cause
    quick = _chain(_kit(due=400, transfer=60))
    fast = optimise(quick, PARAMS, plant_planner=dispatch_planner, processes=1)
    assert validate(quick, fast) == [] and _status(fast, "KB") is OrderStatus.ON_TIME


def test_the_sentence_is_said_in_spanish_and_russian() -> None:
    p = _chain(_kit(due=400))
    plan = dispatch(p)
    assert validate(p, plan) == []
    why = reasons(p, plan)["KB"]
    es, ru = say("es", why), say("ru", why)
    assert es.startswith("espera al pedido PA de la planta A, listo como pronto el 2026-04-06")
    assert "5,0 h de traslado" in es and "1,3 h antes" in es
    assert ru.startswith("ждёт заказ PA завода A") and "5,0 ч" in ru and "1,3 ч" in ru


def test_a_predecessor_finished_late_in_the_plan_plus_the_transfer() -> None:
    # PX (due 04:00, first in line) holds LA until 04:00: PA is done at 06:00 in the plan,
    # KB starts after the truck at 11:00, done 12:00, due 11:40; alone it is on time.
    px = Order("PX", "PART", 120.0, 0, 240, 5.0)
    p = _chain(_kit(due=700), px)
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert _status(plan, "KB") is OrderStatus.LATE
    assert explain(p, plan)["KB"] == (
        "waits for order PA of plant A, done 2026-04-06 06:00 in this plan, then 5.0 h of "
        "transfer: it cannot start before 2026-04-06 11:00, too late to finish by the due "
        "date; it would finish in time starting by 2026-04-06 10:40, 0.3 h sooner (order PA "
        "done earlier or a shorter transfer)"
    )


def test_a_transfer_past_the_horizon_end() -> None:
    p = _chain(_kit(due=2 * 1440, transfer=2 * 1440))
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert _status(plan, "KB") is OrderStatus.UNSCHEDULED
    why = explain(p, plan)["KB"]
    assert why.startswith("waits for order PA of plant A, done at the earliest 2026-04-06 02:00")
    assert "then 48.0 h of transfer" in why and "too late to finish by the horizon end" in why
    assert "3.0 h sooner" in why


def test_a_predecessor_left_undone_is_named_with_its_own_reason() -> None:
    # PX (due first) takes line LA until 46:40: PA is not made, so KB cannot be.
    px = Order("PX", "PART", 1400.0, 0, 1400, 5.0)
    p = _chain(_kit(due=2870), px)
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert _status(plan, "PA") is _status(plan, "KB") is OrderStatus.UNSCHEDULED
    found = explain(p, plan)
    assert found["KB"] == (
        "waits for order PA of plant A, which this plan leaves undone: " + found["PA"]
    )
    assert found["PA"].startswith("line LA has 0.0 h free before the due date (100% busy")


def test_a_predecessor_that_can_never_be_done_is_chained() -> None:
    late_part = Order("PA", "PART", 60.0, 3 * 1440, 4 * 1440, 1.0)
    p = replace(_chain(_kit(due=2000)), orders=(late_part, _kit(due=2000)))
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert explain(p, plan)["KB"] == (
        "waits for order PA of plant A, which cannot be done within the horizon: "
        "released 2026-04-09 00:00, after the horizon ends"
    )


def test_the_diesel_trial_placement_waits_for_the_transfer() -> None:
    p = _chain(_kit(due=1440), fuel=True)
    plan = dispatch(p)
    assert validate(p, plan) == []
    # Leave KB out of the plan: where would it fit with more diesel?
    undone = replace(
        plan,
        operations=tuple(op for op in plan.operations if op.order_id != "KB"),
        outcomes=tuple(
            OrderOutcome("KB", OrderStatus.UNSCHEDULED, None, 0, 0.0) if o.order_id == "KB" else o
            for o in plan.outcomes
        ),
    )
    part_done = max(op.end for op in plan.operations if op.order_id == "PA")
    found = order_fit(p, undone, "KB")
    assert found is not None
    ((line, pieces),) = found.steps
    assert line == "LB" and pieces[0][0] >= part_done + 300
    # Due before the truck can arrive: no placement (it used to start at the part's end).
    late = _chain(_kit(due=400), fuel=True)
    late_plan = dispatch(late)
    assert _status(late_plan, "KB") is OrderStatus.LATE
    assert order_fit(late, late_plan, "KB") is None


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    links=st.integers(1, 6),
    transfer=st.sampled_from([0, 240, 900, 3000]),
)
def test_every_order_of_a_cross_plant_chain_gets_a_reason(
    seed: int, links: int, transfer: int
) -> None:
    base = generate_portfolio(Counts(plants=3, lines=6, orders=24, days=3), seed=seed)
    p = with_chains(base, seed, links, transfer)
    plan = optimise(p, PARAMS, plant_planner=dispatch_planner, processes=1)
    assert validate(p, plan) == []
    found = reasons(p, plan)
    missed = {o.order_id for o in plan.outcomes if o.status is not OrderStatus.ON_TIME}
    assert set(found) == missed and all(str(r) for r in found.values())
    for oid, why in found.items():
        order = p.order(oid)
        if "transfer" in why.template:
            # it names a predecessor of the order, made at another plant
            pred = str(why.values["pred"])
            assert pred in order.predecessors
            assert why.values["plant"] == p.product_plant(p.order(pred).product_id).id


def test_a_replanned_assembly_still_waits_for_the_transfer() -> None:
    # Plant B is replanned at 02:30 after an outage: PA (plant A, kept) was done at
    # 02:00, so KB may start only when the truck arrives at 07:00.
    p = _chain(_kit(due=1440))
    plan = dispatch(p)
    world = with_outage(p, "B", Window(150, 200), 150)
    problem = prepare(world, plan, 150, "B")
    new = merge(problem, dispatch(problem.portfolio), "replan:dispatch")
    assert validate(world, new) == []
    kit = [op for op in new.operations if op.order_id == "KB"]
    assert kit and min(op.start for op in kit) >= 120 + 300


def test_a_long_chain_of_undone_orders_names_where_it_starts_and_travels_in_the_file() -> None:
    # PX holds line LA, so PA is not made; K1..K9 at plant B wait on PA, then each other.
    px = Order("PX", "PART", 1400.0, 0, 1400, 5.0)
    kits = [
        Order(
            f"K{i}",
            "KIT",
            6.0,
            0,
            2870,
            1.0,
            predecessors=("PA",) if i == 1 else (f"K{i - 1}",),
            transfer_minutes=300,
        )
        for i in range(1, 10)
    ]
    p = replace(_chain(_kit(due=2870)), orders=(*_chain(_kit(due=2870)).orders, px, *kits))
    plan = with_explanations(p, dispatch(p))
    assert validate(p, plan) == []
    found = {o.order_id: o for o in plan.outcomes}
    assert found["K9"].status is OrderStatus.UNSCHEDULED
    assert found["K9"].reason == (
        "waits for order K8 of plant B, which this plan leaves undone: waits for order PA of "
        "plant A, which this plan leaves undone: " + found["PA"].reason
    )
    doc = plan_to_document(plan, p)
    back = plan_from_document(json.loads(json.dumps(doc)), p, "plan.json")
    kept = next(o for o in back.outcomes if o.order_id == "K9")
    assert kept.said == found["K9"].said and kept.said is not None
    assert say("es", kept.said).startswith("espera al pedido K8 de la planta B, que este plan")


def test_replanning_the_part_s_plant_replans_the_assembly_after_it() -> None:
    # An outage at plant A from 01:00 to 03:20 pushes the rest of PA to 03:30; KB at plant
    # B (07:00 in the plan in force) must then wait for the truck until 09:00.
    p = _chain(_kit(due=1440))
    plan = dispatch(p)
    outage = Window(60, 200)
    world = with_outage(p, "A", outage, 60)
    plants = affected_plants(world, plan, "A", outage)
    assert plants == ["A", "B"]
    first, _ = replan_plan(world, plan, 60, plants, "dispatch")
    assert validate(world, first.plan) == []
    part_done = max(op.end for op in first.plan.operations if op.order_id == "PA")
    assert part_done > 120
    assert min(op.start for op in first.plan.operations if op.order_id == "KB") >= part_done + 300


def test_an_outage_at_the_assembly_plant_replans_the_part_s_plant_first() -> None:
    # Both plants share block B1: the outage reported at B also stops PA at A.
    p = _chain(_kit(due=1440))
    plan = dispatch(p)
    outage = Window(60, 200)
    world = with_outage(p, "B", outage, 60)
    plants = affected_plants(world, plan, "B", outage)
    assert plants == ["A", "B"]
    first, _ = replan_plan(world, plan, 60, plants, "dispatch")
    assert validate(world, first.plan) == []
