"""Edges of the rules ``battery-flow`` and ``battery-soc``, checked by hand.

The portfolio is that of ``tests/battery_portfolios.py``: plant P, a 100 kW grid, one
line whose step draws 100 kW, a 3-hour outage [240, 420) and battery BAT of 250 kWh
(floor 50 kWh, 120 kW out, 50 kW in, efficiency 0.9). The horizon is [0, 1440].
Every test asserts whole messages, so a changed number or minute shows.
"""

from __future__ import annotations

from dataclasses import replace

from battery_portfolios import BAT, build
from test_battery_rules import hand_plan
from test_generator_starts import build as starts_portfolio
from test_islanding import build as solar_portfolio

from ingenio.domain import (
    BatteryFlow,
    FuelTank,
    GeneratorRun,
    Operation,
    Plan,
    Portfolio,
    PowerSource,
    Solar,
)
from ingenio.planning.dispatch import dispatch
from ingenio.validate import validate
from ingenio.validate.energy import TOL

HALF = replace(BAT, initial_soc=0.5)  # 125 kWh: room to charge
BASE = BatteryFlow("BAT", 240, 360, 100.0)  # the 200 kWh above the floor, in the outage


def found(plan: Plan, **plant: object) -> list[tuple[str, str, str]]:
    """``(rule, subject, message)`` of the violations of ``plan`` on the 3-hour portfolio."""
    return [(v.rule, v.subject, v.message) for v in validate(build(180, **plant), plan)]


def charge_source(plan: Plan, **plant: object) -> list[str]:
    """Messages of ``battery-flow`` (the step [0, 360) also breaks ``power`` in the outage)."""
    return [m for rule, _, m in found(plan, **plant) if rule == "battery-flow"]


def test_a_flow_of_zero_length_is_refused_one_of_a_minute_is_not() -> None:
    empty = hand_plan(0, 360, BASE, BatteryFlow("BAT", 1000, 1000, -10.0))
    assert found(empty) == [
        ("battery-flow", "P", "battery BAT flow of -10.0 kW [1000, 1000) is empty")
    ]
    minute = hand_plan(0, 360, BASE, BatteryFlow("BAT", 1000, 1001, -10.0))
    assert found(minute) == []


def test_a_flow_ending_at_the_horizon_end_is_inside_a_minute_later_is_not() -> None:
    inside = hand_plan(0, 360, BASE, BatteryFlow("BAT", 1380, 1440, -10.0))
    assert found(inside) == []
    late = hand_plan(0, 360, BASE, BatteryFlow("BAT", 1381, 1441, -10.0))
    assert found(late) == [
        (
            "battery-flow",
            "P",
            "battery BAT flow of -10.0 kW [1381, 1441) is outside the horizon [0, 1440]",
        )
    ]


def test_a_discharge_exactly_at_the_limit_plus_tolerance_is_allowed() -> None:
    at = replace(BAT, power_kw=100.0)
    plan = hand_plan(0, 360, BatteryFlow("BAT", 240, 360, 100.0 + TOL))
    assert found(plan, batteries=(at,)) == []
    over = hand_plan(0, 360, BatteryFlow("BAT", 240, 360, 100.0 + 3 * TOL))
    assert found(over, batteries=(at,)) == [
        (
            "battery-flow",
            "P",
            "battery BAT flow of 100.0 kW [240, 360) is over its discharge limit of 100.0 kW",
        )
    ]


def test_a_small_discharge_is_held_to_the_discharge_limit_not_the_charge_limit() -> None:
    # charge_kw 0.5 kW, floor 25 kWh: a 1 kW discharge is within power_kw (120 kW).
    slow = replace(BAT, charge_kw=0.5, min_soc=0.1)
    plan = hand_plan(0, 360, BASE, BatteryFlow("BAT", 1000, 1060, 1.0))
    assert found(plan, batteries=(slow,)) == []


