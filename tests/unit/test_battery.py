"""A battery that bridges a 2-hour blackout but not a 3-hour one, by hand.

Plant P: grid 100 kW, block B off ``[240, 240 + outage)``, no generator, no solar.
Battery BAT: 250 kWh, floor 20 % (50 kWh), starts full, 120 kW out, 50 kW in, round
trip 0.9: 200 kWh usable.

One order: one uninterruptible 100 kW step of 360 minutes (360 units at 60 units/h),
released at 0, due 360, value 1/unit (360), decay 0.1/day.

* 2-hour outage ``[240, 360)``: the bridge profile offers min(120, 200 kWh / 2 h) =
  100 kW, enough for the line: it runs [0, 360) on time, the battery gives 100 kW for
  the 2 hours and ends at its 50 kWh floor.
* 3-hour outage ``[240, 420)``: the profile offers 200 / 3 = 66.7 kW, not enough: the
  step cannot cross the outage, so it runs [420, 780), 420 minutes late.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from battery_portfolios import build

from ingenio.domain import (
    BatteryFlow,
    Block,
    Order,
    OrderStatus,
    OutageWindow,
    Plan,
    Product,
    Step,
    Window,
)
from ingenio.energy import battery_profile, build_timeline
from ingenio.operations.replan import merge, prepare, with_outage
from ingenio.planning.dispatch import dispatch
from ingenio.planning.explain import with_explanations
from ingenio.planning.portfolio import upper_bound
from ingenio.planning.schedule import SolveParams, schedule_plant
from ingenio.planning.summary import battery_empty, battery_levels
from ingenio.reports.plan_charts import plant_figure
from ingenio.validate import validate


def span(plan: Plan) -> tuple[int, int]:
    """Start and end of the order's one operation."""
    (op,) = plan.operations
    return op.start, op.end


def test_profile_spreads_the_battery_over_the_outage() -> None:
    two = battery_profile(build(120), "P").offer_kw["BAT"]
    assert two[239] == 0.0 and two[240] == 100.0 and two[359] == 100.0 and two[360] == 0.0
    three = battery_profile(build(180), "P").offer_kw["BAT"]
    assert three[300] == pytest.approx(200.0 / 3)


@pytest.mark.parametrize(("outage", "expected"), [(120, (0, 360)), (180, (420, 780))])
def test_dispatch_bridges_two_hours_not_three(outage: int, expected: tuple[int, int]) -> None:
    p = build(outage)
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert span(plan) == expected


def test_dispatch_flows_of_the_two_hour_bridge() -> None:
    plan = dispatch(build(120))
    flows = plan.battery_flows
    # one row per 15-minute slot of the outage, 100 kW each: 200 kWh out
    assert [(f.start, f.end, f.kw) for f in flows] == [
        (240 + 15 * i, 255 + 15 * i, 100.0) for i in range(8)
    ]
    (outcome,) = plan.outcomes
    assert outcome.status is OrderStatus.ON_TIME and outcome.value == 360.0


def test_without_the_battery_the_line_waits() -> None:
    p = build(120, battery=None)
    assert span(dispatch(p)) == (360, 720)


# The plant model plans the state of charge: in the 3-hour outage it empties the battery
# at 100 kW in its first 2 hours, which the profile's 66.7 kW cannot (test_battery_soc.py).
@pytest.mark.parametrize(("outage", "expected"), [(120, (0, 360)), (180, (0, 360))])
def test_plant_model_bridges_two_hours_not_three(outage: int, expected: tuple[int, int]) -> None:
    p = build(outage)
    plan = schedule_plant(p, SolveParams(time_limit_s=5.0, workers=1)).plan
    assert validate(p, plan) == []
    assert span(plan) == expected


@pytest.mark.parametrize("outage", [120, 180])
def test_bound_is_above_the_plans(outage: int) -> None:
    p = build(outage)
    bound = upper_bound(p)
    assert bound >= dispatch(p).value - 1e-6
    # 2 hours: the battery gives the LP the whole order on time
    assert bound == pytest.approx(360.0, rel=1e-5)


def test_bound_without_the_battery() -> None:
    # Without it the order cannot be on time: 240 grid minutes before the due date for
    # 360 minutes of work. The best late tier ends after the outage: at least 360 min
    # late, 0.1 * 0.25 day lost: 351.
    assert upper_bound(build(120, battery=None)) == pytest.approx(351.0, rel=1e-5)


