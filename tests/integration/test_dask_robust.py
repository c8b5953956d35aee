"""Held-out recourse of the two-stage decision on a small Dask LocalCluster: the same
figures as in this process, and the report says where it ran."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scenario_portfolios import wide_window_portfolio

from ingenio.planning.dispatch import dispatch
from ingenio.scenarios.decision import decide
from ingenio.scenarios.executor import DaskExecutor, InlineExecutor

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


def test_two_stage_held_out_on_dask_equals_in_process(client):
    p = wide_window_portfolio()
    kw = {"batches": 2, "start": 2, "free_replan": False}
    on_dask = decide(p, 2, 4, 7, dispatch, DaskExecutor(client=client), **kw)
    here = decide(p, 2, 4, 7, dispatch, InlineExecutor(), **kw)
    assert on_dask.failures == ()
    assert [r.scores for r in on_dask.held_out] == [r.scores for r in here.held_out]
    assert on_dask.model.vss == here.model.vss and on_dask.model.evpi == here.model.evpi
    assert on_dask.recommended == here.recommended
    assert "on dask tcp://" in on_dask.recourse and "dispatch per sample" in on_dask.recourse
