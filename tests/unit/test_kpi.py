"""KPIs recomputed by hand on tiny cases: OEE = A × P × Q, losses by cause, energy, fuel."""

from __future__ import annotations

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
from ingenio.operations.kpi import MeterArrays, Tally, compute_kpis

HAVANA = ZoneInfo("America/Havana")
ALL_DAYS = frozenset(range(7))


def at(day: int, hour: float) -> datetime:
    """Local time on April ``day`` 2026 (Havana, UTC-4)."""
    h, m = int(hour), round((hour % 1) * 60)
    return datetime(2026, 4, day, h, m, tzinfo=HAVANA)


def portfolio() -> Portfolio:
    """P1: L1 works 06:00-14:00 (8 h), L2 06:00-18:00 (12 h), every day; product A 60/h."""
    horizon = Horizon(datetime(2026, 4, 6, tzinfo=HAVANA), days=7)
    pat1 = (ShiftPattern(ALL_DAYS, 6 * 60, 14 * 60),)
    pat2 = (ShiftPattern(ALL_DAYS, 6 * 60, 18 * 60),)
    plant = Plant(
        "P1",
        "Plant 1",
        "E1",
        "B1",
        100.0,
        (
            Line("L1", "Line 1", "P1", expand_shifts(pat1, horizon), pat1),
            Line("L2", "Line 2", "P1", expand_shifts(pat2, horizon), pat2),
        ),
        generators=(Generator("G1", "Genset", "P1", 50.0, 0.3, 0.08, 0.25),),
        tank=FuelTank(1000.0, 500.0, 50.0),
    )
    product = Product("A", "Widget", "w", (Step("make", ("L1", "L2"), 60.0, 10.0),))
    return Portfolio(
        "kpi",
        horizon,
        (Enterprise("E1", "Empresa"),),
        (plant,),
        (Block("B1", "Bloque"),),
        (product,),
        (Order("O1", "A", 300.0, 0, 10 * 60, 2.0), Order("O2", "A", 400.0, 0, 3 * 1440, 1.0)),
    )


def record(
    line: str, good: float, scrap: float, start: datetime, end: datetime, order: str | None = "O1"
) -> ProductionRecord:
    return ProductionRecord(line, "A", order, good, scrap, start, end)


def stop(line: str, cause: DowntimeCause, start: datetime, end: datetime) -> DowntimeEvent:
    return DowntimeEvent(line, cause, start, end)


def day_kpis(**actuals: object) -> Tally:
    report = compute_kpis(portfolio(), at(6, 0), at(7, 0), "day", **actuals)  # type: ignore[arg-type]
    return report.total("line", "L1")


def test_one_shift_by_hand() -> None:
    """8 h shift, 1 h grid + 0.5 h breakdown, 60/h, 300 good + 20 scrap."""
    t = day_kpis(
        production=[record("L1", 300, 20, at(6, 6), at(6, 14))],
        downtime=[
            stop("L1", DowntimeCause.GRID_OUTAGE, at(6, 10), at(6, 11)),
            stop("L1", DowntimeCause.BREAKDOWN, at(6, 12), at(6, 12.5)),
        ],
    )
    assert t.planned_h == pytest.approx(8.0)
    assert t.run_h == pytest.approx(6.5)
    assert t.availability == pytest.approx(6.5 / 8)  # 0.8125
    assert t.performance == pytest.approx((320 / 60) / 6.5)  # 5.333 h ideal / 6.5 h run
    assert t.quality == pytest.approx(300 / 320)  # 0.9375
    assert t.oee == pytest.approx(0.625)  # 300 good units = 5 h of ideal time in 8 h
    assert t.availability * t.performance * t.quality == pytest.approx(t.oee)  # type: ignore[operator]
    assert t.losses_h == {
        "grid": 1.0,
        "generator": 0.0,
        "fuel": 0.0,
        "breakdown": 0.5,
        "material": 0.0,
        "labour": 0.0,
    }
    assert t.loss_shares["grid"] == pytest.approx(1 / 8)
    assert t.loss_shares["breakdown"] == pytest.approx(0.5 / 8)


