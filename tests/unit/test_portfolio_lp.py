"""The portfolio LP: its bound on tiny hand-checkable portfolios, its fuel split, and
that it bounds every valid plan (property-based)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import build_plan, build_portfolio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import portfolios

from ingenio.domain import (
    Block,
    Depot,
    Enterprise,
    FuelTank,
    Generator,
    Horizon,
    Line,
    Order,
    OutageWindow,
    Plant,
    Portfolio,
    Product,
    Step,
    Window,
)
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise import dispatch_planner, optimise
from ingenio.planning.portfolio import allocate, create_model, upper_bound
from ingenio.planning.schedule import SolveParams
from ingenio.validate import validate

ORIGIN = datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana"))
DAY = 1440


def _plant(
    pid: str,
    *,
    shifts: tuple[Window, ...],
    grid: float = 1000.0,
    gen: bool = False,
    stock: float = 0.0,
) -> Plant:
    gens = (Generator(f"{pid}G", "genset", pid, 100.0, 0.0, 0.0, 0.25),) if gen else ()
    tank = FuelTank(1000.0, stock, 0.0) if gen else None
    return Plant(
        pid,
        pid,
        "E",
        f"B{pid}",
        grid,
        (Line(f"{pid}L", f"{pid} line", pid, shifts),),
        generators=gens,
        tank=tank,
    )


def _portfolio(
    plants: list[Plant],
    orders: list[Order],
    *,
    off: dict[str, list[Window]] | None = None,
    depot: float | None = None,
    decay: float = 0.1,
    power: float = 10.0,
) -> Portfolio:
    off = off or {}
    blocks = tuple(
        Block(f"B{p.id}", "b", tuple(OutageWindow(w) for w in off.get(p.id, []))) for p in plants
    )
    products = tuple(
        Product(f"X{p.id}", "x", "f", (Step("make", (f"{p.id}L",), 60.0, power),)) for p in plants
    )
    return Portfolio(
        name="lp",
        horizon=Horizon(ORIGIN, 1, 60),
        enterprises=(Enterprise("E", "e"),),
        plants=tuple(plants),
        blocks=blocks,
        products=products,
        orders=tuple(orders),
        depots=(Depot("D", "depot", depot),) if depot is not None else (),
        late_decay_per_day=decay,
    )


def test_bound_is_the_fractional_knapsack_when_the_line_binds() -> None:
    # One line, 600 shift minutes, 1 unit a minute: O3 (400 min, 3/unit) whole, then
    # 200 of O2's 300 minutes at 2/unit: 1200 + 400 = 1600. Nothing can be late: the
    # shift ends at 600.
    p = _portfolio(
        [_plant("P", shifts=(Window(0, 600),))],
        [
            Order("O1", "XP", 300.0, 0, 600, 1.0),
            Order("O2", "XP", 300.0, 0, 600, 2.0),
            Order("O3", "XP", 400.0, 0, 600, 3.0),
        ],
    )
    assert upper_bound(p) == pytest.approx(1600.0, rel=1e-5)
    assert dispatch(p).value <= upper_bound(p)


def test_bound_counts_only_minutes_with_power() -> None:
    # A 100 kW step on a 100 kW grid that is off during [0, 300), no generator, a shift
    # ending at 600: 300 minutes of power. O2 (200 min, 2/unit) whole and half of O1
    # (200 min, 1/unit): 400 + 100. Without decay a late completion earns full value,
    # but the shift ends at the due date: nothing can be late.
    p = _portfolio(
        [_plant("P", shifts=(Window(0, 600),), grid=100.0)],
        [Order("O1", "XP", 200.0, 0, 600, 1.0), Order("O2", "XP", 200.0, 0, 600, 2.0)],
        off={"P": [Window(0, 300)]},
        power=100.0,
    )
    assert upper_bound(p) == pytest.approx(500.0, rel=1e-5)
    # With the shift all day and no decay, 600 units can all be done late: 600.
    q = _portfolio(
        [_plant("P", shifts=(Window(0, DAY),), grid=100.0)],
        [Order("O1", "XP", 600.0, 0, 600, 1.0)],
        off={"P": [Window(0, 300)]},
        power=100.0,
        decay=0.0,
    )
    assert upper_bound(q) == pytest.approx(600.0, rel=1e-5)


def test_coarse_line_capacity_counts_only_minutes_with_power() -> None:
    # A 100 kW step on a 200 kW grid off during [0, 300), no generator: the coarse model
    # (one bucket for the day) has each order's column at most 300 usable minutes, and
    # energy to spare; the line row must count only those 300 minutes, not the 600 of
    # the shift: O2 whole (200 min, 2/unit) and half of O1: 400 + 100.
    p = _portfolio(
        [_plant("P", shifts=(Window(0, 600),), grid=200.0)],
        [Order("O1", "XP", 200.0, 0, 600, 1.0), Order("O2", "XP", 200.0, 0, 600, 2.0)],
        off={"P": [Window(0, 300)]},
        power=100.0,
    )
    m = create_model(p, coarse=True)
    _, best, _ = m.lp.solve(m.value, maximise=True)
    assert best == pytest.approx(500.0, rel=1e-5)


def test_late_value_uses_the_least_possible_lateness() -> None:
    # 120 minutes of work released at 0, due at 60: at least 60 min late, which at
    # 50 % a day earns 1 - 0.5 * 60 / 1440 of its value. Dispatch gets exactly that.
    p = _portfolio(
        [_plant("P", shifts=(Window(0, DAY),))],
        [Order("O1", "XP", 120.0, 0, 60, 1.0)],
        decay=0.5,
    )
    expected = 120.0 * (1 - 0.5 * 60 / DAY)
    assert upper_bound(p) == pytest.approx(expected, rel=1e-5)
    assert dispatch(p).value == pytest.approx(expected)


def test_generator_energy_is_bounded_by_the_fuel() -> None:
    # Grid off all day; 100 kW genset at 0.25 L/kWh with 25 L: 100 kWh = 60 minutes of
    # a 100 kW step = 60 units at 1/unit.
    p = _portfolio(
        [_plant("P", shifts=(Window(0, DAY),), gen=True, stock=25.0)],
        [Order("O1", "XP", 600.0, 0, DAY, 1.0)],
        off={"P": [Window(0, DAY)]},
        power=100.0,
    )
    assert upper_bound(p) == pytest.approx(60.0, rel=1e-5)


def _two_line_portfolio(gen_kw: float, stock: float) -> Portfolio:
    """Lines A and B, one 60 kW step each, on a 100 kW grid: both at once need 20 kW
    more than the grid, whatever the bucket's energy says. One 600-minute order each."""
    gens = (Generator("PG", "genset", "P", gen_kw, 0.5, 0.1, 0.25),) if gen_kw else ()
    lines = tuple(Line(f"L{x}", x, "P", (Window(0, 600),)) for x in "AB")
    plant = Plant(
        "P", "P", "E", "BP", 100.0, lines, generators=gens, tank=FuelTank(1000.0, stock, 0.0)
    )
    return Portfolio(
        name="peaks",
        horizon=Horizon(ORIGIN, 1, 60),
        enterprises=(Enterprise("E", "e"),),
        plants=(plant,),
        blocks=(Block("BP", "b", ()),),
        products=tuple(
            Product(f"X{x}", "x", x, (Step("make", (f"L{x}",), 60.0, 60.0),)) for x in "AB"
        ),
        orders=(Order("OA", "XA", 600.0, 0, 600, 1.0), Order("OB", "XB", 600.0, 0, 600, 1.0)),
    )


