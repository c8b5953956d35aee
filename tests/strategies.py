"""Hypothesis strategies for small random but valid portfolios.

``portfolios()`` draws 1-2 plants (1-3 lines each with random weekly shifts,
grid-off windows of random probability, 0-2 generators, a tank or none, solar
or none, 0-2 shared resources), an optional depot, fuel deliveries, 1-3
products of 1-3 steps (some uninterruptible) and 1-12 orders over 2-3 days at
15, 30, 45 or 60-minute slots, sometimes across a daylight-saving change;
some orders come after others (predecessors).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from ingenio.domain import (
    ALWAYS,
    MINUTES_PER_DAY,
    STAGES,
    Battery,
    Block,
    Depot,
    Enterprise,
    FuelDelivery,
    FuelTank,
    Generator,
    Horizon,
    Line,
    LoadShedding,
    Order,
    OutageWindow,
    Plant,
    Portfolio,
    PriorityClass,
    Product,
    Resource,
    ShiftPattern,
    Solar,
    StageDay,
    StageForecast,
    Step,
    Window,
    expand_shifts,
)

ZONE = "America/Havana"
ORIGINS = (
    datetime(2026, 4, 6, tzinfo=ZoneInfo(ZONE)),  # a Monday
    datetime(2026, 3, 7, tzinfo=ZoneInfo(ZONE)),  # DST starts 2026-03-08 00:00
    datetime(2026, 10, 31, tzinfo=ZoneInfo(ZONE)),  # DST ends 2026-11-01 01:00
    datetime(2026, 4, 6, 7, 30, tzinfo=ZoneInfo(ZONE)),  # origin not at midnight
)


@st.composite
def shift_patterns(draw: st.DrawFn) -> tuple[ShiftPattern, ...]:
    """ALWAYS, or 1-2 patterns at random minutes (multiples of 5) and weekdays."""
    if draw(st.booleans()):
        return (ALWAYS,)
    out = []
    for _ in range(draw(st.integers(1, 2))):
        days = draw(st.frozensets(st.integers(0, 6), min_size=1))
        start = draw(st.integers(0, 287)) * 5
        length = draw(st.integers(48, 240)) * 5  # 4 to 20 hours
        out.append(ShiftPattern(days, start, (start + length) % 1440))
    return tuple(out)


@st.composite
def outages(draw: st.DrawFn, minutes: int) -> tuple[OutageWindow, ...]:
    """0-4 non-overlapping windows, minutes multiples of 5, some improbable."""
    cuts = sorted(draw(st.sets(st.integers(0, minutes // 5), max_size=8)))
    out = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        prob = draw(st.sampled_from((1.0, 1.0, 0.8, 0.5, 0.3)))
        out.append(OutageWindow(Window(a * 5, b * 5), prob))
    return tuple(out)


@st.composite
def batteries(draw: st.DrawFn, plant_id: str) -> tuple[Battery, ...]:
    """0-2 batteries of random size, power, efficiency and state of charge."""
    out = []
    for i in range(draw(st.integers(0, 2))):
        low = draw(st.sampled_from((0.0, 0.1, 0.3)))
        out.append(
            Battery(
                f"{plant_id}S{i}",
                plant_id,
                capacity_kwh=draw(st.sampled_from((20.0, 100.0, 400.0))),
                power_kw=draw(st.sampled_from((15.0, 50.0, 150.0))),
                charge_kw=draw(st.sampled_from((10.0, 40.0, 200.0))),
                efficiency=draw(st.sampled_from((0.75, 0.9, 1.0))),
                min_soc=low,
                initial_soc=draw(st.sampled_from((low, 0.5 if low <= 0.5 else low, 1.0))),
                generator_charging=draw(st.booleans()),
            )
        )
    return tuple(out)


@st.composite
def load_shedding(draw: st.DrawFn, horizon: Horizon) -> LoadShedding | None:
    """None, or a nested stage schedule (each stage adds 0-2 windows to the one below)
    for every day of the horizon, with a random forecast on some days."""
    if not draw(st.booleans()):
        return None
    days, forecast = [], []
    for d in range(horizon.days):
        base = d * MINUTES_PER_DAY
        stages: list[tuple[Window, ...]] = []
        current: tuple[Window, ...] = ()
        for _ in range(STAGES):
            for _ in range(draw(st.integers(0, 2))):
                start = base + draw(st.integers(0, 44)) * 30
                current = (*current, Window(start, start + 150))
            stages.append(current)
        days.append(StageDay(base, tuple(stages)))
        if draw(st.booleans()):
            s1, s2 = draw(st.integers(1, 8)), draw(st.integers(1, 8))
            p1 = draw(st.sampled_from((0.3, 0.5, 0.7, 1.0)))
            probs = {s1: p1} if s1 == s2 or p1 == 1.0 else {s1: p1, s2: round(1 - p1, 2)}
            forecast.append(StageForecast(base, probs))
    return LoadShedding(tuple(days), tuple(forecast))


@st.composite
def plants(
    draw: st.DrawFn,
    index: int,
    horizon: Horizon,
    with_batteries: bool = False,
    with_timing: bool = False,
) -> tuple[Plant, Block]:
    """One plant with its own outage block (batteries, islanding solar, load-shedding
    stages and generator start litres drawn only ``with_batteries``, so other tests keep
    their examples; generator start minutes, minimum runs and start litres, with up to
    three generators sharing the load, only ``with_timing``)."""
    pid = f"P{index}"
    shed = draw(load_shedding(horizon)) if with_batteries else None
    block = Block(f"B{index}", f"block {index}", draw(outages(horizon.minutes)), shed)
    lines = tuple(
        Line(f"{pid}L{i}", f"line {i}", pid, expand_shifts(pats, horizon), pats)
        for i in range(draw(st.integers(1, 3)))
        for pats in [draw(shift_patterns())]
    )
    gens = tuple(
        Generator(
            f"{pid}G{i}",
            f"generator {i}",
            pid,
            rated_kw=draw(st.sampled_from((20.0, 50.0, 80.0, 150.0))),
            min_load_fraction=draw(st.sampled_from((0.0, 0.3, 0.5, 1.0))),
            fuel_a=draw(st.sampled_from((0.0, 0.08))),
            fuel_b=draw(st.sampled_from((0.1, 0.25))),
            start_litres=draw(st.sampled_from((0.0, 0.5, 3.0)))
            if with_batteries or with_timing
            else 0.0,
            start_minutes=draw(st.sampled_from((0, 5, 15, 40))) if with_timing else 0,
            min_run_minutes=draw(st.sampled_from((0, 30, 60, 180))) if with_timing else 0,
        )
        for i in range(draw(st.integers(1 if with_timing else 0, 3 if with_timing else 2)))
    )
    tank = None
    if draw(st.integers(0, 2)):
        capacity = draw(st.sampled_from((40.0, 200.0, 1000.0)))
        reserve = capacity * draw(st.sampled_from((0.0, 0.1, 0.3)))
        stock = capacity * draw(st.sampled_from((0.0, 0.2, 0.6, 1.0)))
        tank = FuelTank(capacity, stock, reserve)
    solar = None
    if draw(st.booleans()):
        peak = draw(st.sampled_from((10.0, 40.0, 120.0)))
        islanding = draw(st.booleans()) if with_batteries else False
        shape = tuple(peak * max(0.0, 1 - abs(h - 12.5) / 6) for h in range(24))
        solar = Solar(shape, islanding)
    resources = tuple(
        Resource(
            f"{pid}R{i}",
            f"crew {i}",
            pid,
            draw(st.sampled_from((1, 2, 2, 3, 0))),
            tuple(
                (draw(st.integers(0, horizon.minutes)), draw(st.sampled_from((2, 1, 3, 0))))
                for _ in range(draw(st.integers(0, 2)))
            ),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    grid = draw(st.sampled_from((0.0, 30.0, 100.0, 300.0)))
    bats = draw(batteries(pid)) if with_batteries else ()
    plant = Plant(
        pid, f"plant {index}", "E1", block.id, grid, lines, resources, gens, tank, solar, bats
    )
    return plant, block


@st.composite
def products(draw: st.DrawFn, index: int, plant: Plant) -> Product:
    """A product of 1-3 steps on the lines of ``plant``."""
    line_ids = [ln.id for ln in plant.lines]
    res_ids = [r.id for r in plant.resources]
    steps = []
    for k in range(draw(st.integers(1, 3))):
        uninterruptible = draw(st.integers(0, 3)) == 0
        steps.append(
            Step(
                name=f"step {k}",
                lines=tuple(draw(st.lists(st.sampled_from(line_ids), min_size=1, max_size=3))),
                rate_per_hour=draw(st.sampled_from((10.0, 30.0, 60.0, 200.0))),
                power_kw=draw(st.sampled_from((0.0, 15.0, 45.0, 90.0, 160.0))),
                setup_minutes=draw(st.sampled_from((0, 0, 10, 45))),
                interruptible=not uninterruptible,
                restart_minutes=draw(st.sampled_from((0, 5, 20))),
                resources={
                    r: draw(st.sampled_from((1, 1, 2)))
                    for r in draw(st.lists(st.sampled_from(res_ids), max_size=2, unique=True))
                }
                if res_ids
                else {},
            )
        )
    return Product(f"X{index}", f"product {index}", f"fam{index % 2}", tuple(steps))


@st.composite
def portfolios(
    draw: st.DrawFn, with_batteries: bool = False, with_timing: bool = False
) -> Portfolio:
    """A small random valid portfolio (see the module docstring); ``with_batteries``:
    plants have 0-2 batteries and solar arrays that island or not; ``with_timing``:
    1-3 generators a plant with start minutes, minimum runs and start litres."""
    horizon = Horizon(
        draw(st.sampled_from(ORIGINS)),
        draw(st.integers(2, 3)),
        draw(st.sampled_from((15, 30, 45, 60))),
        ZONE,
    )
    minutes = horizon.minutes
    pairs = [
        draw(plants(i, horizon, with_batteries, with_timing))
        for i in range(draw(st.integers(1, 2)))
    ]
    plant_list = tuple(p for p, _ in pairs)
    prods = tuple(
        draw(products(i, draw(st.sampled_from(plant_list)))) for i in range(draw(st.integers(1, 3)))
    )
    depots = ()
    if draw(st.booleans()):
        depots = (Depot("D1", "depot", draw(st.sampled_from((0.0, 100.0, 2000.0)))),)
    targets = [p.id for p in plant_list] + [d.id for d in depots]
    deliveries = []
    for i in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, minutes))
        deliveries.append(
            FuelDelivery(
                f"F{i}",
                draw(st.sampled_from((10.0, 150.0, 600.0))),
                at,
                max(0, at - 60),
                at + 60,
                draw(st.sampled_from(targets)),
            )
        )
    orders = []
    for i in range(draw(st.integers(1, 12))):
        release = draw(st.integers(0, minutes - 60))
        due = release + draw(st.integers(60, minutes))
        orders.append(
            Order(
                f"O{i:02d}",
                draw(st.sampled_from(prods)).id,
                draw(st.sampled_from((1.0, 12.5, 40.0, 100.0))),
                release,
                due,
                draw(st.sampled_from((0.0, 3.0, 10.0))),
                draw(st.sampled_from(list(PriorityClass))),
                tuple(  # predecessors among earlier orders: no cycle
                    sorted(draw(st.sets(st.sampled_from([o.id for o in orders]), max_size=2)))
                    if orders and draw(st.integers(0, 3)) == 0
                    else ()
                ),
            )
        )
    return Portfolio(
        name="random",
        horizon=horizon,
        enterprises=(Enterprise("E1", "enterprise"),),
        plants=plant_list,
        blocks=tuple(b for _, b in pairs),
        products=prods,
        orders=tuple(orders),
        depots=depots,
        deliveries=tuple(deliveries),
        late_decay_per_day=draw(st.sampled_from((0.0, 0.1, 0.5))),
    )
