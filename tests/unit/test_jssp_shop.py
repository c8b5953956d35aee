"""Taillard's generator and the lean makespan model of plain job shops.

Every schedule is turned into a plan and checked by the independent validator.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ingenio.benchmarks import jssp, load_benchmark, read_jssp, taillard
from ingenio.domain import OrderStatus, Portfolio
from ingenio.planning.schedule import SolveParams, schedule_plant
from ingenio.planning.schedule.data import PlantInput, build_input
from ingenio.planning.schedule.shop import (
    ShopResult,
    gt_schedule,
    is_shop,
    shop_lower_bound,
    shop_makespan,
    shop_of,
    shop_plan,
    solve_shop,
)
from ingenio.planning.status import PlanStatus
from ingenio.validate import validate

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_generator_reproduces_ta01() -> None:
    """Taillard's seeds 840612802 / 398197754 give the published ta01, operation by operation."""
    assert taillard.ta(1).jobs == read_jssp(FIXTURES / "ta01.jssp").jobs
    assert taillard.generate(15, 15, 840612802, 398197754).jobs == taillard.ta(1).jobs


@pytest.mark.parametrize("number", [41, 51, 61])
def test_generated_sizes_and_ranges(number: int) -> None:
    n, m, _, _ = taillard.SEEDS[number]
    inst = taillard.ta(number)
    assert (len(inst.jobs), inst.machines) == (n, m)
    for job in inst.jobs:
        assert sorted(op.machine for op in job) == list(range(m))
        assert all(1 <= op.duration <= 99 for op in job)
    assert taillard.lower_bound(inst) <= taillard.BEST_KNOWN[number]


def test_text_round_trip_and_bad_input() -> None:
    inst = taillard.generate(7, 4, 12345, 67890, name="small")
    assert jssp.parse_jssp(taillard.to_text(inst)).jobs == inst.jobs
    with pytest.raises(ValueError):
        taillard.generate(3, 3, 0, 5)
    with pytest.raises(ValueError):
        taillard.ta(81)


def _shop_input(n: int, m: int, seed: int) -> tuple[Portfolio, PlantInput]:
    inst = taillard.generate(n, m, seed, seed + 1, name=f"g{seed}")
    portfolio = jssp.to_portfolio(inst)
    return portfolio, build_input(portfolio)


@pytest.mark.parametrize("seed", [11, 12345, 987654321])
def test_priority_rule_schedules_are_valid(seed: int) -> None:
    """The plain rule and its noisy runs give plans the validator accepts."""
    portfolio, data = _shop_input(8, 5, seed)
    assert is_shop(data)
    shop = shop_of(data)
    rng = random.Random(seed)
    for starts in (gt_schedule(shop), gt_schedule(shop, rng, 0.5), gt_schedule(shop, rng, 0.8)):
        ms = shop_makespan(shop, starts)
        assert ms >= shop_lower_bound(shop)
        result = ShopResult(starts, ms, shop_lower_bound(shop), False, False, False, "rule")
        plan = shop_plan(data, result, PlanStatus.FEASIBLE, 0.0)
        assert validate(portfolio, plan) == []
        assert max(op.end for op in plan.operations) == ms


def test_lean_model_solves_small_shops_to_optimum_deterministically() -> None:
    portfolio, data = _shop_input(6, 4, 424242)
    shop = shop_of(data)
    a = solve_shop(shop, time_limit=5.0, workers=2, seed=3, deterministic=True)
    b = solve_shop(shop, time_limit=5.0, workers=2, seed=3, deterministic=True)
    assert a.optimal and a.makespan == a.bound
    assert a.starts == b.starts
    assert a.makespan <= shop_makespan(shop, gt_schedule(shop))
    assert validate(portfolio, shop_plan(data, a, PlanStatus.OPTIMAL, 0.0)) == []


def test_schedule_plant_takes_the_shop_path_for_ft06() -> None:
    portfolio = load_benchmark(FIXTURES / "ft06.jssp", "jssp")
    params = SolveParams(
        time_limit_s=10.0, workers=2, seed=0, objective="makespan", deterministic=True
    )
    result = schedule_plant(portfolio, params)
    assert result.status is PlanStatus.OPTIMAL
    assert result.objective == 55 and result.bound == 55
    assert validate(portfolio, result.plan) == []
    assert result.plan.count(OrderStatus.UNSCHEDULED) == 0
    assert any("shop model" in note for note in result.plan.notes)


def test_rcpsp_is_not_a_shop() -> None:
    """Shared resources bind in PSPLIB: the general plant model keeps those."""
    portfolio = load_benchmark(FIXTURES / "j301_1.sm", "psplib")
    assert not is_shop(build_input(portfolio))
