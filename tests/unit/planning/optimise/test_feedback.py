"""The feedback round of the optimiser (``optimise/feedback.py``): grants used, time shares."""

from __future__ import annotations

import pytest
from test_optimise import _tank_plant

from ingenio.domain import GeneratorRun
from ingenio.planning.optimise import MIN_PLANT_SECONDS, jit_transfers
from ingenio.planning.optimise.feedback import time_share, used_grants
from ingenio.planning.schedule import SolveParams


def test_used_grants_are_what_the_transfers_drew() -> None:
    # The feedback round keeps, per plant, the part of its grants its transfers drew
    # (earliest first); trucking the same burn within that part gives the same transfers.
    p = _tank_plant()
    runs = (GeneratorRun("G", 60, 420, 100.0),)
    grants = [("D", 600, 50.0), ("D", 0, 100.0), ("D", 30, 100.0)]
    transfers = jit_transfers(p, "P", runs, grants)
    moved = sum(t.litres for t in transfers)
    used = used_grants(grants, moved)
    assert used == (("D", 0, 100.0), ("D", 30, pytest.approx(moved - 100.0)))
    again = jit_transfers(p, "P", runs, used)
    assert [(t.at, t.depot_id) for t in again] == [(t.at, t.depot_id) for t in transfers]
    assert [t.litres for t in again] == pytest.approx([t.litres for t in transfers])


def test_time_share_fits_the_plants_into_what_is_left() -> None:
    ten = SolveParams(time_limit_s=10.0, workers=1)
    # 50 plants, 2 at a time: 25 rounds in 100 s -> 4 s each, 40 % of the limit
    assert time_share(100.0, 50, 2, ten) == pytest.approx(0.4)
    assert time_share(1000.0, 50, 2, ten) == 1.0  # never more than the limit
    assert time_share(-5.0, 50, 2, ten) == pytest.approx(MIN_PLANT_SECONDS / 10.0)
    assert time_share(7.0, 3, 2, ten) == pytest.approx(0.35)  # 2 rounds of 3.5 s
