"""The plan validator on branches the one-rule-at-a-time tests do not reach, with whole
messages: a number in a message that is wrong must fail the test.

Uses the portfolio and good plan of ``conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ingenio.domain import (
    FuelTank,
    FuelTransfer,
    GeneratorRun,
    Operation,
    Order,
    OrderOutcome,
    OrderStatus,
    Plan,
    Portfolio,
    Product,
    Step,
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


# --- partly scheduled orders -------------------------------------------------------------


def test_partly_scheduled_order_cannot_claim_to_be_unscheduled(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # O1 keeps its mixing but loses its packing, and its outcome says "unscheduled".
    plan = swap(good_plan, "O1", 1)
    plan = set_outcome(plan, OrderOutcome("O1", OrderStatus.UNSCHEDULED, None, 0, 0.0))
    assert messages(portfolio, plan) == [
        (
            "partial-order",
            "O1",
            "order O1 has operations for steps [0] but none for steps [1] of its 2-step routing",
        ),
        (
            "outcome",
            "O1",
            "outcome of order O1 says unscheduled but the order has operations",
        ),
    ]


def test_partly_scheduled_order_is_only_a_partial_order_when_it_claims_a_completion(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # Without its last step there is no completion to check: only "not unscheduled" is.
    plan = swap(good_plan, "O1", 1)
    assert messages(portfolio, plan) == [
        (
            "partial-order",
            "O1",
            "order O1 has operations for steps [0] but none for steps [1] of its 2-step routing",
        )
    ]


def test_order_with_only_its_last_step_misses_its_first(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    plan = swap(good_plan, "O1", 0)
    assert messages(portfolio, plan) == [
        (
            "partial-order",
            "O1",
            "order O1 has operations for steps [1] but none for steps [0] of its 2-step routing",
        )
    ]


# --- setups owed by family ---------------------------------------------------------------


def with_juice(portfolio: Portfolio) -> Portfolio:
    """Adds product Z (family "drink", one step on L1: 60/h, 0 kW, 20 min setup) and
    order O5 of 10 Z, due 2880 at 1/unit."""
    z = Product("Z", "Juice", "drink", (Step("fill", ("L1",), 60.0, 0.0, 20),))
    return replace(
        portfolio,
        products=(*portfolio.products, z),
        orders=(*portfolio.orders, Order("O5", "Z", 10.0, 0, 2880, 1.0)),
    )


def juice_between(plan: Plan, start: int, end: int) -> Plan:
    plan = replace(plan, operations=(*plan.operations, Operation("O5", 0, "L1", start, end, 10.0)))
    return replace(
        plan, outcomes=(*plan.outcomes, OrderOutcome("O5", OrderStatus.ON_TIME, end, 0, 10.0))
    )


def test_first_order_of_another_family_owes_its_setup(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # O5 follows O1's mixing (family "food") on L1: 10 units = 10 min, plus 20 min setup.
    juice = with_juice(portfolio)
    assert validate(juice, juice_between(good_plan, 75, 105)) == []
    assert messages(juice, juice_between(good_plan, 75, 104)) == [
        (
            "duration",
            "O5",
            "operation O5/0 [75, 104) lasts 29 min but 10 units at 60/h plus 20 min setup "
            "need 30.00 min",
        )
    ]


def test_food_after_juice_on_the_same_line_owes_its_setup_again(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # O2's mixing [120, 240) right after O1's (same family) owes no setup; with O5's juice
    # in between, it owes its 15 min: 120 units = 120 min + 15 = 135 min, it has 120.
    plan = swap(good_plan, "O2", 0, Operation("O2", 0, "L1", 120, 240, 120.0))
    juice = with_juice(portfolio)
    assert validate(juice, replace(plan, outcomes=(*plan.outcomes,
                    OrderOutcome("O5", OrderStatus.UNSCHEDULED, None, 0, 0.0)))) == []  # fmt: skip
    assert messages(juice, juice_between(plan, 80, 110)) == [
        (
            "duration",
            "O2",
            "operation O2/0 [120, 240) lasts 120 min but 120 units at 60/h plus 15 min setup "
            "need 135.00 min",
        )
    ]


def test_same_family_operation_still_running_does_not_waive_the_setup(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # O2's mixing moved onto O1's on L1 without its setup: overlap, and the setup is owed
    # because the operation before it has not ended when it starts.
    plan = swap(good_plan, "O2", 0, Operation("O2", 0, "L1", 70, 190, 120.0))
    plan = swap(plan, "O2", 1, Operation("O2", 1, "L2", 190, 250, 120.0))
    plan = set_outcome(plan, OrderOutcome("O2", OrderStatus.ON_TIME, 250, 0, 600.0))
    rules = [(rule, subject) for rule, subject, _ in messages(portfolio, plan)]
    assert ("duration", "O2") in rules and ("line-overlap", "L1") in rules


# --- several stretches in one check: every one is reported --------------------------------


def test_depot_running_dry_twice_reports_both_times(
    make_portfolio: Callable[..., Portfolio], good_plan: Plan
) -> None:
    # D1 holds 50 L: 100 L out at 700 -> -50 L until the 400 L delivery at 1440 (350 L);
    # 400 L out at 2000 -> -50 L until the horizon end. The tank (no direct delivery but
    # 1 L) stays under its capacity: 376.75 + 1 + 400 = 777.75 L.
    portfolio = make_portfolio(depot_stock=50.0, direct_litres=1.0)
    transfers = (FuelTransfer("D1", "P1", 700, 100.0), FuelTransfer("D1", "P1", 2000, 400.0))
    assert messages(portfolio, replace(good_plan, fuel_transfers=transfers)) == [
        (
            "depot-stock",
            "D1",
            "depot D1 stock falls to -50.0 L at 2026-04-06 11:40 (minute 700) (transfers out "
            "exceed stock and deliveries by 50.0 L); negative during minutes [700, 1440)",
        ),
        (
            "depot-stock",
            "D1",
            "depot D1 stock falls to -50.0 L at 2026-04-07 09:20 (minute 2000) (transfers out "
            "exceed stock and deliveries by 50.0 L); negative during minutes [2000, 2880)",
        ),
    ]


def test_depot_running_dry_at_the_horizon_end_is_reported(
    make_portfolio: Callable[..., Portfolio], good_plan: Plan
) -> None:
    # 200 + 400 L in D1; 650 L out at the very last minute: -50 L from minute 2880.
    portfolio = make_portfolio(direct_litres=1.0)
    plan = replace(good_plan, fuel_transfers=(FuelTransfer("D1", "P1", 2880, 650.0),))
    assert messages(portfolio, plan) == [
        (
            "depot-stock",
            "D1",
            "depot D1 stock falls to -50.0 L at 2026-04-08 00:00 (minute 2880) (transfers out "
            "exceed stock and deliveries by 50.0 L); negative during minutes [2880, 2881)",
        )
    ]


def test_depot_emptied_exactly_is_fine(
    make_portfolio: Callable[..., Portfolio], good_plan: Plan
) -> None:
    plan = replace(good_plan, fuel_transfers=(FuelTransfer("D1", "P1", 700, 200.0),))
    assert validate(make_portfolio(), plan) == []


def test_tank_dipping_into_its_reserve_twice_reports_both_times(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # Tank: 300 L, reserve 100 L. G1 at 200 kW burns 0.08*200 + 0.25*200 = 66 L/h.
    # G1 [600, 645) at 60 kW burns 23.25 L -> 276.75 L; 100 L in at 700 -> 376.75 L.
    # Run A [800, 1100): 330 L -> 46.75 L, under the reserve from 800 + 276.75/1.1 =
    # minute 1051.6 (floor 1051) until the 600 L delivery at 1440 -> 646.75 L.
    # Run B [1500, 2100): 660 L -> -13.25 L, under from 1500 + 546.75/1.1 = 1997.05 (1997)
    # to the horizon end 2880.
    runs = (
        *good_plan.generator_runs,
        GeneratorRun("G1", 800, 1100, 200.0),
        GeneratorRun("G1", 1500, 2100, 200.0),
    )
    assert messages(portfolio, replace(good_plan, generator_runs=runs)) == [
        (
            "fuel-reserve",
            "P1",
            "plant P1 tank falls to 46.8 L at 2026-04-06 18:20 (minute 1100), 53.2 L into its "
            "reserve of 100.0 L; below the reserve during minutes [1051, 1440)",
        ),
        (
            "fuel-reserve",
            "P1",
            "plant P1 tank falls to -13.2 L at 2026-04-07 11:00 (minute 2100), 113.2 L into "
            "its reserve of 100.0 L; below the reserve during minutes [1997, 2880)",
        ),
    ]


def test_tank_ending_exactly_at_its_reserve_is_fine(portfolio: Portfolio, good_plan: Plan) -> None:
    # 376.75 L after the transfer at 700; 276.75 L to burn at 66 L/h is 251.59 min: a run
    # [800, 1051) burns 276.1 L and leaves 100.65 L.
    runs = (*good_plan.generator_runs, GeneratorRun("G1", 800, 1051, 200.0))
    assert validate(portfolio, replace(good_plan, generator_runs=runs)) == []


def test_generator_overlapping_two_runs_reports_each_overlap(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # [600, 645) is overlapped by [630, 700) for 15 min, which is overlapped by
    # [690, 720) for 10 min.
    runs = (
        *good_plan.generator_runs,
        GeneratorRun("G1", 630, 700, 60.0),
        GeneratorRun("G1", 690, 720, 60.0),
    )
    assert messages(portfolio, replace(good_plan, generator_runs=runs)) == [
        (
            "generator-overlap",
            "P1",
            "generator G1 runs [600, 645) and [630, 700) overlap by 15 min",
        ),
        (
            "generator-overlap",
            "P1",
            "generator G1 runs [630, 700) and [690, 720) overlap by 10 min",
        ),
    ]


def test_back_to_back_generator_runs_do_not_overlap(portfolio: Portfolio, good_plan: Plan) -> None:
    runs = (*good_plan.generator_runs, GeneratorRun("G1", 645, 700, 60.0))
    assert validate(portfolio, replace(good_plan, generator_runs=runs)) == []


def test_generator_at_exactly_its_minimum_and_rated_load_is_fine(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    for kw in (60.0, 200.0):
        plan = replace(good_plan, generator_runs=(GeneratorRun("G1", 600, 645, kw),))
        assert validate(portfolio, plan) == [], kw


def test_generator_under_its_minimum_load_says_its_range(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    plan = replace(good_plan, generator_runs=(GeneratorRun("G1", 600, 645, 59.0),))
    rules = messages(portfolio, plan)
    assert rules[0] == (
        "generator-load",
        "P1",
        "generator G1 runs at 59.0 kW during minutes [600, 645), outside its range 60.0-200.0 kW",
    )


# --- whole messages ----------------------------------------------------------------------


def test_release_message_says_how_early(portfolio: Portfolio, good_plan: Plan) -> None:
    # O2 is released at 120; mixing from 105 is 15 min early.
    plan = swap(good_plan, "O2", 0, Operation("O2", 0, "L1", 105, 240, 120.0))
    assert messages(portfolio, plan) == [
        (
            "release",
            "O2",
            "operation O2/0 [105, 240) starts 15 min before the release of order O2 (minute 120)",
        )
    ]


def test_operation_starting_at_the_release_is_fine(portfolio: Portfolio, good_plan: Plan) -> None:
    assert all(v.rule != "release" for v in validate(portfolio, good_plan))
    assert good_plan.operations[2] == Operation("O2", 0, "L1", 120, 255, 120.0)


def test_routing_order_message_says_how_early(portfolio: Portfolio, good_plan: Plan) -> None:
    # O1's mixing [10, 95) ends 5 min after its packing starts at 90.
    plan = swap(good_plan, "O1", 0, Operation("O1", 0, "L1", 10, 95, 60.0))
    assert messages(portfolio, plan) == [
        (
            "routing-order",
            "O1",
            "order O1: step 1 piece O1/1 [90, 120) starts 5 min before step 0 ends "
            "(piece O1/0 [10, 95))",
        )
    ]


def test_step_starting_as_the_previous_one_ends_is_fine(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    plan = swap(good_plan, "O1", 1, Operation("O1", 1, "L2", 75, 105, 60.0))
    plan = set_outcome(plan, OrderOutcome("O1", OrderStatus.ON_TIME, 105, 0, 600.0))
    assert validate(portfolio, plan) == []


def test_line_overlap_message_says_by_how_much(portfolio: Portfolio, good_plan: Plan) -> None:
    # O1's packing moved to [250, 280) on L2, where O2 packs [255, 315): 25 min together.
    plan = swap(good_plan, "O1", 1, Operation("O1", 1, "L2", 250, 280, 60.0))
    plan = set_outcome(plan, OrderOutcome("O1", OrderStatus.ON_TIME, 280, 0, 600.0))
    assert messages(portfolio, plan) == [
        (
            "line-overlap",
            "L2",
            "operations O1/1 [250, 280) and O2/1 [255, 315) overlap on line L2 by 25 min "
            "from 2026-04-06 04:15 (minute 255)",
        )
    ]


def test_precedence_message_says_how_early(portfolio: Portfolio, good_plan: Plan) -> None:
    orders = tuple(
        replace(o, predecessors=("O2",)) if o.id == "O1" else o for o in portfolio.orders
    )
    assert messages(replace(portfolio, orders=orders), good_plan) == [
        (
            "precedence",
            "O1",
            "order O1 starts at minute 0, 315 min before predecessor O2 is complete",
        )
    ]


def test_tank_overfilled_by_a_transfer_says_by_how_much(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # 276.75 L + 600 L delivered at 1440 = 876.75 L; 150 L more at 1500 -> 1026.75 L.
    plan = replace(good_plan, fuel_transfers=(FuelTransfer("D1", "P1", 1500, 150.0),))
    assert messages(portfolio, plan) == [
        (
            "tank-capacity",
            "P1",
            "plant P1 tank holds 1026.8 L after a transfer at 2026-04-07 01:00 (minute 1500), "
            "over its capacity of 1000.0 L by 26.8 L",
        )
    ]


def test_tank_filled_to_the_brim_is_fine(portfolio: Portfolio, good_plan: Plan) -> None:
    # 876.75 L after the delivery at 1440: 123.25 L fills it exactly.
    plan = replace(good_plan, fuel_transfers=(FuelTransfer("D1", "P1", 1500, 123.25),))
    assert validate(portfolio, plan) == []


def test_late_outcome_value_decays_with_lateness(portfolio: Portfolio, good_plan: Plan) -> None:
    # O2 completes at 315, due 300: 15 min late; value 600 * (1 - 0.1 * 15 / 1440).
    wrong = OrderOutcome("O2", OrderStatus.LATE, 315, 15, 600.0)
    assert messages(portfolio, set_outcome(good_plan, wrong)) == [
        (
            "outcome",
            "O2",
            "outcome of order O2 disagrees with its operations: value is 600.0 but should be "
            "599.375",
        )
    ]


def test_outcome_lateness_must_match(portfolio: Portfolio, good_plan: Plan) -> None:
    wrong = OrderOutcome("O2", OrderStatus.LATE, 315, 14, 600.0 * (1 - 0.1 * 15 / 1440))
    assert messages(portfolio, set_outcome(good_plan, wrong)) == [
        (
            "outcome",
            "O2",
            "outcome of order O2 disagrees with its operations: lateness is 14 but should be 15",
        )
    ]


def test_order_completed_exactly_at_its_due_time_is_on_time(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # O2 due 300: packing [240, 300) after mixing [120, 240) (setup waived after O1).
    plan = swap(good_plan, "O2", 0, Operation("O2", 0, "L1", 120, 240, 120.0))
    plan = swap(plan, "O2", 1, Operation("O2", 1, "L2", 240, 300, 120.0))
    plan = set_outcome(plan, OrderOutcome("O2", OrderStatus.ON_TIME, 300, 0, 600.0))
    assert validate(portfolio, plan) == []


def test_step_outside_the_routing_names_the_valid_steps(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    plan = replace(
        good_plan, operations=(*good_plan.operations, Operation("O1", 2, "L1", 2000, 2010, 1.0))
    )
    assert messages(portfolio, plan) == [
        (
            "reference",
            "O1",
            "operation O1/2 on line L1 [2000, 2010): step index 2 is not in the 2-step "
            "routing of product X (steps are 0..1)",
        )
    ]


def test_precedence_message_counts_from_the_order_start(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # O2 starts at 120; its new predecessor O3 ends at 660: 540 min too early.
    orders = tuple(
        replace(o, predecessors=("O3",)) if o.id == "O2" else o for o in portfolio.orders
    )
    assert messages(replace(portfolio, orders=orders), good_plan) == [
        (
            "precedence",
            "O2",
            "order O2 starts at minute 120, 540 min before predecessor O3 is complete",
        )
    ]


def test_generator_runs_without_a_tank_are_counted(portfolio: Portfolio, good_plan: Plan) -> None:
    runs = (
        *good_plan.generator_runs,
        GeneratorRun("G2", 0, 60, 40.0),
        GeneratorRun("G2", 100, 160, 40.0),
    )
    assert messages(portfolio, replace(good_plan, generator_runs=runs)) == [
        ("fuel-reserve", "P2", "plant P2 has generator runs (2) but no fuel tank")
    ]


def test_outcome_values_are_shown_to_the_millionth(portfolio: Portfolio, good_plan: Plan) -> None:
    # O4 cut on day 2 [1500, 1510): 70 min late, worth 10 * (1 - 0.1 * 70 / 1440) =
    # 9.95138888... ; the plan claims 9.9501234567.
    plan = replace(
        good_plan, operations=(*good_plan.operations, Operation("O4", 0, "L9", 1500, 1510, 10.0))
    )
    plan = set_outcome(plan, OrderOutcome("O4", OrderStatus.LATE, 1510, 70, 9.9501234567))
    assert messages(portfolio, plan) == [
        (
            "outcome",
            "O4",
            "outcome of order O4 disagrees with its operations: value is 9.950123 but should "
            "be 9.951389",
        )
    ]


def test_plant_without_solar_panels_gets_no_solar_power(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # P2 has no solar; with its grid cut to 10 kW, cutting O4 (20 kW) at 10:00 is 10 kW
    # short even in full sun.
    p1, p2 = portfolio.plants
    weak = replace(portfolio, plants=(p1, replace(p2, grid_kw=10.0)))
    plan = replace(
        good_plan, operations=(*good_plan.operations, Operation("O4", 0, "L9", 600, 610, 10.0))
    )
    plan = set_outcome(plan, OrderOutcome("O4", OrderStatus.ON_TIME, 610, 0, 10.0))
    assert messages(weak, plan) == [
        (
            "power",
            "P2",
            "plant P2 needs 20.0 kW at 2026-04-06 10:00 (minute 600) but has 10.0 kW "
            "(grid 10.0, solar 0.0, generators 0.0); short of power during minutes [600, 610)",
        )
    ]


def test_power_shortfall_quotes_its_worst_moment(portfolio: Portfolio, good_plan: Plan) -> None:
    # Grid off from 10:00, no generator. O3 mixes (100 kW) [620, 665) then packs (50 kW)
    # [665, 680). Supply is solar only: 50 kW until 11:00 (minute 660), then 20 kW.
    # Short by 50 kW [620, 660), 80 kW [660, 665), 30 kW [665, 680): one stretch, quoted
    # at its worst minute, 660.
    plan = swap(good_plan, "O3", 0, Operation("O3", 0, "L1", 620, 665, 30.0))
    plan = swap(plan, "O3", 1, Operation("O3", 1, "L2", 665, 680, 30.0))
    plan = set_outcome(plan, OrderOutcome("O3", OrderStatus.ON_TIME, 680, 0, 60.0))
    plan = replace(plan, generator_runs=())
    assert messages(portfolio, plan) == [
        (
            "power",
            "P1",
            "plant P1 needs 100.0 kW at 2026-04-06 11:00 (minute 660) but has 20.0 kW "
            "(grid off, solar 20.0, generators 0.0); short of power during minutes [620, 680)",
        )
    ]


# --- which moment a long violation quotes, and where it starts -----------------------------


def with_stock(portfolio: Portfolio, litres: float) -> Portfolio:
    """The portfolio with P1's tank starting at ``litres`` (reserve 100 L)."""
    p1, p2 = portfolio.plants
    assert p1.tank is not None
    return replace(portfolio, plants=(replace(p1, tank=replace(p1.tank, stock_l=litres)), p2))