def test_lines_that_together_pass_the_grid_cannot_overlap_without_a_generator() -> None:
    # Energy alone lets the two lines run 1000 of their 1200 minutes (100 kWh an hour
    # for 120 kW): the peak row keeps them to 600 line-minutes, one at a time.
    p = _two_line_portfolio(0.0, 0.0)
    assert upper_bound(p) == pytest.approx(600.0, rel=1e-5)
    assert dispatch(p).value <= upper_bound(p)


def test_overlap_on_a_generator_burns_its_minimum_load_and_idle_fuel() -> None:
    # A 100 kW genset at least half loaded (50 kW), 0.1 L/h per rated kW idle and
    # 0.25 L/kWh: each minute of overlap burns 10/60 + 0.25 * 50/60 = 0.375 L, so 15 L
    # buy 40 minutes of overlap: 640 units.
    p = _two_line_portfolio(100.0, 15.0)
    assert upper_bound(p) == pytest.approx(640.0, rel=1e-4)
    assert dispatch(p).value <= upper_bound(p)


def test_an_unbroken_grid_only_step_longer_than_every_grid_window_earns_nothing() -> None:
    # 100 kW on a 100 kW grid with a 50 kW genset: only grid minutes. The grid is off
    # at [500, 560) and [1000, 1060): the longest grid stretch is 500 minutes. A
    # 520-minute uninterruptible step fits nowhere; interruptible, it runs.
    def make(interruptible: bool) -> Portfolio:
        p = _portfolio(
            [_plant("P", shifts=(Window(0, DAY),), grid=100.0, gen=True, stock=500.0)],
            [Order("O1", "XP", 520.0, 0, DAY, 1.0)],
            off={"P": [Window(500, 560), Window(1000, 1060)]},
            power=100.0,
        )
        gens = (Generator("PG", "genset", "P", 50.0, 0.0, 0.0, 0.25),)
        plant = dataclasses.replace(p.plants[0], generators=gens)
        step = dataclasses.replace(p.products[0].routing[0], interruptible=interruptible)
        product = dataclasses.replace(p.products[0], routing=(step,))
        return dataclasses.replace(p, plants=(plant,), products=(product,))

    assert upper_bound(make(False)) == pytest.approx(0.0, abs=1e-6)
    assert upper_bound(make(True)) == pytest.approx(520.0, rel=1e-5)
    assert allocate(make(False)).order_shares.get("O1", 0.0) == 0.0


