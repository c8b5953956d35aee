"""Generators as they run, by hand: warm-up minutes, minimum runs, load sharing.

Plant P: grid ``grid`` kW, block off ``outages``; generators as given; tank ``tank`` L,
reserve 0. One order: an interruptible step of ``kw`` kW, 480 minutes, released at 0,
due 480; 15-minute slots.

* Warm-up: G 100 kW, no minimum load, 0.1 L/h per rated kW at idle (10 L/h), 0.25 L/kWh,
  a start 5 L and 15 minutes. An 80 kW load through the outage [120, 180) burns 30 L/h:
  30 L running, 5 L at the crank minute 105, 2.5 L of warm-up over [105, 120): 37.5 L.
* Load sharing: G1 200 kW (0.05 L/h per kW idle, 0.25 L/kWh), G2 100 kW (0.05, 0.3),
  both at least 30 % loaded; 300 kW for the hour [120, 180) needs both flat out:
  G1 10 + 50 = 60 L, G2 5 + 30 = 35 L, 95 L in all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ingenio.domain import (
    ALWAYS,
    Block,
    DomainError,
    Enterprise,
    FuelTank,
    Generator,
    GeneratorRun,
    Horizon,
    Line,
    Order,
    OrderStatus,
    OutageWindow,
    Plan,
    Plant,
    Portfolio,
    Product,
    Step,
    Window,
    expand_shifts,
)
from ingenio.formats.portfolio import parse_portfolio, portfolio_to_document
from ingenio.planning.dispatch import dispatch
from ingenio.planning.genruns import shape_runs, slot_burn
from ingenio.planning.optimise import optimise
from ingenio.planning.schedule import SolveParams
from ingenio.planning.summary import summarise
from ingenio.planning.summary.fuel import lowest, tank_levels
from ingenio.validate import validate

HORIZON = Horizon(datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana")), 1, 15)


def gen(gid: str = "G", **kw: Any) -> Generator:
    base: dict[str, Any] = {
        "rated_kw": 100.0,
        "min_load_fraction": 0.0,
        "fuel_a": 0.1,
        "fuel_b": 0.25,
        "start_litres": 5.0,
        "start_minutes": 15,
    }
    base.update(kw)
    return Generator(gid, gid, "P", **base)


def build(
    gens: tuple[Generator, ...],
    *,
    kw: float = 80.0,
    grid: float = 100.0,
    tank: float = 100.0,
    outages: tuple[tuple[int, int], ...] = ((120, 180),),
) -> Portfolio:
    plant = Plant(
        "P",
        "Plant",
        "E",
        "B",
        grid,
        (Line("L", "Line", "P", expand_shifts((ALWAYS,), HORIZON), (ALWAYS,)),),
        generators=gens,
        tank=FuelTank(max(tank, 1.0), tank, 0.0),
    )
    off = tuple(OutageWindow(Window(a, b)) for a, b in outages)
    return Portfolio(
        name="timing",
        horizon=HORIZON,
        enterprises=(Enterprise("E", "E"),),
        plants=(plant,),
        blocks=(Block("B", "B", off),),
        products=(Product("X", "X", "f", (Step("run", ("L",), 60.0, kw),)),),
        orders=(Order("O", "X", 480.0, 0, 480, 1.0),),
    )


def litres(p: Portfolio, plan: Plan) -> float:
    """All fuel of the plan's runs as the rules count it (runs, starts, warm-ups)."""
    by_id = {g.id: g for g in p.plants[0].generators}
    return float(slot_burn(by_id, plan.generator_runs, 15, HORIZON.slots).sum())


def test_a_start_costs_its_litres_and_its_minutes() -> None:
    p = build((gen(),))
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert [(r.start, r.end, r.output_kw) for r in plan.generator_runs] == [(120, 180, 80.0)]
    assert litres(p, plan) == pytest.approx(37.5)
    assert plan.outcomes[0].status is OrderStatus.ON_TIME