def test_a_battery_charged_exactly_full_is_not_over_its_capacity_a_bit_more_is() -> None:
    # After the outage, 50 kW in for an hour stores 45 kWh: from 205 kWh, exactly 250.
    plan = hand_plan(420, 780, BatteryFlow("BAT", 0, 60, -50.0))
    assert found(plan, batteries=(replace(BAT, initial_soc=0.82),)) == []
    # From 207.5 kWh it holds 252.5 kWh; full after 56.7 minutes, so from minute 56.
    assert found(plan, batteries=(replace(BAT, initial_soc=0.83),)) == [
        (
            "battery-soc",
            "P",
            "battery BAT of plant P holds 252.5 kWh at 2026-04-06 01:00 (minute 60), over "
            "its capacity of 250.0 kWh; outside its bounds during minutes [56, 60)",
        )
    ]


def test_a_tenth_of_a_watt_hour_over_full_is_within_the_tolerance() -> None:
    # Tolerance is a millionth of the capacity: 0.25 Wh on 250 kWh; 0.1 Wh over passes.
    plan = hand_plan(420, 780, BatteryFlow("BAT", 0, 60, -50.0))
    assert found(plan, batteries=(replace(BAT, initial_soc=205.0001 / 250),)) == []


def test_a_battery_emptied_exactly_to_its_floor_is_valid_a_minute_more_is_not() -> None:
    assert found(hand_plan(0, 360, BASE)) == []
    # 100 kW for 121 minutes: 201.7 kWh from 200 above the floor; empty from minute 360.
    longer = hand_plan(0, 360, BatteryFlow("BAT", 240, 361, 100.0))
    assert found(longer) == [
        (
            "battery-soc",
            "P",
            "battery BAT of plant P falls to 48.3 kWh at 2026-04-06 06:01 (minute 361), "
            "under its floor of 50.0 kWh (min_soc 0.2): empty from 2026-04-06 06:00 "
            "(minute 360); outside its bounds during minutes [360, 361)",
        )
    ]


def test_a_slow_discharge_empties_the_battery_when_it_reaches_the_floor() -> None:
    # 51 kWh, floor 50: 1 kW out from minute 420 reaches the floor at minute 480.
    low = replace(BAT, initial_soc=0.204)
    plan = hand_plan(420, 780, BatteryFlow("BAT", 420, 540, 1.0))
    assert found(plan, batteries=(low,)) == [
        (
            "battery-soc",
            "P",
            "battery BAT of plant P falls to 49.0 kWh at 2026-04-06 09:00 (minute 540), "
            "under its floor of 50.0 kWh (min_soc 0.2): empty from 2026-04-06 08:00 "
            "(minute 480); outside its bounds during minutes [480, 540)",
        )
    ]


def test_charging_counts_efficiency_and_discharging_does_not() -> None:
    # 10 kW in for an hour stores 9 kWh; 9 kW out for an hour takes 9 kWh: from 241 kWh
    # the battery is full at minute 60 and back to 241 kWh at minute 120.
    start = replace(BAT, initial_soc=241 / 250)
    flows = (BatteryFlow("BAT", 0, 60, -10.0), BatteryFlow("BAT", 60, 120, 9.0))
    assert found(hand_plan(420, 780, *flows), batteries=(start,)) == []
    over = (BatteryFlow("BAT", 0, 60, -11.0), BatteryFlow("BAT", 60, 120, 9.0))
    assert found(hand_plan(420, 780, *over), batteries=(start,)) == [
        (
            "battery-soc",
            "P",
            "battery BAT of plant P holds 250.9 kWh at 2026-04-06 01:00 (minute 60), over "
            "its capacity of 250.0 kWh; outside its bounds during minutes [54, 60)",
        )
    ]


def test_a_battery_may_charge_from_what_the_grid_leaves_after_the_load() -> None:
    # Minute [0, 60): the step draws 100 kW. A 150 kW grid leaves 50 kW, all it takes.
    plan = hand_plan(0, 360, BatteryFlow("BAT", 0, 60, -50.0))
    assert charge_source(plan, grid_kw=150.0, batteries=(HALF,)) == []
    # The tolerance is inclusive: 50 kW + 1e-6 kW is still what is left.
    tol = hand_plan(0, 360, BatteryFlow("BAT", 0, 60, -(50.0 + TOL)))
    assert charge_source(tol, grid_kw=150.0, batteries=(HALF,)) == []
    assert charge_source(plan, grid_kw=149.0, batteries=(HALF,)) == [
        "plant P: batteries without generator charging take 50.0 kW at 2026-04-06 00:00 "
        "(minute 0) but only 49.0 kW of grid, solar and battery power is left after the "
        "load; charging from generators during minutes [0, 60)"
    ]