@st.composite
def heavy_portfolios(draw: st.DrawFn) -> Portfolio:
    """Random portfolios whose steps draw 40-120 % of their plant's grid, some of them
    uninterruptible: lines that pass the grid together, steps only the grid can carry."""
    portfolio = draw(portfolios(with_batteries=draw(st.booleans())))
    plant_of = {ln.id: p for p in portfolio.plants for ln in p.lines}
    products = []
    for product in portfolio.products:
        grid = max(30.0, plant_of[product.routing[0].lines[0]].grid_kw)
        steps = tuple(
            dataclasses.replace(
                s,
                power_kw=grid * draw(st.sampled_from((0.4, 0.6, 0.9, 1.2))),
                interruptible=s.interruptible and draw(st.booleans()),
            )
            for s in product.routing
        )
        products.append(dataclasses.replace(product, routing=steps))
    return dataclasses.replace(portfolio, products=tuple(products))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(heavy_portfolios())
def test_bound_is_above_every_plan_when_lines_pass_the_grid(portfolio: Portfolio) -> None:
    bound = upper_bound(portfolio)
    every = create_model(portfolio, peaks="all")
    _, with_all, _ = every.lp.solve(every.value, maximise=True)
    old = create_model(portfolio)
    _, without, _ = old.lp.solve(old.value, maximise=True)
    # the rows the rounds add are some of all the rows: between the two LPs
    assert with_all - 1e-6 * max(1.0, with_all) <= bound
    assert bound <= without + 1e-5 * max(1.0, without)
    plan = dispatch(portfolio)
    assert validate(portfolio, plan) == []
    assert bound >= plan.value - 1e-9
    merged = optimise(portfolio, SolveParams(), plant_planner=dispatch_planner, processes=1)
    assert bound >= merged.value - 1e-9


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(heavy_portfolios())
def test_bound_is_above_the_cp_sat_plan_when_lines_pass_the_grid(portfolio: Portfolio) -> None:
    plan = optimise(portfolio, SolveParams(time_limit_s=2.0, workers=1), processes=1)
    assert [str(v) for v in validate(portfolio, plan)] == []
    assert plan.bound is not None and plan.value <= plan.bound + 1e-9
    assert upper_bound(portfolio) >= plan.value - 1e-9


