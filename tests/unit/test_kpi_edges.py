"""KPIs on stops nested in one another, lines built without a weekly pattern, energy per
product metered mid-day and lines without a meter, recomputed by hand (formulas:
docs/operations.md).

Uses the portfolio of ``test_kpi_calendars.py`` (Havana, origin Monday 2026-04-06, 7 days;
L1 06:00-14:00, L2 06:00-18:00 every day; product M: cook on L1 at 60/h, can on L2 at
120/h).
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import timedelta

import pytest
from test_kpi_calendars import at, portfolio, rec

from ingenio.domain import Line, Operation, Order, Plan, Portfolio, Product, Step, Window
from ingenio.operations.actuals import DowntimeCause, DowntimeEvent, FuelDraw, MeterReading
from ingenio.operations.kpi import compute_kpis

# --- stops: each minute lost is charged once, whatever the order of the records ----------


def test_a_breakdown_inside_a_longer_one_adds_nothing() -> None:
    # L1 (06:00-14:00) breaks down 08:00-12:00, and a second report says 09:00-10:00:
    # 4 h lost, 4 h run (the long stop is not cut back to the short one's start).
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        downtime=[
            DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(6, 9), at(6, 10)),
            DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(6, 8), at(6, 12)),
        ],
    )
    l1 = report.total("line", "L1")
    assert (l1.breakdown_h, l1.run_h) == pytest.approx((4.0, 4.0))


def test_overlapping_breakdowns_after_an_earlier_one_are_charged_once() -> None:
    # L1 breakdowns 07:00-08:00, then 09:00-11:00 and 10:00-12:00 (overlapping by an hour):
    # 1 h + 3 h = 4 h lost, not 5; 4 h run.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        downtime=[
            DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(6, 7), at(6, 8)),
            DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(6, 9), at(6, 11)),
            DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(6, 10), at(6, 12)),
        ],
    )
    l1 = report.total("line", "L1")
    assert (l1.breakdown_h, l1.run_h) == pytest.approx((4.0, 4.0))


def test_the_worst_stops_of_a_report_cannot_be_edited() -> None:
    # The owner audits the contract by the worst-stops list too: a row of it cannot be
    # changed in place (a 2 h breakdown stays 2 h).
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        downtime=[DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(6, 8), at(6, 10), "belt")],
    )
    (row,) = report.downtime
    with pytest.raises(FrozenInstanceError):
        row.hours = 0.0  # type: ignore[misc]
    assert report.downtime[0].hours == pytest.approx(2.0)


# --- lines built without a weekly pattern, in a period reaching past the horizon ---------


def with_lines(base: Portfolio, *lines: Line) -> Portfolio:
    (plant,) = base.plants
    return replace(base, plants=(replace(plant, lines=(*plant.lines, *lines)),))


def test_line_without_a_pattern_working_the_whole_horizon_runs_round_the_clock_past_it() -> None:
    # The horizon is 2026-04-06 .. 04-12 (7 days, 10,080 min). A line built with one window
    # over the whole horizon and no weekly pattern ("no shifts: runs 24/7") works 24 h on
    # the horizon's last day, 04-12, and 24 h on 04-13, past the horizon.
    base = portfolio()
    full = Line("F1", "Always on", "P1", (Window(0, base.horizon.minutes),))
    report = compute_kpis(with_lines(base, full), at(12, 0), at(14, 0), "day")
    assert [r.tally.shift_h for r in report.level("line") if r.key == "F1"] == pytest.approx(
        [24.0, 24.0]
    )


def test_line_without_a_pattern_and_partial_shifts_does_not_work_past_the_horizon() -> None:
    # A line built with one window, 04-12 06:00-14:00 (minutes 8,280-8,760), and no weekly
    # pattern works those 8 h on 04-12 and nothing on 04-13, past the horizon.
    part = Line("D1", "Day only", "P1", (Window(6 * 1440 + 360, 6 * 1440 + 840),))
    report = compute_kpis(with_lines(portfolio(), part), at(12, 0), at(14, 0), "day")
    assert [r.tally.shift_h for r in report.level("line") if r.key == "D1"] == pytest.approx(
        [8.0, 0.0]
    )


# --- energy ------------------------------------------------------------------------------


def test_a_products_energy_is_what_the_meter_ran_during_its_records_only() -> None:
    # L2's meter: 100 kWh at 06:00, 140 at 10:00, 142 at 11:00. 10 cans 10:00-11:00: the
    # 40 kWh used before 10:00 are not theirs: 2 kWh, 0.2 kWh a can.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[rec("L2", "M", "O3", 10, 0, at(6, 10), at(6, 11))],
        meters=[
            MeterReading("L2", at(6, 6), 10.0, 100.0),
            MeterReading("L2", at(6, 10), 2.0, 140.0),
            MeterReading("L2", at(6, 11), 2.0, 142.0),
        ],
    )
    (product,) = report.products
    assert product.kwh_per_unit == pytest.approx(0.2)


def test_a_line_without_a_meter_has_no_energy_per_unit_rather_than_zero() -> None:
    # 120 cans on L2 with no meter anywhere: kWh per can is unknown (None), not 0.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[rec("L2", "M", "O3", 120, 0, at(6, 10), at(6, 11))],
    )
    l2 = report.total("line", "L2")
    assert (l2.good, l2.kwh, l2.kwh_per_unit) == (120.0, 0.0, None)


# --- the period and bucket edges to the second -------------------------------------------


def test_a_record_straddling_midnight_by_half_a_second_is_shared_half_and_half() -> None:
    # 2 loaves baked on N1 from 23:59:59.5 on day 1 to 00:00:00.5 on day 2: one second,
    # half of it on each day, one loaf each.
    a, b = at(7, 0) - timedelta(seconds=0.5), at(7, 0) + timedelta(seconds=0.5)
    report = compute_kpis(
        portfolio(), at(6, 0), at(8, 0), "day", production=[rec("N1", "A", "O2", 2, 0, a, b)]
    )
    assert [r.tally.good for r in report.level("line") if r.key == "N1"] == pytest.approx(
        [1.0, 1.0]
    )


def test_a_stop_ending_half_a_second_into_the_period_counts_half_a_second() -> None:
    # A breakdown of L1 from 20:00 the day before to 00:00:00.5: 0.5 s of it in the period.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        downtime=[
            DowntimeEvent(
                "L1", DowntimeCause.BREAKDOWN, at(5, 20), at(6, 0) + timedelta(seconds=0.5)
            )
        ],
    )
    (row,) = report.downtime
    assert row.hours == pytest.approx(0.5 / 3600)


# --- scope and fuel ------------------------------------------------------------------------


def test_a_plants_kpis_leave_out_the_plans_work_at_other_plants() -> None:
    # A second plant P2 (line Q1, product B, order O9) runs 60 units 10:00-11:00 in the
    # plan. The KPIs of P1 plan nothing there (and do not fail on the foreign line); the
    # whole portfolio's KPIs plan the 60 units on Q1.
    base = portfolio()
    (p1,) = base.plants
    q1 = Line("Q1", "Press", "P2", (Window(0, base.horizon.minutes),))
    p2 = replace(p1, id="P2", name="Plant 2", lines=(q1,), generators=(), tank=None)
    b = Product("B", "Boards", "wood", (Step("press", ("Q1",), 60.0, 10.0),))
    two = replace(
        base,
        plants=(p1, p2),
        products=(*base.products, b),
        orders=(*base.orders, Order("O9", "B", 60.0, 0, 1440, 1.0)),
    )
    plan = Plan("hand", (Operation("O9", 0, "Q1", 600, 660, 60.0),), (), (), ())
    mine = compute_kpis(two, at(6, 0), at(7, 0), plan=plan, plant_id="P1")
    assert {r.key for r in mine.level("line")} == {"L1", "L2", "N1", "S1"}
    assert sum(r.tally.planned_qty for r in mine.level("line")) == 0.0
    everything = compute_kpis(two, at(6, 0), at(7, 0), plan=plan)
    assert everything.total("line", "Q1").planned_qty == pytest.approx(60.0)


def test_fuel_of_a_day_with_under_one_kwh_metered_goes_to_the_metered_line() -> None:
    # L2's meter goes 100.0 -> 100.5 kWh 10:00-11:00, no other meter; 12 L drawn that day
    # are shared among P1's lines by metered kWh: all 12 L to L2.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        meters=[
            MeterReading("L2", at(6, 10), 0.5, 100.0),
            MeterReading("L2", at(6, 11), 0.5, 100.5),
        ],
        fuel_draws=[FuelDraw("G1", 12.0, at(6, 10.5))],
    )
    assert report.total("line", "L2").litres == pytest.approx(12.0)
    assert report.total("line", "L1").litres == 0.0


def test_an_order_due_exactly_at_the_period_end_is_due_in_the_next_period() -> None:
    # O2 is due on day 1 at 10:00, nothing planned nor made: not due in [00:00, 10:00),
    # due (and overdue) in [10:00, 24:00).
    before = compute_kpis(portfolio(), at(6, 0), at(6, 10))
    assert [o.order_id for o in before.orders] == []
    after = compute_kpis(portfolio(), at(6, 10), at(7, 0))
    assert [(o.order_id, o.status) for o in after.orders] == [("O2", "overdue")]


def test_a_product_that_made_no_good_unit_has_no_energy_nor_fuel_per_unit() -> None:
    # 10 cans on L2 10:00-11:00, all scrap, while the meter ran 2 kWh: no kWh nor litres
    # per good can (not a division by zero).
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[rec("L2", "M", "O3", 0, 10, at(6, 10), at(6, 11))],
        meters=[
            MeterReading("L2", at(6, 10), 2.0, 100.0),
            MeterReading("L2", at(6, 11), 2.0, 102.0),
        ],
    )
    (product,) = report.products
    assert (product.good, product.kwh_per_unit, product.litres_per_unit) == (0.0, None, None)
