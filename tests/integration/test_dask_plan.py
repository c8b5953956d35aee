"""Plants planned on a Dask cluster give the local pool's plan for the same seed, and a
bad scheduler address fails fast with a clear error (``ingenio plan --dask-scheduler``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingenio.cli.main import app
from ingenio.data.generate import Counts, generate_portfolio
from ingenio.domain import Plan
from ingenio.errors import IngenioError
from ingenio.formats.portfolio import dump_portfolio
from ingenio.planning.optimise import optimise
from ingenio.planning.schedule import SolveParams
from ingenio.services.cluster import plant_cluster
from ingenio.services.plans import make_plan
from ingenio.validate import validate

distributed = pytest.importorskip("distributed")

# Deterministic CP-SAT (deterministic time, one thread): the same seed gives the same
# per-plant plans wherever they are solved.
PARAMS = SolveParams(time_limit_s=0.1, workers=1, seed=7, deterministic=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A LocalCluster with 2 single-threaded worker processes, no dashboard."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        yield c


def _essence(plan: Plan) -> Plan:
    return replace(plan, seconds=0.0)


def test_plants_on_a_cluster_plan_as_the_local_pool(cluster: object) -> None:
    portfolio = generate_portfolio(Counts(plants=3, lines=6, orders=36, days=3), seed=11)
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    in_pool = optimise(portfolio, PARAMS, processes=2)
    with plant_cluster(address, PARAMS.workers) as on:
        assert on.slots == 2
        on_dask = optimise(portfolio, PARAMS, processes=on.slots, executor=on.executor)
    assert validate(portfolio, on_dask) == []
    assert on_dask.value == in_pool.value
    assert on_dask.operations == in_pool.operations
    assert on_dask.generator_runs == in_pool.generator_runs
    assert _essence(on_dask) == _essence(in_pool)
    assert on_dask.operations, "a plan that runs nothing proves nothing"


def test_make_plan_takes_the_scheduler_address(cluster: object) -> None:
    portfolio = generate_portfolio(Counts(plants=2, lines=4, orders=20, days=2), seed=3)
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    outcome = make_plan(portfolio, "optimise", PARAMS, dask_scheduler=address)
    assert outcome.violations == ()
    assert outcome.plan.planner == "optimise" and outcome.plan.operations


def test_no_scheduler_at_the_address_is_a_clear_error_within_the_timeout() -> None:
    began = time.perf_counter()
    with (
        pytest.raises(IngenioError, match=r"no Dask scheduler answered at tcp://127\.0\.0\.1:9"),
        plant_cluster("tcp://127.0.0.1:9", 1, timeout_s=2.0),
    ):
        pass
    assert time.perf_counter() - began < 30


def test_cli_bad_scheduler_address_prints_no_traceback(tmp_path: Path) -> None:
    portfolio = generate_portfolio(Counts(plants=1, lines=2, orders=4, days=2), seed=1)
    path = tmp_path / "p.yaml"
    dump_portfolio(portfolio, path)
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["plan", str(path), "--no-save", "--out", str(tmp_path / "out"),
         "--dask-scheduler", "not an address"],
    )  # fmt: skip
    assert result.exit_code != 0
    text = result.output + (result.stderr if result.stderr_bytes else "")
    assert "--dask-scheduler: not a scheduler address" in text
    assert "Traceback" not in text
