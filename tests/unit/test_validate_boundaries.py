"""The plan validator at the edges of its rules: both sides of every boundary.

Uses the portfolio and good plan of ``conftest.py`` (horizon 2 days = minutes [0, 2880],
Havana local time = minute offset from 2026-04-06 00:00). Each pair of tests shows the
last allowed value passes and the first forbidden one fails, with the whole message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ingenio.domain import (
    FuelTransfer,
    GeneratorRun,
    Operation,
    OrderOutcome,
    OrderStatus,
    Plan,
    Portfolio,
)
from ingenio.validate import validate


def swap(plan: Plan, order_id: str, step: int, *new: Operation) -> Plan:
    """The plan with the operation of ``(order_id, step)`` replaced by ``new``."""
    ops = [op for op in plan.operations if (op.order_id, op.step) != (order_id, step)]
    assert len(ops) == len(plan.operations) - 1
    return replace(plan, operations=(*ops, *new))


def set_outcome(plan: Plan, outcome: OrderOutcome) -> Plan:
    rest = tuple(o for o in plan.outcomes if o.order_id != outcome.order_id)
    return replace(plan, outcomes=(*rest, outcome))


def messages(portfolio: Portfolio, plan: Plan) -> list[tuple[str, str, str]]:
    return [(v.rule, v.subject, v.message) for v in validate(portfolio, plan)]


def with_o4(plan: Plan, start: int, end: int) -> Plan:
    """O4 (10 planks, 10 min on L9, due 1440, 1/unit, 10 %/day decay) cut in [start, end)."""
    late = max(0, end - 1440)
    value = 10.0 * max(0.0, 1 - 0.1 * late / 1440)
    status = OrderStatus.LATE if late else OrderStatus.ON_TIME
    plan = replace(plan, operations=(*plan.operations, Operation("O4", 0, "L9", start, end, 10.0)))
    return set_outcome(plan, OrderOutcome("O4", status, end, late, value))


# --- horizon: operations, runs and transfers ------------------------------------------------


def test_operation_ending_exactly_at_the_horizon_end_is_inside(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # [2870, 2880) ends at the horizon end 2880: late by 1440 min, value 10 * 0.9 = 9.
    assert validate(portfolio, with_o4(good_plan, 2870, 2880)) == []


def test_operation_one_minute_past_the_horizon_end_is_reported(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # [2871, 2881): outside [0, 2880], and 1 min past L9's only (merged) shift [0, 2880).
    assert messages(portfolio, with_o4(good_plan, 2871, 2881)) == [
        (
            "horizon",
            "O4",
            "operation O4/0 on line L9 [2871, 2881) is outside the horizon [0, 2880]",
        ),
        (
            "shift",
            "O4",
            "operation O4/0 [2871, 2881) on line L9 from 2026-04-07 23:51 (minute 2871) "
            "runs 1 min past the end of shift [0, 2880)",
        ),
    ]


def test_operation_starting_before_minute_zero_is_reported(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # [-5, 5): before the horizon, before L9's first shift and 5 min before O4's release.
    assert messages(portfolio, with_o4(good_plan, -5, 5)) == [
        ("horizon", "O4", "operation O4/0 on line L9 [-5, 5) is outside the horizon [0, 2880]"),
        (
            "shift",
            "O4",
            "operation O4/0 [-5, 5) on line L9 from 2026-04-05 23:55 (minute -5) "
            "starts outside the shifts; the next one is [0, 2880)",
        ),
        (
            "release",
            "O4",
            "operation O4/0 [-5, 5) starts 5 min before the release of order O4 (minute 0)",
        ),
    ]


def test_operation_starting_at_minute_zero_is_inside(portfolio: Portfolio, good_plan: Plan) -> None:
    assert validate(portfolio, with_o4(good_plan, 0, 10)) == []


def test_generator_run_ending_at_the_horizon_end_is_inside(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # 60 kW for an hour burns 31 L; the tank holds 976.75 L by then.
    runs = (*good_plan.generator_runs, GeneratorRun("G1", 2820, 2880, 60.0))
    assert validate(portfolio, replace(good_plan, generator_runs=runs)) == []


def test_generator_run_past_the_horizon_end_is_reported(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    runs = (*good_plan.generator_runs, GeneratorRun("G1", 2821, 2881, 60.0))
    assert messages(portfolio, replace(good_plan, generator_runs=runs)) == [
        ("horizon", "P1", "generator G1 run [2821, 2881) is outside the horizon [0, 2880]")
    ]


def test_generator_run_before_minute_zero_is_reported(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    runs = (*good_plan.generator_runs, GeneratorRun("G1", -1, 30, 60.0))
    assert messages(portfolio, replace(good_plan, generator_runs=runs)) == [
        ("horizon", "P1", "generator G1 run [-1, 30) is outside the horizon [0, 2880]")
    ]


def test_one_minute_generator_run_is_not_empty(portfolio: Portfolio, good_plan: Plan) -> None:
    runs = (*good_plan.generator_runs, GeneratorRun("G1", 700, 701, 60.0))
    assert validate(portfolio, replace(good_plan, generator_runs=runs)) == []


def test_backwards_generator_run_is_empty(portfolio: Portfolio, good_plan: Plan) -> None:
    runs = (*good_plan.generator_runs, GeneratorRun("G1", 701, 700, 60.0))
    assert messages(portfolio, replace(good_plan, generator_runs=runs)) == [
        ("horizon", "P1", "generator G1 run [701, 700) is empty (end <= start)")
    ]


def test_fuel_transfer_at_the_horizon_end_is_inside(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = replace(good_plan, fuel_transfers=(FuelTransfer("D1", "P1", 2880, 100.0),))
    assert validate(portfolio, plan) == []


def test_fuel_transfer_at_minute_zero_is_inside(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = replace(good_plan, fuel_transfers=(FuelTransfer("D1", "P1", 0, 100.0),))
    assert validate(portfolio, plan) == []


def test_fuel_transfer_a_minute_outside_the_horizon_is_reported(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    transfers = (FuelTransfer("D1", "P1", 2881, 10.0), FuelTransfer("D1", "P1", -1, 10.0))
    assert messages(portfolio, replace(good_plan, fuel_transfers=transfers)) == [
        (
            "horizon",
            "P1",
            "fuel transfer from D1 to P1 at minute 2881 is outside the horizon [0, 2880]",
        ),
        (
            "horizon",
            "P1",
            "fuel transfer from D1 to P1 at minute -1 is outside the horizon [0, 2880]",
        ),
    ]


# --- shifts ------------------------------------------------------------------------------


def pack_o3_on_l3(plan: Plan, start: int) -> Plan:
    """O3's 15-min packing moved to the day packer L3 at ``start`` (due 2880: on time)."""
    plan = swap(plan, "O3", 1, Operation("O3", 1, "L3", start, start + 15, 30.0))
    return set_outcome(plan, OrderOutcome("O3", OrderStatus.ON_TIME, start + 15, 0, 60.0))


