"""Serial SGS with forward-backward improvement (``ingenio.benchmarks.sgs``): the warm
start of the makespan solve of PSPLIB instances.

Fixtures: ``j301_1.sm`` (optimum 43) and ``j3013_1.sm`` (optimum 58, one of the hard
j30 instances), copies from the shared PSPLIB set. Every plan is checked by the
independent validator; the heuristic is run by pass count, not by the clock.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ingenio.benchmarks import load_benchmark
from ingenio.benchmarks.sgs import improve_start, project_of, serial_sgs, sgs_search
from ingenio.validate import validate

FIXTURES = Path(__file__).parent.parent / "fixtures"
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ingenio.planning.schedule") is None, reason="no scheduler"
)


def span(plan_ops: object) -> int:
    return max(op.end for op in plan_ops)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "optimum"), [("j301_1", 43), ("j3013_1", 58)])
def test_heuristic_start_is_valid_and_shorter(name: str, optimum: int) -> None:
    from ingenio.planning.schedule.starts import makespan_start

    portfolio = load_benchmark(FIXTURES / f"{name}.sm", "psplib")
    base = makespan_start(portfolio)
    plan = improve_start(portfolio, base, passes=30, seconds=600.0, seed=1)
    assert plan is not None
    assert validate(portfolio, plan) == []
    assert {op.order_id for op in plan.operations} == {o.id for o in portfolio.orders}
    assert optimum <= span(plan.operations) < span(base.operations)


def test_search_is_reproducible_by_seed() -> None:
    from ingenio.planning.schedule.starts import makespan_start

    portfolio = load_benchmark(FIXTURES / "j3013_1.sm", "psplib")
    shape = project_of(portfolio, makespan_start(portfolio))
    assert shape is not None
    project, _ = shape
    assert sgs_search(project, 10, 600.0, seed=3) == sgs_search(project, 10, 600.0, seed=3)


def test_serial_sgs_keeps_precedence_and_capacity() -> None:
    from ingenio.benchmarks.sgs import Project

    # Two jobs that cannot overlap (3 + 2 > 4), a third after the first.
    project = Project((2, 3, 1), ((3,), (2,), (4,)), (4,), ((), (), (0,)))
    start = serial_sgs(project, [0, 1, 2])
    assert start == [0, 2, 5]


def test_job_shop_is_not_a_project() -> None:
    from ingenio.planning.schedule.starts import makespan_start

    portfolio = load_benchmark(FIXTURES / "ft06.jssp", "jssp")
    assert project_of(portfolio, makespan_start(portfolio)) is None


def test_solve_with_the_heuristic_start_reaches_the_optimum() -> None:
    from ingenio.benchmarks.solve import solve_portfolio

    portfolio = load_benchmark(FIXTURES / "j301_1.sm", "psplib")
    run = solve_portfolio(portfolio, fmt="psplib", time_limit=30.0, workers=1)
    assert run.valid and run.makespan == 43