def test_half_a_kilowatt_of_charge_is_too_much_when_the_load_takes_all_the_grid() -> None:
    plan = hand_plan(0, 360, BatteryFlow("BAT", 0, 60, -0.5))
    assert charge_source(plan, batteries=(HALF,)) == [
        "plant P: batteries without generator charging take 0.5 kW at 2026-04-06 00:00 "
        "(minute 0) but only 0.0 kW of grid, solar and battery power is left after the "
        "load; charging from generators during minutes [0, 60)"
    ]


def test_in_an_outage_even_a_small_charge_has_no_grid_to_come_from() -> None:
    plan = hand_plan(0, 240, BatteryFlow("BAT", 240, 300, -0.5))
    assert charge_source(plan, batteries=(HALF,)) == [
        "plant P: batteries without generator charging take 0.5 kW at 2026-04-06 04:00 "
        "(minute 240) but only 0.0 kW of grid, solar and battery power is left after the "
        "load; charging from generators during minutes [240, 300)"
    ]


def test_after_the_outage_the_grid_is_back_for_charging() -> None:
    plan = hand_plan(0, 360, BASE, BatteryFlow("BAT", 420, 480, -50.0))
    assert charge_source(plan) == []


def test_one_battery_may_charge_from_another_discharging() -> None:
    # The load takes the whole grid; B2 gives 50 kW that BAT takes.
    b2 = replace(BAT, id="B2", generator_charging=True)
    flows = (BatteryFlow("BAT", 0, 60, -50.0), BatteryFlow("B2", 0, 60, 50.0))
    assert charge_source(hand_plan(0, 360, *flows), batteries=(HALF, b2)) == []


def test_a_battery_may_charge_from_the_sun_left_after_the_load() -> None:
    # The load takes the whole grid; 80 kW of solar leaves 80 kW for charging.
    plan = hand_plan(0, 360, BatteryFlow("BAT", 0, 60, -50.0))
    sun = Solar((80.0,) * 24, True)
    assert charge_source(plan, batteries=(HALF,), solar=sun) == []


def test_a_flow_of_an_unknown_battery_is_reported_once_and_not_simulated() -> None:
    plan = hand_plan(0, 360, BASE, BatteryFlow("NOPE", 240, 360, 100.0))
    assert found(plan) == [
        ("battery-flow", "NOPE", "battery NOPE flow of 100.0 kW [240, 360) names unknown battery")
    ]


def test_a_battery_discharging_half_a_kilowatt_is_not_another_charging_less() -> None:
    # Both without generator charging: B2's 0.5 kW out is power for BAT, not less charge.
    b2 = replace(BAT, id="B2")
    flows = (BatteryFlow("BAT", 0, 60, -1.0), BatteryFlow("B2", 0, 60, 0.5))
    assert charge_source(hand_plan(0, 360, *flows), batteries=(HALF, b2)) == [
        "plant P: batteries without generator charging take 1.0 kW at 2026-04-06 00:00 "
        "(minute 0) but only 0.5 kW of grid, solar and battery power is left after the "
        "load; charging from generators during minutes [0, 60)"
    ]


def test_an_empty_stretch_is_told_at_its_lowest_energy() -> None:
    # Exactly at the floor at minute 360, then 60 kW for 10 minutes (40 kWh) and 30 kW
    # for 10 more (35 kWh): one stretch [360, 380), told where it is lowest.
    flows = (BASE, BatteryFlow("BAT", 360, 370, 60.0), BatteryFlow("BAT", 370, 380, 30.0))
    assert found(hand_plan(0, 360, *flows)) == [
        (
            "battery-soc",
            "P",
            "battery BAT of plant P falls to 35.0 kWh at 2026-04-06 06:20 (minute 380), "
            "under its floor of 50.0 kWh (min_soc 0.2): empty from 2026-04-06 06:10 "
            "(minute 370); outside its bounds during minutes [360, 380)",
        )
    ]