def test_operation_ending_as_the_shift_ends_is_inside(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # L3 works [360, 1080) and [1800, 2520).
    assert validate(portfolio, pack_o3_on_l3(good_plan, 1065)) == []
    assert validate(portfolio, pack_o3_on_l3(good_plan, 2505)) == []


def test_operation_running_past_its_shift_says_by_how_much(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    assert messages(portfolio, pack_o3_on_l3(good_plan, 1070)) == [
        (
            "shift",
            "O3",
            "operation O3/1 [1070, 1085) on line L3 from 2026-04-06 17:50 (minute 1070) "
            "runs 5 min past the end of shift [360, 1080)",
        )
    ]


def test_operation_between_two_shifts_names_the_next_shift(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # 1200 = 20:00 on day 1, after the first shift of L3 ended at 1080.
    assert messages(portfolio, pack_o3_on_l3(good_plan, 1200)) == [
        (
            "shift",
            "O3",
            "operation O3/1 [1200, 1215) on line L3 from 2026-04-06 20:00 (minute 1200) "
            "starts outside the shifts; the next one is [1800, 2520)",
        )
    ]


def test_operation_after_the_last_shift_of_its_line_is_reported(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # 2600 = 19:20 on day 2, after L3's last shift [1800, 2520): no next shift to name.
    assert messages(portfolio, pack_o3_on_l3(good_plan, 2600)) == [
        (
            "shift",
            "O3",
            "operation O3/1 [2600, 2615) on line L3 from 2026-04-07 19:20 (minute 2600) "
            "starts after the last shift of the line",
        )
    ]


def test_operation_at_the_start_of_a_shift_is_inside(portfolio: Portfolio, good_plan: Plan) -> None:
    assert validate(portfolio, pack_o3_on_l3(good_plan, 1800)) == []


def test_operation_a_minute_before_its_shift_starts_is_reported(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    assert messages(portfolio, pack_o3_on_l3(good_plan, 1799)) == [
        (
            "shift",
            "O3",
            "operation O3/1 [1799, 1814) on line L3 from 2026-04-07 05:59 (minute 1799) "
            "starts outside the shifts; the next one is [1800, 2520)",
        )
    ]


# --- resource capacity changing in the middle of the horizon ------------------------------


def test_crew_leaving_mid_horizon_breaks_every_operation_that_needs_it(
    make_portfolio: Callable[..., Portfolio], good_plan: Plan
) -> None:
    # R1 has 1 unit until minute 60, then 0. Mixing holds 1 unit: O1 [0, 75) is short of
    # it during [60, 75) only; O2 [120, 255) and O3 [600, 645) during their whole run.
    # Three separate stretches: three violations, none lost.
    capacity_0 = make_portfolio(resource_changes=((60, 0),))
    assert messages(capacity_0, good_plan) == [
        (
            "resource",
            "P1",
            "resource R1 of plant P1 has 1 units held at 2026-04-06 01:00 (minute 60) but "
            "capacity 0 (held by O1/0 [0, 75)); over capacity during minutes [60, 75)",
        ),
        (
            "resource",
            "P1",
            "resource R1 of plant P1 has 1 units held at 2026-04-06 02:00 (minute 120) but "
            "capacity 0 (held by O2/0 [120, 255)); over capacity during minutes [120, 255)",
        ),
        (
            "resource",
            "P1",
            "resource R1 of plant P1 has 1 units held at 2026-04-06 10:00 (minute 600) but "
            "capacity 0 (held by O3/0 [600, 645)); over capacity during minutes [600, 645)",
        ),
    ]


def test_crew_leaving_as_the_last_operation_ends_is_fine(
    make_portfolio: Callable[..., Portfolio], good_plan: Plan
) -> None:
    # O3's mixing, the last to need R1, ends at 645: capacity 0 from then on is enough.
    assert validate(make_portfolio(resource_changes=((645, 0),)), good_plan) == []
    # One minute earlier and O3 is a minute short of its crew.
    (v,) = validate(make_portfolio(resource_changes=((644, 0),)), good_plan)
    assert v.message.endswith("over capacity during minutes [644, 645)")


def test_second_crew_unit_counts_only_from_the_minute_it_arrives(
    make_portfolio: Callable[..., Portfolio], good_plan: Plan
) -> None:
    # O3 mixed on day 2 (grid on, no generator needed) in two pieces side by side: 10 units
    # on L1 [1500, 1525) (10 + 15 setup) and 20 on L2 [1500, 1530) (20 + 10 restart), both
    # holding one unit of R1. With 2 units from 1440 that is fine; from 1501, the first
    # minute has 2 units held for a capacity of 1.
    plan = swap(
        good_plan,
        "O3",
        0,
        Operation("O3", 0, "L1", 1500, 1525, 10.0),
        Operation("O3", 0, "L2", 1500, 1530, 20.0),
    )
    plan = swap(plan, "O3", 1, Operation("O3", 1, "L2", 1530, 1545, 30.0))
    plan = set_outcome(plan, OrderOutcome("O3", OrderStatus.ON_TIME, 1545, 0, 60.0))
    plan = replace(plan, generator_runs=())
    assert validate(make_portfolio(resource_changes=((1440, 2),)), plan) == []
    assert validate(make_portfolio(resource_changes=((1500, 2),)), plan) == []
    assert messages(make_portfolio(resource_changes=((1501, 2),)), plan) == [
        (
            "resource",
            "P1",
            "resource R1 of plant P1 has 2 units held at 2026-04-07 01:00 (minute 1500) but "
            "capacity 1 (held by O3/0 [1500, 1525), O3/0 [1500, 1530)); "
            "over capacity during minutes [1500, 1501)",
        )
    ]


# --- a hair short ------------------------------------------------------------------------


def test_quantity_a_hair_short_beyond_tolerance_is_reported(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    plan = swap(good_plan, "O1", 1, Operation("O1", 1, "L2", 90, 120, 59.999))
    assert messages(portfolio, plan) == [
        (
            "quantity",
            "O1",
            "order O1 step 1: pieces make 59.999 units, the order asks for 60 (-0.001)",
        )
    ]


def test_quantity_a_hair_short_within_tolerance_is_accepted(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    plan = swap(good_plan, "O1", 1, Operation("O1", 1, "L2", 90, 120, 60.0 * (1 - 1e-9)))
    assert validate(portfolio, plan) == []


def test_pieces_that_add_up_to_the_quantity_pass(portfolio: Portfolio, good_plan: Plan) -> None:
    # O3's mix in two pieces of 10 + 20 units: 10 + 15 setup, then 20 + 10 restart.
    plan = swap(
        good_plan,
        "O3",
        0,
        Operation("O3", 0, "L1", 600, 625, 10.0),
        Operation("O3", 0, "L1", 625, 655, 20.0),
    )
    plan = swap(plan, "O3", 1, Operation("O3", 1, "L2", 655, 670, 30.0))
    plan = set_outcome(plan, OrderOutcome("O3", OrderStatus.ON_TIME, 670, 0, 60.0))
    plan = replace(plan, generator_runs=(GeneratorRun("G1", 600, 670, 60.0),))
    assert validate(portfolio, plan) == []


def test_piece_a_minute_short_of_work_and_setup_is_reported(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    plan = swap(good_plan, "O1", 0, Operation("O1", 0, "L1", 0, 74, 60.0))
    assert messages(portfolio, plan) == [
        (
            "duration",
            "O1",
            "operation O1/0 [0, 74) lasts 74 min but 60 units at 60/h plus 15 min setup "
            "need 75.00 min",
        )
    ]


def test_duration_a_hair_over_is_accepted_within_tolerance(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # 60.00001 units need 75.00001 min: 1e-5 min over 75 is within 1e-6 relative.
    plan = swap(good_plan, "O1", 0, Operation("O1", 0, "L1", 0, 75, 60.00001))
    plan = swap(plan, "O1", 1, Operation("O1", 1, "L2", 90, 120, 60.00001))
    assert validate(portfolio, plan) == []


def test_later_piece_a_minute_short_of_its_restart_is_reported(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # Second piece: 15 units (15 min) + 10 min restart = 25 min, but it lasts 24.
    plan = swap(
        good_plan,
        "O3",
        0,
        Operation("O3", 0, "L1", 600, 630, 15.0),
        Operation("O3", 0, "L1", 630, 654, 15.0),
    )
    plan = swap(plan, "O3", 1, Operation("O3", 1, "L2", 654, 669, 30.0))
    plan = set_outcome(plan, OrderOutcome("O3", OrderStatus.ON_TIME, 669, 0, 60.0))
    plan = replace(plan, generator_runs=(GeneratorRun("G1", 600, 669, 60.0),))
    assert messages(portfolio, plan) == [
        (
            "duration",
            "O3",
            "operation O3/0 [630, 654) lasts 24 min but 15 units at 60/h plus 10 min restart "
            "need 25.00 min",
        )
    ]


def test_operation_starting_as_its_shift_ends_is_outside_it(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # L3's first shift is [1080 excluded): a packing from 1080 waits for the next shift.
    assert messages(portfolio, pack_o3_on_l3(good_plan, 1080)) == [
        (
            "shift",
            "O3",
            "operation O3/1 [1080, 1095) on line L3 from 2026-04-06 18:00 (minute 1080) "
            "starts outside the shifts; the next one is [1800, 2520)",
        )
    ]


def test_same_family_order_right_after_another_owes_no_setup(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # O3's mixing starts on L1 at 75, the minute O1's mixing (same family) ends: 30 units
    # in 30 min, no setup; packed on L2 [120, 135) after O1's packing.
    plan = swap(good_plan, "O3", 0, Operation("O3", 0, "L1", 75, 105, 30.0))
    plan = swap(plan, "O3", 1, Operation("O3", 1, "L2", 120, 135, 30.0))
    plan = set_outcome(plan, OrderOutcome("O3", OrderStatus.ON_TIME, 135, 0, 60.0))
    assert validate(portfolio, plan) == []


def test_transfer_of_half_a_litre_is_positive(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = replace(good_plan, fuel_transfers=(FuelTransfer("D1", "P1", 700, 0.5),))
    assert validate(portfolio, plan) == []


def test_each_overlap_names_the_operation_started_first(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # On L2, O1 packs [90, 120); O3 is crammed in: packing [100, 120) (same end as O1's)
    # and mixing [110, 155). Two overlaps, each reported against the earliest-started
    # operation still running: O1/1 by 20 min from 100, and O1/1 again by 10 min from 110.
    plan = swap(good_plan, "O3", 1, Operation("O3", 1, "L2", 100, 120, 30.0))
    plan = swap(plan, "O3", 0, Operation("O3", 0, "L2", 110, 155, 30.0))
    overlaps = [m for rule, _, m in messages(portfolio, plan) if rule == "line-overlap"]
    assert overlaps == [
        "operations O1/1 [90, 120) and O3/1 [100, 120) overlap on line L2 by 20 min "
        "from 2026-04-06 01:40 (minute 100)",
        "operations O1/1 [90, 120) and O3/0 [110, 155) overlap on line L2 by 10 min "
        "from 2026-04-06 01:50 (minute 110)",
    ]