def test_summary_and_tank_line_count_the_start() -> None:
    # the report's figures: 37.5 L used, the tank at its lowest 62.5 L from minute 180;
    # the start's 5 L leave at the crank minute 105, the warm-up burns until 120
    p = build((gen(),))
    plan = dispatch(p)
    assert summarise(p, plan).total_fuel_used_l == pytest.approx(37.5)
    levels = dict(tank_levels(p, plan, "P"))
    assert levels[120] == pytest.approx(92.5)
    assert lowest(tank_levels(p, plan, "P")) == (180, pytest.approx(62.5))


def test_the_warm_up_litres_decide() -> None:
    # 36 L: the hour needs 37.5 L with its start. The generator carries 45 minutes
    # (5 + 2.5 + 22.5 = 30 L) and the line waits 15; a free, instant start fits (30 L).
    p = build((gen(),), tank=36.0)
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert litres(p, plan) <= 36.0 + 1e-9
    (outcome,) = plan.outcomes
    assert (outcome.status, outcome.lateness_minutes) == (OrderStatus.LATE, 15)
    free = build((gen(start_minutes=0, start_litres=0.0),), tank=36.0)
    assert dispatch(free).outcomes[0].status is OrderStatus.ON_TIME


def test_no_load_before_the_first_warm_up_ends() -> None:
    # Off from minute 0: a 15-minute start cannot carry load before minute 15.
    p = build((gen(),), outages=((0, 60),))
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert [(r.start, r.end) for r in plan.generator_runs] == [(15, 60)]
    assert plan.outcomes[0].lateness_minutes == 15
    quick = build((gen(start_minutes=0),), outages=((0, 60),))
    assert dispatch(quick).outcomes[0].status is OrderStatus.ON_TIME


def test_a_minimum_run_burns_on_after_the_load() -> None:
    # A 30-minute outage and a 60-minute minimum run at 40 % load: [120, 150) at
    # 80 kW, then [150, 180) at 40 kW (10 + 10 = 20 L/h): 15 + 10 + 5 + 2.5 = 32.5 L.
    g = gen(min_run_minutes=60, min_load_fraction=0.4)
    p = build((g,), outages=((120, 150),))
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert [(r.start, r.end, r.output_kw) for r in plan.generator_runs] == [
        (120, 150, 80.0),
        (150, 180, 40.0),
    ]
    assert litres(p, plan) == pytest.approx(32.5)


def test_a_short_stop_keeps_the_generator_running() -> None:
    # Outages [120, 180) and [195, 255) with a 30-minute start: the 15-minute stop is too
    # short to start again, so G runs on at its minimum load through it.
    g = gen(start_minutes=30, min_load_fraction=0.5)
    p = build((g,), outages=((120, 180), (195, 255)))
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert [(r.start, r.end, r.output_kw) for r in plan.generator_runs] == [
        (120, 180, 80.0),
        (180, 195, 50.0),
        (195, 255, 80.0),
    ]


def test_validator_refuses_a_run_shorter_than_the_minimum() -> None:
    p = build((gen(min_run_minutes=60),))
    short = Plan("hand", (), (GeneratorRun("G", 120, 150, 50.0),), (), ())
    found = [v for v in validate(p, short) if v.rule.startswith("generator")]
    assert [(v.rule, v.subject) for v in found] == [("generator-run", "P")]
    assert "runs only 30 min during minutes [120, 150)" in found[0].message
    # a run that reaches the end of the horizon goes on past it: no violation
    end = HORIZON.minutes
    tail = Plan("hand", (), (GeneratorRun("G", end - 30, end, 50.0),), (), ())
    assert not [v for v in validate(p, tail) if v.rule == "generator-run"]