def test_tank_burned_exactly_to_its_reserve_is_fine(portfolio: Portfolio, good_plan: Plan) -> None:
    # 300 - 23.25 = 276.75 L; 153.25 L in at 700 -> 430 L; G1 at 200 kW [800, 1100) burns
    # 66 L/h * 5 h = 330 L -> exactly the 100 L reserve.
    runs = (*good_plan.generator_runs, GeneratorRun("G1", 800, 1100, 200.0))
    plan = replace(
        good_plan, generator_runs=runs, fuel_transfers=(FuelTransfer("D1", "P1", 700, 153.25),)
    )
    assert validate(portfolio, plan) == []


def test_stock_below_the_reserve_is_not_the_plans_doing_until_it_burns(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # Tank at 50 L (reserve 100 L). Without generator runs (O3 left unscheduled) nothing
    # is wrong; once G1 burns from it [600, 645), 23.25 L, the level is 26.75 L, below
    # the reserve from the run's start until the 100 L transfer at 700.
    low = with_stock(portfolio, 50.0)
    idle = replace(
        good_plan,
        operations=tuple(op for op in good_plan.operations if op.order_id != "O3"),
        generator_runs=(),
    )
    idle = set_outcome(idle, OrderOutcome("O3", OrderStatus.UNSCHEDULED, None, 0, 0.0))
    assert validate(low, idle) == []
    assert messages(low, good_plan) == [
        (
            "fuel-reserve",
            "P1",
            # 26.75 L, a hair under in floating point (50 - 0.5167 * 45): shown as 26.7
            "plant P1 tank falls to 26.7 L at 2026-04-06 10:45 (minute 645), 73.2 L into its "
            "reserve of 100.0 L; below the reserve during minutes [600, 700)",
        )
    ]


def test_slow_burn_gives_the_minute_the_reserve_is_crossed(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # Tank at 120 L. G1 at 60 kW burns 31 L/h = 0.5167 L/min: the 20 L above the reserve
    # last 38.7 min, so the level is under it from minute 600 + 38 = 638.
    assert messages(with_stock(portfolio, 120.0), good_plan) == [
        (
            "fuel-reserve",
            "P1",
            "plant P1 tank falls to 96.8 L at 2026-04-06 10:45 (minute 645), 3.2 L into its "
            "reserve of 100.0 L; below the reserve during minutes [638, 700)",
        )
    ]


def test_depot_shortfall_quotes_its_deepest_moment(portfolio: Portfolio, good_plan: Plan) -> None:
    # D1 holds 200 L: 250 L out at 700 (-50 L), 10 L more at 800 (-60 L), until the
    # delivery at 1440.
    transfers = (FuelTransfer("D1", "P1", 700, 250.0), FuelTransfer("D1", "P1", 800, 10.0))
    assert messages(portfolio, replace(good_plan, fuel_transfers=transfers)) == [
        (
            "depot-stock",
            "D1",
            "depot D1 stock falls to -60.0 L at 2026-04-06 13:20 (minute 800) (transfers out "
            "exceed stock and deliveries by 60.0 L); negative during minutes [700, 1440)",
        )
    ]


def test_resource_shortfall_quotes_its_worst_moment(
    make_portfolio: Callable[..., Portfolio], good_plan: Plan
) -> None:
    # No crew until minute 30, then 1. O1 mixes on L1 [0, 75), O3 on L2 [0, 45): 2 units
    # held for 0 during [0, 30) (2 too many), for 1 during [30, 45) (1 too many).
    plan = swap(good_plan, "O3", 0, Operation("O3", 0, "L2", 0, 45, 30.0))
    crew = make_portfolio(resource_changes=((0, 0), (30, 1)))
    assert messages(crew, plan) == [
        (
            "resource",
            "P1",
            "resource R1 of plant P1 has 2 units held at 2026-04-06 00:00 (minute 0) but "
            "capacity 0 (held by O1/0 [0, 75), O3/0 [0, 45)); "
            "over capacity during minutes [0, 45)",
        )
    ]


def test_an_empty_generator_run_is_reported_once_as_empty(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # An empty run of P2's G2 at an impossible 500 kW: only "empty"; it burns nothing and
    # loads nothing, so no load, overlap or missing-tank violation on top.
    runs = (*good_plan.generator_runs, GeneratorRun("G2", 700, 700, 500.0))
    assert messages(portfolio, replace(good_plan, generator_runs=runs)) == [
        ("horizon", "P2", "generator G2 run [700, 700) is empty (end <= start)")
    ]


def test_each_generator_overlap_names_the_run_started_first(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # [600, 645), [610, 645) (same end) and [620, 630): both later runs overlap the first.
    runs = (
        *good_plan.generator_runs,
        GeneratorRun("G1", 610, 645, 60.0),
        GeneratorRun("G1", 620, 630, 60.0),
    )
    overlaps = [
        m
        for rule, _, m in messages(portfolio, replace(good_plan, generator_runs=runs))
        if rule == "generator-overlap"
    ]
    assert overlaps == [
        "generator G1 runs [600, 645) and [610, 645) overlap by 35 min",
        "generator G1 runs [600, 645) and [620, 630) overlap by 10 min",
    ]


def test_a_one_kilowatt_step_still_needs_power(portfolio: Portfolio, good_plan: Plan) -> None:
    # P2 without grid; Y cut at 1 kW: 1 kW short while O4 is cut.
    p1, p2 = portfolio.plants
    x, y = portfolio.products
    weak = replace(
        portfolio,
        plants=(p1, replace(p2, grid_kw=0.0)),
        products=(x, replace(y, routing=(replace(y.routing[0], power_kw=1.0),))),
    )
    plan = replace(
        good_plan, operations=(*good_plan.operations, Operation("O4", 0, "L9", 600, 610, 10.0))
    )
    plan = set_outcome(plan, OrderOutcome("O4", OrderStatus.ON_TIME, 610, 0, 10.0))
    assert messages(weak, plan) == [
        (
            "power",
            "P2",
            "plant P2 needs 1.0 kW at 2026-04-06 10:00 (minute 600) but has 0.0 kW "
            "(grid 0.0, solar 0.0, generators 0.0); short of power during minutes [600, 610)",
        )
    ]


def test_reserve_stretch_over_two_runs_quotes_its_lowest_level(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # 376.75 L after the transfer at 700; G1 at 200 kW (1.1 L/min) [800, 1080) then
    # [1080, 1100): 68.75 L at 1080, 46.75 L at 1100, under the reserve from minute 1051
    # (800 + 276.75 / 1.1 = 1051.6) to the delivery at 1440. Quoted at its lowest, 1100.
    runs = (
        *good_plan.generator_runs,
        GeneratorRun("G1", 800, 1080, 200.0),
        GeneratorRun("G1", 1080, 1100, 200.0),
    )
    assert messages(portfolio, replace(good_plan, generator_runs=runs)) == [
        (
            "fuel-reserve",
            "P1",
            "plant P1 tank falls to 46.8 L at 2026-04-06 18:20 (minute 1100), 53.2 L into its "
            "reserve of 100.0 L; below the reserve during minutes [1051, 1440)",
        )
    ]


def test_resource_holders_are_those_running_at_the_quoted_minute(
    make_portfolio: Callable[..., Portfolio], good_plan: Plan
) -> None:
    # Crew R1: 1 unit, none from minute 30. O1 mixes on L1 [0, 75); O3 mixes on L2 in two
    # pieces [0, 30) (15 units + 15 setup) and [30, 55) (15 units + 10 restart). Worst at
    # minute 30 (2 held, 0 available): held by O1 and O3's second piece, not its first,
    # which ended at 30. O2's mixing [120, 255) is a second stretch.
    plan = swap(
        good_plan,
        "O3",
        0,
        Operation("O3", 0, "L2", 0, 30, 15.0),
        Operation("O3", 0, "L2", 30, 55, 15.0),
    )
    assert messages(make_portfolio(resource_changes=((30, 0),)), plan) == [
        (
            "resource",
            "P1",
            "resource R1 of plant P1 has 2 units held at 2026-04-06 00:30 (minute 30) but "
            "capacity 0 (held by O1/0 [0, 75), O3/0 [30, 55)); "
            "over capacity during minutes [0, 75)",
        ),
        (
            "resource",
            "P1",
            "resource R1 of plant P1 has 1 units held at 2026-04-06 02:00 (minute 120) but "
            "capacity 0 (held by O2/0 [120, 255)); over capacity during minutes [120, 255)",
        ),
    ]


def test_shortfall_eased_midway_by_a_generator_is_one_stretch_to_its_last_minute(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # P2 without grid but with a full tank, Y cut at 1,000 kW. O4 cut [600, 610); G2
    # starts at 605 at its rated 50 kW: short by 1,000 kW [600, 605), then by 950 kW
    # [605, 610). The two touching segments are one stretch, [600, 610), quoted at its
    # worst minute, 600 (it ends at its last short minute, 610, whatever the kW short).
    p1, p2 = portfolio.plants
    x, y = portfolio.products
    weak = replace(
        portfolio,
        plants=(p1, replace(p2, grid_kw=0.0, tank=FuelTank(1000.0, 500.0, 0.0))),
        products=(x, replace(y, routing=(replace(y.routing[0], power_kw=1000.0),))),
    )
    plan = replace(
        good_plan,
        operations=(*good_plan.operations, Operation("O4", 0, "L9", 600, 610, 10.0)),
        generator_runs=(*good_plan.generator_runs, GeneratorRun("G2", 605, 610, 50.0)),
    )
    plan = set_outcome(plan, OrderOutcome("O4", OrderStatus.ON_TIME, 610, 0, 10.0))
    assert messages(weak, plan) == [
        (
            "power",
            "P2",
            "plant P2 needs 1000.0 kW at 2026-04-06 10:00 (minute 600) but has 0.0 kW "
            "(grid 0.0, solar 0.0, generators 0.0); short of power during minutes [600, 610)",
        )
    ]
