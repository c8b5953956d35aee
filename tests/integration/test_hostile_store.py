"""A portfolio version and its plan are saved together or not at all (issue 15, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingenio.store import StoreError, settings
from ingenio.store.repository import Store


def test_a_plan_that_cannot_be_stored_leaves_no_portfolio_version(tmp_path: Path) -> None:
    url = settings.path_to_url(tmp_path / "store.sqlite")
    plan = {
        "planner": "dispatch",
        "status": "feasible",
        "value": 1.0,
        "bound": None,
        "seconds": 0.1,
        "document": {"bad": {1, 2}},  # a set: not JSON, refused inside the transaction
        "summary": {},
    }
    with Store.open(url) as store:
        with pytest.raises(StoreError):
            store.save_portfolio_and_plan("P", {"name": "P"}, plan)
        assert store.portfolio_versions() == [] and store.plans() == []
        good = {**plan, "document": {"ok": 1}}
        pv, plan_v = store.save_portfolio_and_plan("P", {"name": "P"}, good, note="n")
        assert (pv.version, plan_v.version, plan_v.portfolio_version) == (1, 1, 1)
        assert [v.version for v in store.portfolio_versions()] == [1]