def test_losses_split_by_cause_and_planned_stops() -> None:
    """Overlaps are charged once (grid first); planned stops shrink planned time; no loss
    outside the shift."""
    t = day_kpis(
        production=[record("L1", 240, 0, at(6, 6), at(6, 14))],
        downtime=[
            stop("L1", DowntimeCause.PLANNED_STOP, at(6, 6), at(6, 6.5)),
            stop("L1", DowntimeCause.GRID_OUTAGE, at(6, 9), at(6, 11)),
            stop("L1", DowntimeCause.BREAKDOWN, at(6, 10.5), at(6, 11.5)),  # 0.5 h in the outage
            stop("L1", DowntimeCause.NO_FUEL, at(6, 11.5), at(6, 12)),
            stop("L1", DowntimeCause.NO_LABOUR, at(6, 13.75), at(6, 15)),  # 0.25 h in shift
            stop("L1", DowntimeCause.NO_MATERIAL, at(6, 20), at(6, 21)),  # off shift
        ],
    )
    assert t.stop_h == pytest.approx(0.5)
    assert t.planned_h == pytest.approx(7.5)
    assert t.losses_h == pytest.approx(
        {
            "grid": 2.0,
            "generator": 0.0,
            "fuel": 0.5,
            "breakdown": 0.5,
            "material": 0.0,
            "labour": 0.25,
        }
    )
    assert t.run_h == pytest.approx(7.5 - 3.25)
    assert t.availability == pytest.approx(4.25 / 7.5)
    assert t.oee == pytest.approx(4.0 / 7.5)


def test_plant_oee_is_time_weighted() -> None:
    """L1: OEE 5/8; L2: 360 good in a 12 h shift, OEE 6/12. Plant: 11/20, not (0.625+0.5)/2."""
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        "day",
        production=[
            record("L1", 300, 20, at(6, 6), at(6, 14)),
            record("L2", 360, 0, at(6, 6), at(6, 18), "O2"),
        ],
        downtime=[
            stop("L1", DowntimeCause.GRID_OUTAGE, at(6, 10), at(6, 11)),
            stop("L1", DowntimeCause.BREAKDOWN, at(6, 12), at(6, 12.5)),
        ],
    )
    l1, l2 = report.total("line", "L1"), report.total("line", "L2")
    assert (l1.oee, l2.oee) == pytest.approx((0.625, 0.5))
    plant = report.total("plant", "P1")
    assert plant.oee == pytest.approx(11 / 20)
    assert plant.availability == pytest.approx(18.5 / 20)
    assert plant.performance == pytest.approx((320 / 60 + 6) / 18.5)
    assert plant.quality == pytest.approx(11 / (320 / 60 + 6))
    assert plant.oee == pytest.approx(8 / 20 * l1.oee + 12 / 20 * l2.oee)  # type: ignore[operator]
    assert report.total("enterprise", "E1") == plant
    assert plant.value == pytest.approx(300 * 2.0 + 360 * 1.0)


def test_kwh_from_counters_with_a_reset_and_litres_by_share() -> None:
    readings = [
        MeterReading("L1", at(6, 6), 10.0, 1000.0),
        MeterReading("L1", at(6, 10), 10.0, 1040.0),
        MeterReading("L1", at(6, 10.5), 10.0, 5.0),  # reset: 5 kWh since
        MeterReading("L1", at(6, 14), 10.0, 45.0),
        MeterReading("L2", at(6, 6), 5.0, 200.0),
        MeterReading("L2", at(6, 18), 5.0, 215.0),
    ]
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        "day",
        production=[
            record("L1", 300, 20, at(6, 6), at(6, 14)),
            record("L2", 100, 0, at(6, 6), at(6, 12), "O2"),
        ],
        meters=readings,
        fuel_draws=[FuelDraw("G1", 30.0, at(6, 12))],
    )
    l1, l2 = report.total("line", "L1"), report.total("line", "L2")
    assert l1.kwh == pytest.approx(40 + 5 + 40)
    assert l1.kwh_per_unit == pytest.approx(85 / 300)
    assert l2.kwh == pytest.approx(15.0)
    assert l1.litres == pytest.approx(30 * 85 / 100)  # by metered kWh share
    assert report.total("plant", "P1").litres == pytest.approx(30.0)
    (product,) = report.products
    # product energy: metered during its records (L1 all 85; L2 06:00-12:00 = 7.5 of 15)
    assert product.kwh == pytest.approx(85 + 7.5)
    assert product.good == pytest.approx(400)
    assert product.kwh_per_unit == pytest.approx(92.5 / 400)
    assert product.litres_per_unit == pytest.approx(30 / 400)
    columns = MeterArrays(
        ("L2", "L1"),
        np.array([1, 0, 1, 1, 0, 1]),  # unsorted on purpose
        np.array([readings[i].at.timestamp() for i in (0, 4, 1, 2, 5, 3)]),
        np.array([readings[i].kwh for i in (0, 4, 1, 2, 5, 3)]),
    )
    again = compute_kpis(portfolio(), at(6, 0), at(7, 0), "day", meters=columns)
    assert again.total("line", "L1").kwh == pytest.approx(85.0)
    assert again.total("line", "L2").kwh == pytest.approx(15.0)


