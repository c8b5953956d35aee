"""A Dask cluster of two worker processes gives the same figures as the local executor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scenario_portfolios import starving_portfolio

from ingenio.scenarios.executor import DaskExecutor, InlineExecutor
from ingenio.scenarios.montecarlo import run_samples

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """A LocalCluster with 2 single-threaded worker processes, no dashboard."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as c,
    ):
        yield c


def test_dask_runs_six_samples_like_the_local_executor(client):
    p = starving_portfolio(with_p2=True)
    seen: list[tuple[int, int]] = []
    executor = DaskExecutor(client=client)
    on_dask = run_samples(
        p, 6, seed=21, executor=executor, progress=lambda d, n: seen.append((d, n))
    )
    here = run_samples(p, 6, seed=21, executor=InlineExecutor())
    assert on_dask.failures == ()
    assert on_dask.samples == here.samples
    assert (on_dask.mean, on_dask.p10, on_dask.p90) == (here.mean, here.p10, here.p90)
    assert on_dask.order_risks == here.order_risks
    assert seen[-1] == (6, 6) and len(seen) == 6
    assert on_dask.executor.startswith("dask tcp://")
    executor.close()  # a client it was given stays open
    assert client.status == "running"
