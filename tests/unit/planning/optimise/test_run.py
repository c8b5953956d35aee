"""The plant runner of the optimiser (``optimise/run.py``): the LP-guided starts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_optimise import PARAMS, _fast
from test_schedule import build

from ingenio.domain import Order
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise import dispatch_planner
from ingenio.planning.optimise.run import _Job, _plan_plant, _start
from ingenio.validate import validate


def test_lp_ranking_places_first_the_orders_the_lp_makes() -> None:
    # One line, room for one of two 25-hour orders: dispatch (earliest due first) runs
    # the cheap one; placed as the LP ranks them, the dear one runs.
    cheap, dear = Order("A", "X", 1500.0, 0, 1600, 1.0), Order("B", "X", 1500.0, 0, 2880, 10.0)
    p = build(orders=(cheap, dear))
    assert dispatch(p).value == pytest.approx(cheap.value)
    job = _Job("P1", p, PARAMS, None, dispatch_planner, (("B", "A"),))
    start = _start(job)
    assert validate(p, start) == [] and start.value == pytest.approx(dear.value)
    assert _plan_plant(job, lambda kind, value: None).value == pytest.approx(dear.value)
    # no ranking, or one that changes nothing: dispatch's own plan
    assert _start(replace(job, rankings=())).value == pytest.approx(cheap.value)
    assert _start(replace(job, rankings=(("A", "B"),))).value == pytest.approx(cheap.value)
    # the best of several rankings
    assert _start(replace(job, rankings=(("A", "B"), ("B", "A")))).value == pytest.approx(
        dear.value
    )
    # the whole loop: the LP makes B, so the optimiser runs B
    assert _fast(p).value == pytest.approx(dear.value)