def test_a_charging_stretch_is_told_where_the_most_comes_from_generators() -> None:
    # BAT takes 10 kW over [0, 120); the load takes the whole grid; B2 (which may charge
    # from generators) gives 5 kW over [60, 120): 10 kW short, then 5 kW short.
    b2 = replace(BAT, id="B2", generator_charging=True)
    flows = (BatteryFlow("BAT", 0, 120, -10.0), BatteryFlow("B2", 60, 120, 5.0))
    assert charge_source(hand_plan(0, 360, *flows), batteries=(HALF, b2)) == [
        "plant P: batteries without generator charging take 10.0 kW at 2026-04-06 00:00 "
        "(minute 0) but only 0.0 kW of grid, solar and battery power is left after the "
        "load; charging from generators during minutes [0, 120)"
    ]


def test_a_step_on_an_unknown_line_is_a_reference_error_not_a_crash_of_the_battery_rules() -> None:
    plan = hand_plan(420, 780, BatteryFlow("BAT", 0, 60, -10.0))
    plan = replace(plan, operations=(Operation("O", 0, "ZZ", 420, 780, 360.0),))
    assert found(plan, batteries=(HALF,)) == [
        ("reference", "O", "operation O/0 on line ZZ [420, 780) names unknown line")
    ]


# Generator starts: the portfolio of ``test_generator_starts.py`` (G burns 20 L an hour
# at 80 kW in the outages [120, 180) and [300, 360)), with a tank of ``tank`` litres.


def starts_found(litres: float, tank: float, *runs: GeneratorRun) -> list[tuple[str, str, str]]:
    """Violations of the free-start dispatch plan with ``runs`` instead of its own."""
    p: Portfolio = starts_portfolio(litres)
    p = replace(p, plants=(replace(p.plants[0], tank=FuelTank(tank, tank, 0.0)),))
    plan = replace(dispatch(starts_portfolio(0.0)), generator_runs=runs)
    return [(v.rule, v.subject, v.message) for v in validate(p, plan)]


SECOND = GeneratorRun("G", 300, 360, 80.0)


def test_touching_runs_of_a_generator_start_it_once() -> None:
    # 40 L of running and two starts of 2.5 L: exactly the 45 L tank.
    halves = (GeneratorRun("G", 120, 150, 80.0), GeneratorRun("G", 150, 180, 80.0))
    assert starts_found(2.5, 45.0, *halves, SECOND) == []


def test_an_empty_run_does_not_start_the_generator() -> None:
    runs = (GeneratorRun("G", 120, 180, 80.0), GeneratorRun("G", 200, 200, 80.0), SECOND)
    assert starts_found(2.5, 45.0, *runs) == [
        ("horizon", "P", "generator G run [200, 200) is empty (end <= start)")
    ]


def test_a_run_of_an_unknown_generator_is_a_reference_error_not_a_crash() -> None:
    runs = (GeneratorRun("G", 120, 180, 80.0), GeneratorRun("NOPE", 200, 260, 80.0), SECOND)
    assert starts_found(2.5, 45.0, *runs) == [
        ("reference", "NOPE", "generator run [200, 260) names unknown generator NOPE")
    ]


def test_half_a_litre_a_start_is_counted() -> None:
    runs = (GeneratorRun("G", 120, 180, 80.0), SECOND)
    assert starts_found(0.5, 41.0, *runs) == []
    assert starts_found(0.5, 40.9, *runs) == [
        (
            "fuel-reserve",
            "P",
            "plant P tank falls to -0.1 L at 2026-04-06 06:00 (minute 360), 0.1 L into its "
            "reserve of 0.0 L; below the reserve during minutes [359, 1440)",
        )
    ]


# Islanding: the portfolio of ``test_islanding.py`` (grid-tied array, grid off [120, 240),
# one 180-minute 60 kW step), its operation moved and powered by solar.