def test_validator_refuses_a_start_without_its_warm_up() -> None:
    p = build((gen(),))
    early = Plan("hand", (), (GeneratorRun("G", 10, 60, 50.0),), (), ())
    found = [v for v in validate(p, early) if v.rule == "generator-start"]
    assert len(found) == 1 and "cranked at minute -5" in found[0].message
    restart = Plan(
        "hand",
        (),
        (GeneratorRun("G", 120, 180, 50.0), GeneratorRun("G", 190, 240, 50.0)),
        (),
        (),
    )
    found = [v for v in validate(p, restart) if v.rule == "generator-start"]
    assert len(found) == 1 and "while it still runs until minute 180" in found[0].message


def test_validator_counts_the_warm_up_fuel() -> None:
    # 37 L: the run needs 37.5 L with its warm-up and start.
    p = build((gen(),), tank=37.0)
    plan = Plan("hand", (), (GeneratorRun("G", 120, 180, 80.0),), (), ())
    found = [v for v in validate(p, plan) if v.rule == "fuel-reserve"]
    assert len(found) == 1 and "tank falls to -0.5 L" in found[0].message
    assert not [v for v in validate(build((gen(),), tank=37.5), plan) if v.rule == "fuel-reserve"]


def sharing() -> Portfolio:
    g1 = gen("G1", rated_kw=200.0, min_load_fraction=0.3, fuel_a=0.05, fuel_b=0.25)
    g2 = gen("G2", rated_kw=100.0, min_load_fraction=0.3, fuel_a=0.05, fuel_b=0.3)
    gens = tuple(replace(g, start_litres=0.0, start_minutes=0) for g in (g1, g2))
    return build(gens, kw=300.0, grid=300.0, tank=500.0)


def test_two_generators_share_300_kw() -> None:
    p = sharing()
    plan = dispatch(p)
    assert validate(p, plan) == []
    runs = sorted((r.generator_id, r.start, r.end, r.output_kw) for r in plan.generator_runs)
    assert runs == [("G1", 120, 180, 200.0), ("G2", 120, 180, 100.0)]
    assert litres(p, plan) == pytest.approx(95.0)


def test_validator_catches_one_generator_overloaded_while_the_total_fits() -> None:
    p = sharing()
    plan = dispatch(p)
    hand = replace(
        plan,
        generator_runs=(
            GeneratorRun("G1", 120, 180, 250.0),
            GeneratorRun("G2", 120, 180, 50.0),
        ),
    )
    found = validate(p, hand)
    assert [(v.rule, v.subject) for v in found] == [("generator-load", "P")]
    assert "generator G1 runs at 250.0 kW" in found[0].message


def test_optimised_plan_keeps_the_timing_rules() -> None:
    g = gen(min_run_minutes=90, min_load_fraction=0.4)
    p = build((g,), outages=((120, 150), (300, 330)))
    plan = optimise(p, SolveParams(time_limit_s=2.0, workers=1), processes=1)
    assert validate(p, plan) == []
    assert plan.outcomes[0].status is OrderStatus.ON_TIME


def test_shape_runs_joins_a_minimum_run_to_the_next_stretch() -> None:
    g = gen(min_run_minutes=60, start_minutes=0, min_load_fraction=0.5)
    runs = [GeneratorRun("G", 0, 15, 80.0), GeneratorRun("G", 45, 60, 80.0)]
    shaped = shape_runs({"G": g}, runs, 1440)
    assert [(r.start, r.end, r.output_kw) for r in shaped] == [
        (0, 15, 80.0),
        (15, 45, 50.0),
        (45, 60, 80.0),
    ]


def test_file_round_trip_and_bad_values() -> None:
    p = build((gen(min_run_minutes=60),))
    doc: dict[str, Any] = portfolio_to_document(p)
    g = doc["plants"][0]["generators"][0]
    assert (g["start_minutes"], g["min_run_minutes"]) == (15, 60)
    assert parse_portfolio(doc, "p.yaml") == p
    g["start_minutes"] = -5
    with pytest.raises(DomainError) as err:
        parse_portfolio(doc, "p.yaml")
    text = str(err.value)
    assert "p.yaml" in text and "start_minutes" in text and "-5" in text
