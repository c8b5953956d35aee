"""Schemathesis against the OpenAPI document, authenticated as a planner: no server error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from server_world import build_world, fast_hashes

from ingenio.api import create_app
from ingenio.services.auth import Principal, create_token
from ingenio.store import Store

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, dict[str, Any]]]:
    path: Path = tmp_path_factory.mktemp("schemathesis") / "store.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        fast_hashes(patch)
        with Store.open(f"sqlite:///{path.as_posix()}") as store:
            world = build_world(store)
            found = store.user_login("planner@victim.test")
            assert found is not None
            for n in range(20):  # decoys: DELETE /tokens/{small id} must not hit the fuzz token
                create_token(store, Principal(found[0]), f"decoy {n}", "read", 1)
            token, *_ = create_token(store, Principal(found[0]), "fuzz", "write", 1)
            ids = {
                "portfolio_id": world.victim_portfolio,
                "plan_id": world.victim_published,
                "job_id": world.victim_job,
            }
            yield create_app(store), token, ids


@pytest.fixture
def api_schema(served: tuple[Any, str, dict[str, Any]]) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", served[0])


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error(case: Any, served: tuple[Any, str, dict[str, Any]]) -> None:
    response = case.call(headers={"Authorization": f"Bearer {served[1]}"})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_on_real_resources(
    case: Any, served: tuple[Any, str, dict[str, Any]]
) -> None:
    """The same, with the ids of the planner's own portfolio, published plan and job, so the
    bodies and queries (actuals, KPIs, replans, scenario runs) reach the services."""
    for name, value in served[2].items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    response = case.call(headers={"Authorization": f"Bearer {served[1]}"})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
