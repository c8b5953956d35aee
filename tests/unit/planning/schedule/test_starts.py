"""Starting plans of the plant scheduler (``schedule/starts.py``)."""

from __future__ import annotations

from test_schedule import _job_shop, _tiny_rcpsp

from ingenio.planning.dispatch import dispatch
from ingenio.planning.schedule import makespan
from ingenio.planning.schedule.starts import _tails, makespan_start
from ingenio.validate import validate


def test_makespan_start_places_the_longest_tail_first() -> None:
    p = _tiny_rcpsp()
    assert _tails(p) == {"OA": 4.0, "OB": 3.0, "OC": 2.0, "OD": 1.0}
    start = makespan_start(p)
    assert validate(p, start) == []
    assert makespan(start) <= makespan(dispatch(p))
    # A (tail 4) and B (3) go first and share the crew at 0; C (2) waits for the
    # whole crew, in the next slot; D (1) last
    first = {op.order_id: op.start for op in start.operations}
    assert first["OA"] == first["OB"] == 0 < first["OC"] < first["OD"]
    jobs = [[(0, 3), (1, 2), (2, 2)], [(0, 2), (2, 1), (1, 4)], [(1, 4), (2, 3)]]
    shop = _job_shop(jobs, 3)
    assert validate(shop, makespan_start(shop)) == []