def test_buckets_share_a_run_across_midnight_and_roll_up() -> None:
    """A 2-day period by day: a record 12:00 day 1 to 12:00 day 2 on L2 splits in half."""
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(8, 0),
        "day",
        production=[record("L2", 720, 0, at(6, 12), at(7, 12), "O2")],
    )
    days = [r for r in report.level("line") if r.key == "L2"]
    assert [r.bucket.label for r in days if r.bucket] == ["2026-04-06", "2026-04-07"]
    assert [r.tally.good for r in days] == pytest.approx([360, 360])
    assert days[0].tally.shift_h == pytest.approx(12.0)
    total = report.total("line", "L2")
    assert total == days[0].tally + days[1].tally
    assert total.oee == pytest.approx(12 / 24)
    weeks = compute_kpis(portfolio(), at(6, 0), at(20, 0), "week")
    assert [b.label for b in weeks.buckets] == ["2026-W15", "2026-W16"]
    months = compute_kpis(portfolio(), at(6, 0), datetime(2026, 5, 3, tzinfo=HAVANA), "month")
    assert [b.label for b in months.buckets] == ["2026-04", "2026-05"]
    assert months.total("line", "L1").shift_h == pytest.approx(27 * 8)  # 6 Apr - 2 May


def test_adherence_planned_energy_and_value() -> None:
    plan = Plan(
        "dispatch",
        (Operation("O1", 0, "L1", 6 * 60, 12 * 60, 300.0),),  # 06:00-12:00 on day 1
        (),
        (),
        (
            OrderOutcome("O1", OrderStatus.ON_TIME, 12 * 60, 0, 600.0),
            OrderOutcome("O2", OrderStatus.UNSCHEDULED, None, 0, 0.0, "no power"),
        ),
    )
    report = compute_kpis(
        portfolio(),
        at(6, 0),
        at(7, 0),
        "day",
        plan=plan,
        production=[
            record("L1", 200, 0, at(6, 6), at(6, 10)),
            record("L1", 100, 0, at(6, 11), at(6, 13)),
        ],
    )
    line = report.total("line", "L1")
    assert line.planned_qty == pytest.approx(300)
    assert line.adherence == pytest.approx(1.0)
    assert line.planned_kwh == pytest.approx(10.0 * 6)
    assert line.planned_value == pytest.approx(600.0)
    assert line.value == pytest.approx(600.0)
    (o1,) = [o for o in report.orders if o.order_id == "O1"]
    assert o1.completed == at(6, 13)  # due 10:00
    assert o1.status == "late"
    assert report.on_time_share == 0.0
    plant = report.total("plant", "P1")
    assert (plant.orders_due, plant.orders_on_time) == (1, 0)


def test_plan_report_charts_the_kpis_when_given() -> None:
    from ingenio.planning.dispatch import dispatch
    from ingenio.planning.summary import summarise
    from ingenio.reports.plan import render_plan_report

    p = portfolio()
    plan = dispatch(p)
    kpis = compute_kpis(
        p, at(6, 0), at(7, 0), "day", plan=plan,
        production=[record("L1", 300, 20, at(6, 6), at(6, 14))],
        downtime=[stop("L1", DowntimeCause.GRID_OUTAGE, at(6, 10), at(6, 11))],
    )  # fmt: skip
    page = render_plan_report(p, plan, summarise(p, plan), kpis=kpis)
    assert page.count('<script type="text/javascript">') == 1  # plotly.js inlined once
    assert "What really happened" in page and 'id="kpi-wf"' in page
    assert "What really happened" not in render_plan_report(p, plan, summarise(p, plan))
