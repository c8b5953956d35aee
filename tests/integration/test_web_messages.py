"""The reasons of late orders on the orders page, said in the page's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_world import (
    PASSWORD,
    VICTIM,
    VICTIM_NAME,
    World,
    build_world,
    fast_hashes,
    portfolio_document,
    save_plan,
)
from starlette.testclient import TestClient

from ingenio.api import create_app
from ingenio.store import Store
from ingenio.web import install


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = f"sqlite:///{(tmp_path_factory.mktemp('msg') / 'store.sqlite').as_posix()}"
    with pytest.MonkeyPatch.context() as mp:
        fast_hashes(mp)
        with Store.open(url) as store:
            yield build_world(store)


def test_late_orders_give_their_reason_in_spanish_and_russian(world: World) -> None:
    document = portfolio_document(VICTIM_NAME)
    late = next(o for o in document["orders"] if o["id"] == "O1")
    late["due"] = "2026-04-06T02:00"  # 2,000 loaves cannot be baked in two hours
    pv = world.store.save_portfolio(VICTIM_NAME, document, actor="test", account=VICTIM)
    plan = save_plan(world.store, pv.id, document, "test")
    app = install(create_app(world.store))
    pages = {}
    for lang in ("en", "es", "ru"):
        client = TestClient(app, headers={"Accept-Language": lang})  # type: ignore[arg-type]
        login = {"email": "planner@victim.test", "password": PASSWORD}
        assert client.post("/login", data=login, follow_redirects=False).status_code == 303
        pages[lang] = client.get(f"/plans/{plan}/orders").text
    row = pages["en"].split("<td>O1</td>")[1].split("</tr>")[0]
    assert "before due" in row and " h of work" in row
    es = pages["es"].split("<td>O1</td>")[1].split("</tr>")[0]
    ru = pages["ru"].split("<td>O1</td>")[1].split("</tr>")[0]
    assert "antes de la entrega" in es and "de trabajo" in es and "before due" not in es
    assert "до срока" in ru and "работы" in ru and "before due" not in ru
    assert "2.0 h before due" in row and "2,0 h antes" in es and "2,0 ч до срока" in ru