def test_charging_after_a_first_outage() -> None:
    # Two outages: [240, 360) and [600, 720). After the first the battery (at 50 kWh)
    # reserves 50 kW from 360 until full: 200 kWh / (50 kW * 0.9) = 266.7 min, so it
    # reserves [360, 600) (240 min, the whole gap) and holds 50 + 180 = 230 kWh.
    p = build(120)
    blocks = (Block("B", "B", (OutageWindow(Window(240, 360)), OutageWindow(Window(600, 720)))),)
    p = replace(p, blocks=blocks)
    prof = battery_profile(p, "P")
    assert prof.offer_kw["BAT"][360] == -50.0 and prof.offer_kw["BAT"][599] == -50.0
    assert prof.stored_kwh["BAT"][600] == pytest.approx(230.0)
    assert prof.offer_kw["BAT"][600] == pytest.approx(min(120.0, 180.0 / 2))
    plan = dispatch(p)
    assert validate(p, plan) == []
    charged = sum(-f.kw * (f.end - f.start) / 60 for f in plan.battery_flows if f.kw < 0)
    assert charged == pytest.approx(200.0)  # 50 kW from the grid for 240 min


def test_explanation_names_the_empty_battery() -> None:
    # A second line L2 and order O2: 50 kW for 120 minutes, released at 240, due 360.
    # O takes the battery's 100 kW through the 2-hour outage and empties it at 360
    # (02:00 + 4 h = 06:00 local), so O2 waits for the grid: [360, 480), late.
    p = build(120)
    plant = p.plants[0]
    l2 = replace(plant.lines[0], id="L2", name="Line 2")
    p = replace(
        p,
        plants=(replace(plant, lines=(*plant.lines, l2)),),
        products=(*p.products, Product("Y", "Y", "g", (Step("run", ("L2",), 60.0, 50.0),))),
        orders=(*p.orders, Order("O2", "Y", 120.0, 240, 360, 1.0)),
    )
    plan = with_explanations(p, dispatch(p))
    assert validate(p, plan) == []
    by_id = {o.order_id: o for o in plan.outcomes}
    assert by_id["O"].status is OrderStatus.ON_TIME
    assert by_id["O2"].status is OrderStatus.LATE
    assert by_id["O2"].reason == (
        "battery BAT empty at 2026-04-06 06:00; line L2 has 0.0 h of power before the due "
        "date, the order needs 2.0 h"
    )


def test_report_draws_the_state_of_charge_under_the_tank() -> None:
    p = build(120)
    plan = dispatch(p)
    assert battery_levels(p, plan, "BAT") == [
        (0, 250.0),
        (240, 250.0),
        *[(255 + 15 * i, 250.0 - 25.0 * (i + 1)) for i in range(8)],
        (1440, 50.0),
    ]
    assert battery_empty(p, plan, "BAT") == [360]
    fig = plant_figure(p, plan, "P")
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:4] == [
        "lines",
        "fuel tank",
        "battery state of charge",
        "load vs available power",
    ]
    soc = next(t for t in fig.data if t.name == "BAT state of charge")
    assert soc.y[0] == 100.0 and soc.y[-1] == 20.0


def test_timeline_counts_the_bridge() -> None:
    tl = build_timeline(build(120), "P")
    assert tl.battery_kw[15] == 0.0 and tl.battery_kw[16] == 100.0 and tl.battery_kw[23] == 100.0
    assert tl.base_kw(16) == 100.0  # grid off, the battery's 100 kW


def test_replan_keeps_battery_flows() -> None:
    # An unplanned 1-hour blackout at minute 600, after the planned one. The merged plan's
    # flows follow its whole load: the same discharge through [240, 360), and now a
    # recharge after it (there is a later blackout to charge for), within every rule.
    p = build(120)
    plan = dispatch(p)
    world = with_outage(p, "P", Window(600, 660), 600)
    problem = prepare(world, plan, 600, "P")
    new = merge(problem, dispatch(problem.portfolio), "replan:dispatch")
    assert validate(world, new) == []
    assert [f for f in new.battery_flows if f.end <= 360] == list(plan.battery_flows)
    assert new.battery_flows[8] == BatteryFlow("BAT", 360, 375, -50.0)
