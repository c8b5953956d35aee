"""KPIs on hard calendars and products, recomputed by hand (formulas: docs/operations.md and
the notes of ``ingenio.operations.kpi``).

Two-step products (only the last step makes finished goods), a night shift across
midnight, stops across bucket boundaries, weeks that do not start on a Monday, a month
across the year end, an idle meter, the worst-stops list, notes, and planned vs made
quantities per order.

Portfolio (Havana, UTC-4 all year except DST; origin Monday 2026-04-06 00:00, 7 days):
plant P1 (enterprise E1) with lines
  L1 "Cooker" 06:00-14:00, L2 "Canner" 06:00-18:00, N1 "Night" 22:00-06:00, S1 "Spare"
  06:00-14:00, every day; generator G1.
Products: M (2 steps: cook on L1 at 60/h and 10 kW, can on L2 at 120/h and 5 kW);
A (1 step on N1 at 60/h).
Orders: O1 200 M due day 2 12:00 (minute 2160) at 3/unit; O2 100 A due day 1 10:00
(minute 600) at 1/unit; O3 50 M due day 3 (minute 4320) at 2/unit.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, astuple
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from ingenio.domain import (
    Block,
    Enterprise,
    FuelTank,
    Generator,
    Horizon,
    Line,
    Operation,
    Order,
    OrderOutcome,
    OrderStatus,
    Plan,
    Plant,
    Portfolio,
    Product,
    ShiftPattern,
    Step,
    expand_shifts,
)
from ingenio.operations.actuals import (
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    MeterReading,
    ProductionRecord,
)
from ingenio.operations.kpi import MeterArrays, Tally, compute_kpis, period_of

HAVANA = ZoneInfo("America/Havana")
ALL_DAYS = frozenset(range(7))


def at(day: int, hour: float, month: int = 4, year: int = 2026) -> datetime:
    """Local Havana time on ``day`` of April 2026 (or another month)."""
    h, m = int(hour), round((hour % 1) * 60)
    return datetime(year, month, day, h, m, tzinfo=HAVANA)


def portfolio(weekdays: frozenset[int] = ALL_DAYS) -> Portfolio:
    horizon = Horizon(datetime(2026, 4, 6, tzinfo=HAVANA), days=7)

    def line(lid: str, name: str, start_h: int, end_h: int) -> Line:
        pattern = (ShiftPattern(weekdays, start_h * 60, end_h * 60),)
        return Line(lid, name, "P1", expand_shifts(pattern, horizon), pattern)

    plant = Plant(
        "P1",
        "Plant 1",
        "E1",
        "B1",
        100.0,
        (
            line("L1", "Cooker", 6, 14),
            line("L2", "Canner", 6, 18),
            line("N1", "Night", 22, 6),
            line("S1", "Spare", 6, 14),
        ),
        generators=(Generator("G1", "Genset", "P1", 50.0, 0.3, 0.08, 0.25),),
        tank=FuelTank(1000.0, 500.0, 50.0),
    )
    m = Product(
        "M",
        "Canned beans",
        "food",
        (Step("cook", ("L1",), 60.0, 10.0), Step("can", ("L2",), 120.0, 5.0)),
    )
    a = Product("A", "Night bread", "bread", (Step("bake", ("N1",), 60.0, 20.0),))
    return Portfolio(
        "kpi-calendars",
        horizon,
        (Enterprise("E1", "Empresa"),),
        (plant,),
        (Block("B1", "Bloque"),),
        (m, a),
        (
            Order("O1", "M", 200.0, 0, 2160, 3.0),
            Order("O2", "A", 100.0, 0, 600, 1.0),
            Order("O3", "M", 50.0, 0, 4320, 2.0),
        ),
    )


def rec(
    line: str, product: str, order: str | None, good: float, scrap: float, a: datetime, b: datetime
) -> ProductionRecord:
    return ProductionRecord(line, product, order, good, scrap, a, b)


# --- two-step products: only the last step makes finished goods ---------------------------


def test_two_step_product_counts_finished_goods_at_its_last_step_only() -> None:
    # Cooked 200 good + 10 scrap on L1 06:00-09:30; canned 180 good on L2 10:00-12:00.
    # Meters: L1 0 -> 35 kWh over the cooking, L2 100 -> 112 kWh over the canning.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        "day",
        production=[
            rec("L1", "M", "O1", 200, 10, at(6, 6), at(6, 9.5)),
            rec("L2", "M", "O1", 180, 0, at(6, 10), at(6, 12)),
        ],
        meters=[
            MeterReading("L1", at(6, 6), 10.0, 0.0),
            MeterReading("L1", at(6, 9.5), 10.0, 35.0),
            MeterReading("L2", at(6, 10), 5.0, 100.0),
            MeterReading("L2", at(6, 12), 5.0, 112.0),
        ],
    )
    l1, l2 = report.total("line", "L1"), report.total("line", "L2")
    # Each line's ideal time uses the rate of the step it runs: 210/60 h and 180/120 h.
    assert (l1.ideal_h, l1.good_ideal_h) == pytest.approx((3.5, 200 / 60))
    assert (l2.ideal_h, l2.good_ideal_h) == pytest.approx((1.5, 1.5))
    assert (l1.good, l1.scrap, l2.good) == pytest.approx((200, 10, 180))
    # Cooked beans are work in progress: no value at L1; 180 cans * 3 = 540 at L2.
    assert (l1.value, l2.value) == pytest.approx((0.0, 540.0))
    (product,) = report.products
    assert (product.plant_id, product.product_id, product.name) == ("P1", "M", "Canned beans")
    # Energy of both steps (35 + 12 kWh) per finished can (180), not per unit made (380).
    assert product.good == pytest.approx(180)
    assert product.kwh == pytest.approx(47.0)
    assert product.kwh_per_unit == pytest.approx(47 / 180)
    # O1 (200 due tomorrow noon): 180 finished, not 380; not complete, not yet due.
    # O2 (due today 10:00, nothing made) is listed too, first by due date.
    o2, o1 = report.orders
    assert (o2.order_id, o2.status) == ("O2", "overdue")
    assert (o1.order_id, o1.plant_id, o1.quantity) == ("O1", "P1", 200.0)
    assert (o1.made_qty, o1.made_to_date, o1.planned_qty) == pytest.approx((180, 180, 0))
    assert (o1.completed, o1.status) == (None, "open")
    assert o1.value == pytest.approx(540.0)
    assert o1.adherence is None  # nothing planned


def test_order_completes_when_its_finished_goods_reach_the_quantity() -> None:
    # 120 + 80 cans of O1: complete at the end of the second canning, day 2 11:00, before
    # its due time 12:00; the cooking (200, earlier) does not complete it.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(8, 0),
        "day",
        production=[
            rec("L1", "M", "O1", 200, 0, at(6, 6), at(6, 10)),
            rec("L2", "M", "O1", 120, 0, at(6, 12), at(6, 13)),
            rec("L2", "M", "O1", 80, 0, at(7, 10), at(7, 11)),
        ],
    )
    # O2, due on day 1 and never made, is overdue: one of the two orders due is on time.
    o2, o1 = report.orders
    assert (o2.order_id, o2.status) == ("O2", "overdue")
    assert (o1.completed, o1.status) == (at(7, 11), "on_time")
    assert o1.made_qty == pytest.approx(200)
    assert report.on_time_share == 0.5
    per_day = [r.tally for r in report.level("plant") if r.key == "P1"]
    assert [(t.orders_due, t.orders_on_time) for t in per_day] == [(1, 0), (1, 1)]
    assert [t.on_time_share for t in per_day] == [0.0, 1.0]
    assert report.total("plant", "P1").on_time_share == 0.5


def test_order_finished_exactly_at_its_due_time_is_on_time_and_a_minute_later_late() -> None:
    # O2: 100 loaves due day 1 10:00.
    def o2(end_hour: float) -> str:
        report = compute_kpis(
            portfolio(),
            at(6, 0),
            at(7, 0),
            production=[rec("N1", "A", "O2", 100, 0, at(6, 4), at(6, end_hour))],
        )
        (row,) = report.orders
        return row.status

    assert o2(10) == "on_time"
    assert o2(10 + 1 / 60) == "late"


def test_order_due_but_not_complete_is_overdue() -> None:
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[rec("N1", "A", "O2", 60, 0, at(6, 0), at(6, 1))],
    )
    (o2,) = report.orders
    assert (o2.status, o2.completed) == ("overdue", None)
    assert o2.made_qty == pytest.approx(60)
    assert report.on_time_share == 0.0


# --- a night shift across midnight, stops across bucket boundaries ------------------------


def test_night_shift_and_stops_across_midnight_are_split_by_day() -> None:
    # N1 works 22:00-06:00: on each day 00:00-06:00 and 22:00-24:00 = 8 h.
    # Breakdown day 1 23:00 -> day 2 01:00: 1 h lost on each day.
    # Planned stop day 2 05:00 -> 07:00: 1 h of it inside the shift (05:00-06:00).
    # 120 loaves day 1 22:00 -> day 2 02:00: 60 per day, ideal 1 h per day.
    # L2 (06:00-18:00) breakdown day 1 20:00 -> day 2 05:00: outside its shift, no loss.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(8, 0),
        "day",
        production=[rec("N1", "A", "O2", 120, 0, at(6, 22), at(7, 2))],
        downtime=[
            DowntimeEvent("N1", DowntimeCause.BREAKDOWN, at(6, 23), at(7, 1)),
            DowntimeEvent("N1", DowntimeCause.PLANNED_STOP, at(7, 5), at(7, 7)),
            DowntimeEvent("L2", DowntimeCause.BREAKDOWN, at(6, 20), at(7, 5)),
        ],
    )
    n1 = [r.tally for r in report.level("line") if r.key == "N1"]
    assert [t.shift_h for t in n1] == pytest.approx([8.0, 8.0])
    assert [t.stop_h for t in n1] == pytest.approx([0.0, 1.0])
    assert [t.breakdown_h for t in n1] == pytest.approx([1.0, 1.0])
    assert [t.good for t in n1] == pytest.approx([60, 60])
    # Day 1: planned 8, run 7, OEE 1/8. Day 2: planned 7, run 6, OEE 1/7.
    assert [t.run_h for t in n1] == pytest.approx([7.0, 6.0])
    assert [t.oee for t in n1] == pytest.approx([1 / 8, 1 / 7])
    assert report.total("line", "N1").oee == pytest.approx(2 / 15)
    assert report.total("line", "L2").downtime_h == 0.0


def test_stop_crossing_the_period_start_counts_only_its_part_inside() -> None:
    # Period from day 1 00:00: N1's shift of the night before runs until 06:00 on day 1,
    # and a grid outage day 0 23:00 -> day 1 02:00 loses 2 h of it in the period.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        downtime=[DowntimeEvent("N1", DowntimeCause.GRID_OUTAGE, at(5, 23), at(6, 2))],
    )
    n1 = report.total("line", "N1")
    assert (n1.shift_h, n1.grid_h) == pytest.approx((8.0, 2.0))
    (worst,) = report.downtime
    assert worst.hours == pytest.approx(2.0)


# --- odd periods -------------------------------------------------------------------------


def test_weeks_of_a_period_starting_on_a_wednesday() -> None:
    # Wed 8 April -> Mon 20 April: ISO week 15 is cut to Wed-Sun (5 days, 120 h), week 16
    # is whole (168 h). L1 works 8 h a day: 40 h and 56 h.
    report = compute_kpis(portfolio(), at(8, 0), at(20, 0), "week")
    assert [(b.label, b.start, b.end) for b in report.buckets] == [
        ("2026-W15", at(8, 0), at(13, 0)),
        ("2026-W16", at(13, 0), at(20, 0)),
    ]
    assert [b.hours for b in report.buckets] == [120.0, 168.0]
    l1 = [r.tally.shift_h for r in report.level("line") if r.key == "L1"]
    assert l1 == pytest.approx([40.0, 56.0])


def test_week_of_a_period_starting_on_a_sunday_is_one_day() -> None:
    report = compute_kpis(portfolio(), at(12, 0), at(14, 12), "week")
    assert [(b.label, b.start, b.end) for b in report.buckets] == [
        ("2026-W15", at(12, 0), at(13, 0)),
        ("2026-W16", at(13, 0), at(14, 12)),
    ]


def test_months_across_the_year_end() -> None:
    # 15 Dec 2026 -> 10 Jan 2027: December keeps 17 days (136 h of L1), January 9 (72 h).
    start, end = at(15, 0, month=12), at(10, 0, month=1, year=2027)
    report = compute_kpis(portfolio(), start, end, "month")
    assert [(b.label, b.start, b.end) for b in report.buckets] == [
        ("2026-12", start, at(1, 0, month=1, year=2027)),
        ("2027-01", at(1, 0, month=1, year=2027), end),
    ]
    l1 = [r.tally.shift_h for r in report.level("line") if r.key == "L1"]
    assert l1 == pytest.approx([136.0, 72.0])


def test_period_of_a_month_ends_at_the_next_month() -> None:
    assert period_of("2026-12", "America/Havana") == (
        at(1, 0, month=12),
        at(1, 0, month=1, year=2027),
    )
    assert period_of("2027-01", "America/Havana") == (
        at(1, 0, month=1, year=2027),
        at(1, 0, month=2, year=2027),
    )


# --- meters ------------------------------------------------------------------------------


def test_idle_meter_with_two_equal_readings_adds_no_energy() -> None:
    # 500 kWh at 06:00 and again at 10:00 (idle, not a reset), 530 at 14:00: 30 kWh.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        meters=[
            MeterReading("L1", at(6, 6), 0.0, 500.0),
            MeterReading("L1", at(6, 10), 0.0, 500.0),
            MeterReading("L1", at(6, 14), 10.0, 530.0),
        ],
    )
    assert report.total("line", "L1").kwh == pytest.approx(30.0)


def test_meter_step_across_midnight_is_split_in_proportion_to_time() -> None:
    # N1: 1000 kWh at day 1 20:00, 1040 at day 2 04:00: 4 h on each side, 20 kWh each.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(8, 0),
        meters=[
            MeterReading("N1", at(6, 20), 5.0, 1000.0),
            MeterReading("N1", at(7, 4), 5.0, 1040.0),
        ],
    )
    assert [r.tally.kwh for r in report.level("line") if r.key == "N1"] == pytest.approx(
        [20.0, 20.0]
    )


# --- fuel --------------------------------------------------------------------------------


def test_fuel_draws_at_the_period_edges_and_their_share_by_run_hours() -> None:
    # Draws at 00:00 (in), 23:59 (in), next 00:00 (out: the period is half-open) and of an
    # unknown generator (a note). 36 L, no meter: shared by run hours L1 8, L2 12, N1 8
    # (00-06 and 22-24), S1 8 of 36 h -> 8, 12, 8, 8 L.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        fuel_draws=[
            FuelDraw("G1", 30.0, at(6, 0)),
            FuelDraw("G1", 6.0, at(6, 23 + 59 / 60)),
            FuelDraw("G1", 100.0, at(7, 0)),
            FuelDraw("GX", 7.0, at(6, 12)),
        ],
    )
    litres = {k: report.total("line", k).litres for k in ("L1", "L2", "N1", "S1")}
    assert litres == pytest.approx({"L1": 8.0, "L2": 12.0, "N1": 8.0, "S1": 8.0})
    assert report.total("plant", "P1").litres == pytest.approx(36.0)
    assert report.notes == ("fuel draw of unknown generator GX",)


# --- the worst stops, notes ----------------------------------------------------------------


def test_worst_stops_are_the_longest_unplanned_ones_inside_the_period() -> None:
    events = [
        DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(6, 10), at(6, 12), "bearing"),  # 2 h
        DowntimeEvent("L2", DowntimeCause.NO_MATERIAL, at(6, 8), at(6, 9)),  # 1 h
        DowntimeEvent("L2", DowntimeCause.PLANNED_STOP, at(6, 12), at(6, 17)),  # not a loss
        DowntimeEvent("N1", DowntimeCause.GRID_OUTAGE, at(5, 22), at(6, 1)),  # 1 h inside
        DowntimeEvent("L1", DowntimeCause.NO_LABOUR, at(7, 0), at(7, 1)),  # after the period
        DowntimeEvent("L2", DowntimeCause.BREAKDOWN, at(6, 15), at(6, 16), "belt"),  # 1 h
        DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(5, 20), at(6, 0)),  # before
    ]
    report = compute_kpis(portfolio(), at(6, 0), at(7, 0), downtime=events)
    # Ties of one hour: earlier start first.
    rows = [(r.line_id, r.plant_id, r.cause, round(r.hours, 9), r.note) for r in report.downtime]
    assert rows == [
        ("L1", "P1", DowntimeCause.BREAKDOWN, 2.0, "bearing"),
        ("N1", "P1", DowntimeCause.GRID_OUTAGE, 1.0, ""),
        ("L2", "P1", DowntimeCause.NO_MATERIAL, 1.0, ""),
        ("L2", "P1", DowntimeCause.BREAKDOWN, 1.0, "belt"),
    ]
    assert report.downtime[1].start == at(5, 22)  # the stop itself, not its clipped part


def test_worst_stops_keep_the_ten_longest() -> None:
    # Stops of 1..12 minutes on L2 at each hour from 06:00: the ten longest are 12..3 min.
    events = [
        DowntimeEvent("L2", DowntimeCause.BREAKDOWN, at(6, 6 + k), at(6, 6 + k + (k + 1) / 60))
        for k in range(12)
    ]
    report = compute_kpis(portfolio(), at(6, 0), at(7, 0), downtime=events)
    assert [round(r.hours * 60) for r in report.downtime] == list(range(12, 2, -1))


def test_a_product_without_a_rate_on_its_line_is_noted_once() -> None:
    # Bread recorded on the cooker L1, which no step of A uses: no ideal time, one note.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[
            rec("L1", "A", None, 10, 0, at(6, 6), at(6, 7)),
            rec("L1", "A", None, 20, 0, at(6, 8), at(6, 9)),
            rec("ZZ", "A", None, 20, 0, at(6, 8), at(6, 9)),  # unknown line: out of scope
        ],
    )
    assert report.notes == ("line L1: product A has no rate here",)
    l1 = report.total("line", "L1")
    assert (l1.good, l1.ideal_h, l1.value) == pytest.approx((30, 0.0, 0.0))


# --- plan against actuals, per order ------------------------------------------------------


def test_planned_and_made_quantities_and_adherence_per_order() -> None:
    # Plan: O1 cooked on L1 06:00-09:20 (200), canned on L2 day 1 23:00 -> day 2 01:00
    # (200): half of the canning falls in day 1, so 100 finished units are planned there.
    # O2 unscheduled ("no power"). Made on day 1: 80 cans of O1.
    plan = Plan(
        "hand",
        (
            Operation("O1", 0, "L1", 360, 560, 200.0),
            Operation("O1", 1, "L2", 1380, 1500, 200.0),
        ),
        (),
        (),
        (
            OrderOutcome("O1", OrderStatus.ON_TIME, 1500, 0, 600.0),
            OrderOutcome("O2", OrderStatus.UNSCHEDULED, None, 0, 0.0, "no power"),
            OrderOutcome("O3", OrderStatus.UNSCHEDULED, None, 0, 0.0, "no time"),
        ),
    )
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        plan=plan,
        production=[
            rec("L1", "M", "O1", 200, 0, at(6, 6), at(6, 9.5)),
            rec("L2", "M", "O1", 80, 0, at(6, 12), at(6, 13)),
        ],
    )
    rows = {o.order_id: o for o in report.orders}
    assert sorted(rows) == ["O1", "O2"]  # O3: not due, planned nor made on day 1
    o1, o2 = rows["O1"], rows["O2"]
    assert (o1.planned_qty, o1.made_qty) == pytest.approx((100.0, 80.0))
    assert o1.adherence == pytest.approx(0.8)
    assert (o1.planned_status, o1.reason) == ("on_time", "")
    assert (o2.planned_qty, o2.made_qty, o2.status) == (0.0, 0.0, "overdue")
    assert (o2.planned_status, o2.reason) == ("unscheduled", "no power")
    assert [o.order_id for o in report.orders] == ["O2", "O1"]  # by due date
    # Lines: L1 plans 200 units, 10 kW * 3.33 h, no value (not the last step); L2 half of
    # its operation: 100 units, 5 kW * 1 h, 100 * 3 = 300 of value.
    l1, l2 = report.total("line", "L1"), report.total("line", "L2")
    assert (l1.planned_qty, l1.planned_kwh, l1.planned_value) == pytest.approx(
        (200.0, 10 * 200 / 60, 0.0)
    )
    assert (l2.planned_qty, l2.planned_kwh, l2.planned_value) == pytest.approx((100.0, 5.0, 300.0))
    assert l2.adherence == pytest.approx(0.8)


# --- records at the edges of the period, bad periods ---------------------------------------


def test_record_straddling_the_period_start_counts_only_its_part_inside() -> None:
    # 120 loaves on N1 day 0 22:00 -> day 1 02:00: half of it (2 h of 4) on day 1 -> 60.
    # A record wholly before the period counts nothing.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[
            rec("N1", "A", None, 120, 0, at(5, 22), at(6, 2)),
            rec("N1", "A", None, 500, 0, at(5, 1), at(5, 5)),
            rec("N1", "A", None, 700, 0, at(7, 1), at(7, 5)),
        ],
    )
    n1 = report.total("line", "N1")
    assert (n1.good, n1.ideal_h) == pytest.approx((60.0, 1.0))


def test_a_period_that_does_not_end_after_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^the period must end after it starts$"):
        compute_kpis(portfolio(), at(7, 0), at(7, 0))


def test_an_unknown_granularity_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^unknown granularity 'year' \(choose from day, week, "):
        compute_kpis(portfolio(), at(6, 0), at(7, 0), "year")  # type: ignore[arg-type]


def test_a_period_without_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^2026-04-06T00:00:00 has no time zone$"):
        compute_kpis(portfolio(), datetime(2026, 4, 6), datetime(2026, 4, 7, tzinfo=HAVANA))


def test_unknown_scope_is_refused_by_name() -> None:
    with pytest.raises(KeyError, match="unknown plant 'PX'"):
        compute_kpis(portfolio(), at(6, 0), at(7, 0), plant_id="PX")
    with pytest.raises(KeyError, match="unknown enterprise 'EX'"):
        compute_kpis(portfolio(), at(6, 0), at(7, 0), enterprise_id="EX")
    scoped = compute_kpis(portfolio(), at(6, 0), at(7, 0), plant_id="P1", enterprise_id="E1")
    assert scoped.total("plant", "P1").shift_h == pytest.approx(8 + 12 + 8 + 8)
    with pytest.raises(KeyError, match="no plant 'P2' in the report"):
        scoped.total("plant", "P2")


def test_ratios_without_a_denominator_are_none() -> None:
    # Nothing recorded on day 1: S1 ran its 8 h making nothing (A 1, P 0, OEE 0), and
    # quality, per-unit figures and adherence have nothing to divide by. O2, due that day,
    # is not done: on-time share 0.
    report = compute_kpis(portfolio(), at(6, 0), at(7, 0))
    s1 = report.total("line", "S1")
    assert (s1.availability, s1.performance, s1.oee) == (1.0, 0.0, 0.0)
    assert (s1.quality, s1.kwh_per_unit, s1.litres_per_unit, s1.adherence) == (
        None,
        None,
        None,
        None,
    )
    assert report.products == () and report.on_time_share == 0.0


# --- overlaps, long records, fuel per product ----------------------------------------------


def test_overlapping_stops_of_one_cause_are_charged_once() -> None:
    # L1 breakdowns 08:00-10:00 and 09:00-11:00 overlap: 3 h lost, not 4. Touching
    # shortages of material 11:00-12:00 and 12:00-13:00: 2 h.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        downtime=[
            DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(6, 8), at(6, 10)),
            DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(6, 9), at(6, 11)),
            DowntimeEvent("L1", DowntimeCause.NO_MATERIAL, at(6, 11), at(6, 12)),
            DowntimeEvent("L1", DowntimeCause.NO_MATERIAL, at(6, 12), at(6, 13)),
        ],
    )
    l1 = report.total("line", "L1")
    assert (l1.breakdown_h, l1.material_h, l1.run_h) == pytest.approx((3.0, 2.0, 3.0))


def test_record_over_three_days_is_shared_by_time() -> None:
    # 480 cans on L2 from day 1 12:00 to day 3 12:00 (48 h): 12 h, 24 h, 12 h -> 120, 240,
    # 120.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(9, 0),
        production=[rec("L2", "M", "O3", 480, 0, at(6, 12), at(8, 12))],
    )
    per_day = [r.tally.good for r in report.level("line") if r.key == "L2"]
    assert per_day == pytest.approx([120.0, 240.0, 120.0])


def test_fuel_is_shared_among_products_by_ideal_hours_without_meters() -> None:
    # 30 L drawn. No meter: M canned 240 (2 h ideal on L2), A baked 60 (1 h on N1):
    # M gets 20 L (1/12 L per can), A 10 L (1/6 L per loaf).
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[
            rec("L2", "M", "O3", 240, 0, at(6, 10), at(6, 12)),
            rec("N1", "A", "O2", 60, 0, at(6, 1), at(6, 2)),
        ],
        fuel_draws=[FuelDraw("G1", 30.0, at(6, 12))],
    )
    by_product = {p.product_id: p for p in report.products}
    assert by_product["M"].litres == pytest.approx(20.0)
    assert by_product["A"].litres == pytest.approx(10.0)
    assert by_product["M"].litres_per_unit == pytest.approx(1 / 12)
    assert by_product["A"].litres_per_unit == pytest.approx(1 / 6)
    assert by_product["A"].kwh_per_unit is None  # nothing metered


# --- meter columns -------------------------------------------------------------------------


def test_meter_readings_out_of_time_order_give_the_same_energy() -> None:
    readings = [
        MeterReading("L1", at(6, 14), 10.0, 530.0),
        MeterReading("L1", at(6, 6), 0.0, 500.0),
        MeterReading("L1", at(6, 10), 0.0, 510.0),
    ]
    report = compute_kpis(portfolio(), at(6, 0), at(7, 0), meters=readings)
    assert report.total("line", "L1").kwh == pytest.approx(30.0)


def test_meter_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^meter columns line, at and kwh must have the same"):
        MeterArrays(("L1",), np.array([0, 0]), np.array([1.0, 2.0]), np.array([5.0]))
    with pytest.raises(ValueError, match=r"^meter columns line, at and kwh must have the same"):
        MeterArrays(("L1",), np.array([0]), np.array([1.0, 2.0]), np.array([5.0, 6.0]))


@pytest.mark.parametrize("index", [-1, 2])
def test_meter_line_index_outside_the_line_ids_is_refused(index: int) -> None:
    with pytest.raises(ValueError, match=r"^meter line index out of range of line_ids$"):
        MeterArrays(("L1", "L2"), np.array([0, index]), np.array([1.0, 2.0]), np.array([5.0, 6.0]))


def test_meter_columns_using_the_last_line_id_are_accepted() -> None:
    # Column rows: L2 (index 1) 0 -> 12 kWh over day 1 10:00-12:00.
    cols = MeterArrays(
        ("L1", "L2"),
        np.array([1, 1]),
        np.array([at(6, 10).timestamp(), at(6, 12).timestamp()]),
        np.array([100.0, 112.0]),
    )
    assert len(cols) == 2
    report = compute_kpis(portfolio(), at(6, 0), at(7, 0), meters=cols)
    assert report.total("line", "L2").kwh == pytest.approx(12.0)
    assert report.total("line", "L1").kwh == 0.0


def test_fuel_drawn_when_no_line_works_stays_with_the_plant() -> None:
    # Lines working Monday to Friday only (N1's Friday night ends Saturday 06:00): on
    # Sunday 12 April no line has shift time, so 10 L drawn then belong to the plant alone.
    report = compute_kpis(
        portfolio(frozenset(range(5))),
        at(12, 0),
        at(13, 0),
        fuel_draws=[FuelDraw("G1", 10.0, at(12, 12))],
    )
    assert report.total("plant", "P1").litres == pytest.approx(10.0)
    assert [report.total("line", k).litres for k in ("L1", "L2", "N1", "S1")] == [0.0] * 4


def test_fuel_per_product_is_shared_day_by_day() -> None:
    # Day 1: 30 L; M canned 240 (2 h ideal), A baked 60 (1 h) -> M 20 L, A 10 L.
    # Day 2: nothing. Day 3: 6 L; only A baked (60, 1 h) -> A 6 L. Totals: M 20, A 16.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(9, 0),
        production=[
            rec("L2", "M", "O3", 240, 0, at(6, 10), at(6, 12)),
            rec("N1", "A", "O2", 60, 0, at(6, 1), at(6, 2)),
            rec("N1", "A", "O2", 60, 0, at(8, 1), at(8, 2)),
        ],
        fuel_draws=[FuelDraw("G1", 30.0, at(6, 12)), FuelDraw("G1", 6.0, at(8, 12))],
    )
    by_product = {p.product_id: p.litres for p in report.products}
    assert by_product == pytest.approx({"M": 20.0, "A": 16.0})


def test_a_record_of_an_unknown_product_delivers_nothing() -> None:
    # 50 units of a product "ZZ" the portfolio does not know, booked to O1 on the canner:
    # counted as made on the line, but with no rate, no value and nothing towards O1.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[rec("L2", "ZZ", "O1", 50, 0, at(6, 10), at(6, 11))],
    )
    l2 = report.total("line", "L2")
    assert (l2.good, l2.ideal_h, l2.value) == pytest.approx((50.0, 0.0, 0.0))
    assert report.notes == ("line L2: product ZZ has no rate here",)
    # O1 is not due on day 1 and nothing finished for it: not listed; O2 is due.
    assert [o.order_id for o in report.orders] == ["O2"]
    (product,) = report.products
    assert (product.product_id, product.name, product.good) == ("ZZ", "ZZ", 0.0)


def test_work_outside_the_period_counts_nothing_for_its_orders() -> None:
    # O3 (due day 3) is planned and canned on day 2 only: on day 1 it is neither due,
    # planned nor made, so it is not listed; O2 (due day 1) is.
    plan = Plan(
        "hand",
        (Operation("O3", 1, "L2", 1440 + 600, 1440 + 630, 50.0),),
        (),
        (),
        (OrderOutcome("O3", OrderStatus.ON_TIME, 2070, 0, 100.0),),
    )
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        plan=plan,
        production=[rec("L2", "M", "O3", 50, 0, at(7, 10), at(7, 10.5))],
    )
    assert [o.order_id for o in report.orders] == ["O2"]
    assert report.total("line", "L2").planned_qty == 0.0


def test_an_order_made_across_the_period_end_counts_only_what_fell_inside() -> None:
    # 120 loaves of O2 on N1 day 1 22:00 -> day 2 02:00: half of it (60) on day 1, both
    # as made in the period and as made to date; not complete by the period end.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[rec("N1", "A", "O2", 120, 0, at(6, 22), at(7, 2))],
    )
    (o2,) = report.orders
    assert (o2.made_qty, o2.made_to_date, o2.value) == pytest.approx((60.0, 60.0, 60.0))
    assert (o2.completed, o2.status) == (None, "overdue")


def test_the_empty_tally_adds_nothing() -> None:
    # Reports sum tallies starting from Tally() (the enterprise report's grand total).
    t = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[rec("L1", "M", "O1", 200, 10, at(6, 6), at(6, 9.5))],
        downtime=[DowntimeEvent("L1", DowntimeCause.BREAKDOWN, at(6, 10), at(6, 11))],
    ).total("line", "L1")
    assert Tally() + t == t
    assert set(astuple(Tally())) == {0.0}


def test_a_report_cannot_be_altered_once_computed() -> None:
    # The owner audits the contract by these figures: neither the report nor a row of it
    # can be changed in place.
    report = compute_kpis(portfolio(), at(6, 0), at(7, 0))
    with pytest.raises(FrozenInstanceError):
        report.notes = ("edited",)  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        report.rows[0].tally = Tally()  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        report.rows[0].tally.good = 1.0  # type: ignore[misc]
    meals = compute_kpis(
        portfolio(), at(6, 0), at(7, 0), production=[rec("N1", "A", None, 5, 0, at(6, 1), at(6, 2))]
    )
    with pytest.raises(FrozenInstanceError):
        meals.products[0].good = 50.0  # type: ignore[misc]


def test_under_one_kwh_still_gives_energy_and_fuel_per_unit() -> None:
    # 10 cans on L2 10:00-11:00 while its meter goes 100.0 -> 100.5 kWh: 0.05 kWh a can.
    # The 12 L drawn that day go to M by its metered kWh, once: 1.2 L a can.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[rec("L2", "M", "O3", 10, 0, at(6, 10), at(6, 11))],
        meters=[
            MeterReading("L2", at(6, 10), 0.5, 100.0),
            MeterReading("L2", at(6, 11), 0.5, 100.5),
        ],
        fuel_draws=[FuelDraw("G1", 12.0, at(6, 10.5))],
    )
    (product,) = report.products
    assert product.kwh_per_unit == pytest.approx(0.05)
    assert (product.litres, product.litres_per_unit) == pytest.approx((12.0, 1.2))
    assert report.total("line", "L2").kwh_per_unit == pytest.approx(0.05)


def test_a_single_finished_unit_gets_its_energy_per_unit() -> None:
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[rec("L2", "M", "O3", 1, 0, at(6, 10), at(6, 11))],
        meters=[
            MeterReading("L2", at(6, 10), 2.0, 100.0),
            MeterReading("L2", at(6, 11), 2.0, 102.0),
        ],
    )
    (product,) = report.products
    assert product.kwh_per_unit == pytest.approx(2.0)


def test_an_order_due_at_the_period_start_counts_in_its_on_time_share() -> None:
    # O2 is due day 1 10:00 and was finished at 09:00; a period starting at 10:00 counts it.
    report = compute_kpis(
        portfolio(),
        at(6, 10),
        at(7, 0),
        production=[rec("N1", "A", "O2", 100, 0, at(6, 3), at(6, 9))],
    )
    assert report.on_time_share == 1.0


def test_a_record_booked_to_an_unknown_order_delivers_no_value() -> None:
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        production=[rec("L2", "M", "O9", 120, 0, at(6, 10), at(6, 11))],
    )
    l2 = report.total("line", "L2")
    assert (l2.good, l2.value) == pytest.approx((120.0, 0.0))


def test_fuel_shared_by_run_hours_leaves_out_planned_stops() -> None:
    # 28 L, no meter. Run hours on day 1: L1 8 - 4 (planned stop 06:00-10:00) = 4,
    # L2 12, N1 8, S1 8: 32 h -> L1 3.5 L, L2 10.5 L, N1 7 L, S1 7 L.
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        downtime=[DowntimeEvent("L1", DowntimeCause.PLANNED_STOP, at(6, 6), at(6, 10))],
        fuel_draws=[FuelDraw("G1", 28.0, at(6, 12))],
    )
    litres = {k: report.total("line", k).litres for k in ("L1", "L2", "N1", "S1")}
    assert litres == pytest.approx({"L1": 3.5, "L2": 10.5, "N1": 7.0, "S1": 7.0})