def on_solar(start: int, power_kw: float = 60.0) -> list[str]:
    """``islanding`` messages of the operation on solar over [start, start + 180)."""
    p = solar_portfolio(False)
    product = p.products[0]
    step = replace(product.routing[0], power_kw=power_kw)
    p = replace(p, products=(replace(product, routing=(step,)),))
    plan = dispatch(solar_portfolio(False))
    (op,) = plan.operations
    moved = replace(op, start=start, end=start + 180, source=PowerSource.SOLAR)
    found = validate(p, replace(plan, operations=(moved,)))
    return [v.message for v in found if v.rule == "islanding"]


def test_solar_starting_as_the_grid_comes_back_is_fine_a_minute_earlier_is_not() -> None:
    assert on_solar(240) == []
    assert on_solar(239) == [
        "operation O/0 [239, 419) on line L runs on solar at 2026-04-06 03:59 (minute 239) "
        "while the grid of plant P is off (minutes [120, 240)); its array is grid-tied "
        "(solar.islanding false) and trips with the grid"
    ]


def test_a_half_kilowatt_step_on_grid_tied_solar_still_trips_with_the_grid() -> None:
    assert on_solar(239, power_kw=0.5) == [
        "operation O/0 [239, 419) on line L runs on solar at 2026-04-06 03:59 (minute 239) "
        "while the grid of plant P is off (minutes [120, 240)); its array is grid-tied "
        "(solar.islanding false) and trips with the grid"
    ]


def test_a_step_drawing_no_power_does_not_need_the_sun_through_an_outage() -> None:
    assert on_solar(239, power_kw=0.0) == []


def test_a_half_kilowatt_load_is_not_left_for_charging() -> None:
    # The step draws 0.5 kW; a 50 kW grid leaves 49.5 kW, not the 50 kW BAT takes.
    p = build(180, grid_kw=50.0, batteries=(HALF,))
    product = p.products[0]
    step = replace(product.routing[0], power_kw=0.5)
    p = replace(p, products=(replace(product, routing=(step,)),))
    plan = hand_plan(0, 360, BatteryFlow("BAT", 0, 60, -50.0))
    assert [v.message for v in validate(p, plan) if v.rule == "battery-flow"] == [
        "plant P: batteries without generator charging take 50.0 kW at 2026-04-06 00:00 "
        "(minute 0) but only 49.5 kW of grid, solar and battery power is left after the "
        "load; charging from generators during minutes [0, 60)"
    ]


def test_after_the_step_ends_the_whole_grid_is_left_for_charging() -> None:
    # The step ends at 360; from 420 a 50 kW grid is all free for BAT's 50 kW.
    plan = hand_plan(0, 360, BASE, BatteryFlow("BAT", 420, 480, -50.0))
    assert charge_source(plan, grid_kw=50.0) == []


def test_a_full_battery_charging_is_over_its_capacity_from_the_first_minute() -> None:
    plan = hand_plan(420, 780, BatteryFlow("BAT", 0, 60, -10.0))
    assert found(plan) == [
        (
            "battery-soc",
            "P",
            "battery BAT of plant P holds 259.0 kWh at 2026-04-06 01:00 (minute 60), over "
            "its capacity of 250.0 kWh; outside its bounds during minutes [0, 60)",
        )
    ]


def test_a_charging_stretch_is_told_where_it_is_most_short_of_free_power() -> None:
    # [0, 60): 10 kW taken, nothing left (10 kW short); [60, 120): 10.5 kW taken, the
    # 1 kW that B2 gives left (9.5 kW short): the stretch is told at minute 0.
    b2 = replace(BAT, id="B2", generator_charging=True)
    flows = (
        BatteryFlow("BAT", 0, 60, -10.0),
        BatteryFlow("BAT", 60, 120, -10.5),
        BatteryFlow("B2", 60, 120, 1.0),
    )
    assert charge_source(hand_plan(0, 360, *flows), batteries=(HALF, b2)) == [
        "plant P: batteries without generator charging take 10.0 kW at 2026-04-06 00:00 "
        "(minute 0) but only 0.0 kW of grid, solar and battery power is left after the "
        "load; charging from generators during minutes [0, 120)"
    ]