def test_depot_fuel_goes_to_the_plant_where_it_earns_more() -> None:
    # Two plants off-grid all day, empty tanks; a depot with 50 L = 200 kWh = 120 min of
    # 100 kW work. A's orders earn 2/unit, B's 1/unit: all of it to A.
    plants = [_plant(pid, shifts=(Window(0, DAY),), gen=True) for pid in ("A", "B")]
    p = _portfolio(
        plants,
        [Order("OA", "XA", 600.0, 0, DAY, 2.0), Order("OB", "XB", 600.0, 0, DAY, 1.0)],
        off={"A": [Window(0, DAY)], "B": [Window(0, DAY)]},
        depot=50.0,
        power=100.0,
    )
    a = allocate(p)
    assert a.status == "optimal"
    assert a.bound == pytest.approx(240.0, rel=1e-5)
    assert sum(x for _, x in a.grants["A"]) == pytest.approx(50.0, abs=1e-3)
    assert a.grants["B"] == ()
    assert a.targets["A"] == pytest.approx(240.0, rel=1e-5)
    assert a.depot_grants["A"][0][0] == "D"


def test_grants_never_exceed_the_depot() -> None:
    p = build_portfolio(depot_stock=50.0)
    a = allocate(p)
    granted = sum(x for gs in a.depot_grants.values() for _, _, x in gs)
    assert granted <= 50.0 + 400.0 + 1e-6  # stock + the delivery to the depot
    early = sum(x for gs in a.depot_grants.values() for _, at, x in gs if at < 1440)
    assert early <= 50.0 + 1e-6


def test_bound_is_above_a_hand_made_valid_plan() -> None:
    portfolio, plan = build_portfolio(), build_plan()
    assert validate(portfolio, plan) == []
    assert upper_bound(portfolio) >= plan.value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios())
def test_bound_is_above_dispatch_and_the_optimiser(portfolio: Portfolio) -> None:
    bound = upper_bound(portfolio)
    assert bound >= dispatch(portfolio).value - 1e-9
    plan = optimise(portfolio, SolveParams(), plant_planner=dispatch_planner, processes=1)
    assert bound >= plan.value - 1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios())
def test_coarse_buckets_bound_every_plan_and_are_looser(portfolio: Portfolio) -> None:
    fine = create_model(portfolio, coarse=False)
    coarse = create_model(portfolio, coarse=True)
    _, best_fine, _ = fine.lp.solve(fine.value, maximise=True)
    _, best_coarse, _ = coarse.lp.solve(coarse.value, maximise=True)
    assert coarse.coarse and not fine.coarse
    assert best_coarse >= best_fine - 1e-6 * max(1.0, best_fine)
    assert best_coarse >= dispatch(portfolio).value - 1e-6


def test_coarse_buckets_ignore_grid_edges_but_keep_day_starts() -> None:
    p = build_portfolio()
    m = create_model(p, coarse=True)
    for plant in p.plants:
        edges = set(m.edges[plant.id])
        assert set(range(0, p.horizon.minutes, DAY)) <= edges
        off = {e for w in p.grid_off(plant.id) for e in (w.start, w.end)}
        assert not (off - set(range(0, p.horizon.minutes + 1, DAY)) - set(m.grant_points)) & edges


def test_allocate_out_of_time_gives_the_weak_bound_and_says_so() -> None:
    p = build_portfolio()
    a = allocate(p, time_limit_s=0.0)
    weak = sum(o.value for o in p.orders)
    assert a.status == "time_limit"
    assert a.bound == pytest.approx(weak)  # every order at its best value
    assert a.bound >= dispatch(p).value
    assert a.order_shares and not any(a.order_shares.values())  # no LP targets
    assert "weak upper bound" in a.describe()


def test_allocation_says_when_the_lp_finishes_each_order_it_makes() -> None:
    p = build_portfolio()
    a = allocate(p)
    made = {oid for oid, share in a.order_shares.items() if share > 1e-6}
    assert made and made <= set(a.order_finish)
    for oid in made:
        order = p.order(oid)
        assert order.release < a.order_finish[oid] <= p.horizon.minutes
