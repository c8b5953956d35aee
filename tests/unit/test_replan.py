"""Replanning: freeze semantics, the rest problem, merged plans that keep every rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ingenio.domain import (
    Block,
    Enterprise,
    FuelTank,
    Generator,
    GeneratorRun,
    Horizon,
    Line,
    Operation,
    Order,
    OutageWindow,
    Plan,
    Plant,
    Portfolio,
    Product,
    Step,
    Window,
)
from ingenio.operations.actuals import FuelDraw, ProductionRecord
from ingenio.operations.replan import (
    GhostError,
    freeze,
    merge,
    outcomes,
    prepare,
    replan_portfolio,
    with_outage,
)
from ingenio.planning import PlanStatus, Progress
from ingenio.planning.dispatch import dispatch
from ingenio.services.replan import affected_plants, replan_plan
from ingenio.validate import validate

ORIGIN = datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana"))


def portfolio(generator: bool = True, neighbour: bool = False) -> Portfolio:
    """P1: lines L1, L2 round the clock, grid 100 kW; product A (one interruptible step,
    60/h, 40 kW, setup 15, restart 10) and K (fire: uninterruptible on L2, 60/h, 30 kW;
    then pack on L1/L2, 120/h, 10 kW). With ``neighbour``, P2 shares block B1."""
    h = Horizon(ORIGIN, days=2, slot_minutes=15)
    full = (Window(0, h.minutes),)
    gens = (Generator("G1", "Genset", "P1", 50.0, 0.3, 0.08, 0.25),) if generator else ()
    plants = [
        Plant(
            "P1",
            "Plant",
            "E1",
            "B1",
            100.0,
            (Line("L1", "Line 1", "P1", full), Line("L2", "Line 2", "P1", full)),
            generators=gens,
            tank=FuelTank(200.0, 100.0, 10.0),
        )
    ]
    products = [
        Product("A", "Bread", "a", (Step("make", ("L1", "L2"), 60.0, 40.0, 15, True, 10),)),
        Product(
            "K",
            "Brick",
            "k",
            (Step("fire", ("L2",), 60.0, 30.0, 0, False), Step("pack", ("L1", "L2"), 120.0, 10.0)),
        ),
    ]
    orders = [
        Order("OA1", "A", 240.0, 0, 1440, 1.0),
        Order("OA2", "A", 120.0, 0, 600, 2.0),
        Order("OK1", "K", 180.0, 0, 2000, 3.0),
    ]
    if neighbour:
        plants.append(Plant("P2", "Saw", "E1", "B1", 50.0, (Line("L9", "Saw", "P2", full),)))
        products.append(Product("Y", "Plank", "y", (Step("cut", ("L9",), 60.0, 20.0),)))
        orders.append(Order("OY", "Y", 600.0, 0, 2000, 1.0))
    return Portfolio(
        "replan",
        h,
        (Enterprise("E1", "Empresa"),),
        tuple(plants),
        (Block("B1", "Bloque"),),
        tuple(products),
        tuple(orders),
    )


def hand_plan(p: Portfolio) -> Plan:
    """OA2 L1 [0,135) (setup 15 + 120); OA1 L1 [135,300) 165 (warm: no setup) and
    [400,495) 75 (restart 10); OK1 fire L2 [60,240) 180, pack L2 [240,330)."""
    ops = [
        Operation("OA2", 0, "L1", 0, 135, 120.0),
        Operation("OA1", 0, "L1", 135, 300, 165.0),
        Operation("OA1", 0, "L1", 400, 495, 75.0),
        Operation("OK1", 0, "L2", 60, 240, 180.0),
        Operation("OK1", 1, "L2", 240, 330, 180.0),
    ]
    if p.has("order", "OY"):
        ops.append(Operation("OY", 0, "L9", 300, 900, 600.0))
    return Plan("hand", tuple(ops), (), (), outcomes(p, ops, {}))


def test_hand_plan_is_valid() -> None:
    for p in (portfolio(), portfolio(neighbour=True)):
        assert validate(p, hand_plan(p)) == []


def test_freeze_keeps_done_cuts_interruptible_keeps_uninterruptible() -> None:
    p = portfolio()
    frozen = freeze(p, hand_plan(p), 200)
    assert tuple(frozen) == (frozen.operations, frozen.remaining)  # frozen_ops, remaining = ...
    frozen_ops, remaining = frozen.operations, frozen.remaining
    assert frozen_ops == (
        Operation("OA2", 0, "L1", 0, 135, 120.0),  # done: as it was
        Operation("OK1", 0, "L2", 60, 240, 180.0),  # firing: kept to its end
        Operation("OA1", 0, "L1", 135, 200, 65.0),  # cut: 65 min at 60/h, warm (no setup)
    )
    left = {r.order_id: r for r in remaining}
    assert (left["OA1"].step, left["OA1"].quantity, left["OA1"].ready) == (0, 175.0, 200)
    assert left["OA1"].partial and left["OA1"].started
    assert (left["OK1"].step, left["OK1"].quantity, left["OK1"].ready) == (1, 180.0, 240)
    assert not left["OK1"].partial
    assert "OA2" not in left  # complete


def test_freeze_drops_a_piece_cut_during_its_setup_and_reads_actuals() -> None:
    p = portfolio()
    frozen = freeze(p, hand_plan(p), 10)  # OA2 is in its 15-min setup
    frozen_ops, remaining = frozen.operations, frozen.remaining
    assert all(op.order_id != "OA2" for op in frozen_ops)
    assert [(r.order_id, r.quantity, r.started) for r in remaining if r.order_id == "OA2"] == [
        ("OA2", 120.0, False)
    ]
    made = ProductionRecord(
        "L1",
        "A",
        "OA1",
        50.0,
        5.0,
        ORIGIN + timedelta(minutes=135),
        ORIGIN + timedelta(minutes=200),
    )
    frozen = freeze(p, hand_plan(p), 200, [made])
    frozen_ops, remaining = frozen.operations, frozen.remaining
    assert Operation("OA1", 0, "L1", 135, 200, 50.0) in frozen_ops  # actual overrides plan
    assert [r.quantity for r in remaining if r.order_id == "OA1"] == [190.0]


def test_with_outage_trims_overlapping_windows() -> None:
    p = portfolio()
    p = replace(p, blocks=(Block("B1", "Bloque", (OutageWindow(Window(100, 500), 0.3),)),))
    world = with_outage(p, "P1", Window(150, 300), 200)
    assert world.block("B1").outages == (
        OutageWindow(Window(100, 200), 0.3),
        OutageWindow(Window(200, 300), 1.0),
        OutageWindow(Window(300, 500), 0.3),
    )


def test_rest_portfolio_blocks_the_past_and_burns_the_tank() -> None:
    p = portfolio()
    plan = replace(hand_plan(p), generator_runs=(GeneratorRun("G1", 0, 120, 30.0),))
    rest = replan_portfolio(p, plan, 200, Window(200, 380), "P1")
    real = [ln for ln in rest.plants[0].lines if not ln.id.startswith("~")]
    assert all(w.start >= 200 for ln in real for w in ln.shifts)
    assert rest.plant("P1").line("L2").shifts[0].start == 240  # the firing runs until 240
    ghost = rest.plant("P1").line("~L2")  # holds the firing's 30 kW in slots [195, 240)
    assert ghost.shifts == (Window(195, 240),)
    burned = (0.08 * 50 + 0.25 * 30) * 2  # 2 h at 30 kW
    assert rest.plant("P1").tank.stock_l == pytest.approx(100.0 - burned)  # type: ignore[union-attr]
    draws = [FuelDraw("G1", 40.0, ORIGIN + timedelta(minutes=100))]  # more than planned
    rest = replan_portfolio(p, plan, 200, None, "P1", fuel_draws=draws)
    assert rest.plant("P1").tank.stock_l == pytest.approx(60.0)  # type: ignore[union-attr]
    assert {o.id for o in rest.orders} >= {"OA1", "OK1"}


def test_replanned_plan_is_valid_and_keeps_frozen_ops_identical() -> None:
    p = portfolio()
    plan = hand_plan(p)
    world = with_outage(p, "P1", Window(200, 380), 200)
    problem = prepare(world, plan, 200, "P1")
    assert [g.operation for g in problem.ghosts] == [Operation("OK1", 0, "L2", 60, 240, 180.0)]
    new = merge(problem, dispatch(problem.portfolio), "replan:dispatch")
    assert validate(world, new) == []
    frozen_ops = freeze(world, plan, 200).operations
    assert set(frozen_ops) <= set(new.operations)
    assert all(op.start >= 200 for op in set(new.operations) - set(frozen_ops))


def test_outage_moves_operations_out_of_it() -> None:
    p = portfolio(generator=False)
    plan = hand_plan(p)
    world = with_outage(p, "P1", Window(400, 580), 400)  # 3 h, no generator
    first, final = replan_plan(world, plan, 400, ["P1"], "dispatch")
    assert final is first
    assert validate(world, first.plan) == []
    moved = [op for op in first.plan.operations if op.order_id == "OA1" and op.start >= 400]
    assert moved and all(op.start >= 580 for op in moved)
    assert sum(op.quantity for op in first.plan.operations if op.order_id == "OA1") == 240.0
    before = [op for op in plan.operations if op.end <= 400]
    assert set(before) <= set(first.plan.operations)


def test_a_running_batch_the_outage_cannot_carry_is_made_again() -> None:
    p = portfolio(generator=False)
    world = with_outage(p, "P1", Window(200, 380), 200)
    problem = prepare(world, hand_plan(p), 200, "P1")
    with pytest.raises(GhostError):
        merge(problem, dispatch(problem.portfolio), "replan:dispatch")
    first, _ = replan_plan(world, hand_plan(p), 200, ["P1"], "dispatch")
    assert validate(world, first.plan) == []
    fire = [op for op in first.plan.operations if op.order_id == "OK1" and op.step == 0]
    assert len(fire) == 1 and fire[0].start >= 380
    assert any("made again" in n for n in first.plan.notes)


def test_plants_of_the_same_block_are_replanned_too() -> None:
    p = portfolio(neighbour=True)
    plan = hand_plan(p)
    outage = Window(400, 580)
    world = with_outage(p, "P1", outage, 400)
    assert affected_plants(world, plan, "P1", outage) == ["P1", "P2"]
    first, _ = replan_plan(world, plan, 400, ["P1", "P2"], "dispatch")
    assert validate(world, first.plan) == []
    saw = [op for op in first.plan.operations if op.line_id == "L9"]
    assert sum(op.quantity for op in saw) == pytest.approx(600.0)
    assert all(op.end <= 400 or op.start >= 580 for op in saw)


def test_optimised_phase_is_valid_and_never_worse() -> None:
    p = portfolio()
    world = with_outage(p, "P1", Window(200, 380), 200)
    first, final = replan_plan(world, hand_plan(p), 200, ["P1"], "optimise", time_limit=2.0)
    assert validate(world, final.plan) == []
    assert final.plan.value >= first.plan.value - 1e-6
    assert final.seconds >= first.seconds


def test_a_replan_stopped_at_once_keeps_the_first_plan_marked_cancelled() -> None:
    p = portfolio(neighbour=True)
    plan = hand_plan(p)
    world = with_outage(p, "P1", Window(400, 580), 400)
    seen: list[Progress] = []
    first, final = replan_plan(world, plan, 400, ["P1", "P2"], "optimise", time_limit=2.0,
                               stop=lambda: True, progress=seen.append)  # fmt: skip
    assert final.plan.status == PlanStatus.CANCELLED
    assert validate(world, final.plan) == []
    assert replace(final.plan, status=first.plan.status, notes=first.plan.notes,
                   seconds=first.plan.seconds) == first.plan  # nothing optimised  # fmt: skip
    assert [s.fraction for s in seen] == [0.2]


def test_replan_progress_fractions_never_go_back_and_end_at_one() -> None:
    p = portfolio(neighbour=True)
    world = with_outage(p, "P1", Window(400, 580), 400)
    seen: list[Progress] = []
    _, final = replan_plan(world, hand_plan(p), 400, ["P1", "P2"], "optimise", time_limit=2.0,
                           stop=lambda: False, progress=seen.append)  # fmt: skip
    fractions = [s.fraction for s in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) == 3
    assert final.plan.status != PlanStatus.CANCELLED


def test_frozen_window_ends_at_an_outage_inside_it_and_at_the_horizon() -> None:
    from ingenio.domain import Window
    from ingenio.services.replan import frozen_end

    assert frozen_end(100, 120, None, 10_000) == 220
    assert frozen_end(100, 120, Window(150, 400), 10_000) == 150  # the outage cuts it
    assert frozen_end(100, 120, Window(50, 130), 10_000) == 100  # already dark: no window
    assert frozen_end(100, 120, Window(10, 60), 10_000) == 220  # an outage that is over
    assert frozen_end(100, 120, Window(300, 400), 10_000) == 220
    assert frozen_end(9_950, 120, None, 10_000) == 10_000
    assert frozen_end(100, 0, None, 10_000) == 100
    with pytest.raises(Exception, match="negative"):
        frozen_end(100, -1, None, 10_000)
