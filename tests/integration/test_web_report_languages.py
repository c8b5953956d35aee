"""The owner's contract report served by the web app: in the user's language, and light.

Issue 11: "the JavaScript and CSS a page loads total under 1 MB". The offline report
inlines plotly.js (4.9 MB); the served one draws its charts on the server as SVG.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_world import PASSWORD, World, build_world, fast_hashes
from starlette.testclient import TestClient

from ingenio.api import create_app
from ingenio.store import Store
from ingenio.web import install

STATIC = Path(__file__).resolve().parents[2] / "src" / "ingenio" / "web" / "static"
BUDGET = 1_000_000


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = f"sqlite:///{(tmp_path_factory.mktemp('web') / 'store.sqlite').as_posix()}"
    with pytest.MonkeyPatch.context() as mp:
        fast_hashes(mp)
        with Store.open(url) as store:
            yield build_world(store)


@pytest.fixture(scope="module")
def app(world: World) -> object:
    return install(create_app(world.store))


def signed_in(app: object, email: str, lang: str) -> TestClient:
    client = TestClient(app, headers={"Accept-Language": lang})  # type: ignore[arg-type]
    answer = client.post(
        "/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return client


def page_weight(body: str) -> int:
    """Bytes of script and style the page loads: its /static/ files and inline scripts."""
    assets = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"', body)
    outside = [a for a in assets if not a.startswith("/static/")]
    assert not outside, outside
    files = sum((STATIC / a.removeprefix("/static/")).stat().st_size for a in assets)
    inline = sum(len(s.encode()) for s in re.findall(r"<script\b[^>]*>(.*?)</script>", body,
                                                        re.S))  # fmt: skip
    return files + inline


@pytest.mark.parametrize(
    ("lang", "heading", "cyrillic"),
    [
        ("ru-RU,ru;q=0.9", "Выпуск и стоимость относительно плана", True),
        ("es-CU,es;q=0.9", "Producción y valor frente al plan", False),
        ("en", "Output and value against plan", False),
    ],
)
def test_the_contract_report_follows_the_users_language_under_the_page_budget(
    app: object, world: World, lang: str, heading: str, cyrillic: bool
) -> None:
    client = signed_in(app, "auditor@owner-ali.test", lang)
    answer = client.get(f"/portfolios/{world.victim_portfolio}/report/ALI/2026-04")
    assert answer.status_code == 200
    body = answer.text
    assert f'<html lang="{lang[:2]}">' in body
    assert f"<h2>{heading}</h2>" in body and "Alimentos del Centro" in body
    assert bool(re.search(r"<h[12]>[^<]*[А-Яа-я]", body)) is cyrillic
    if cyrillic:  # no English heading left among these
        for english in ("Output and value against plan", "OEE and its losses",
                        "Downtime by cause", "Energy and fuel per unit"):  # fmt: skip
            assert f"<h2>{english}</h2>" not in body
    assert body.count("<svg") == 4 and "<script" not in body  # charts drawn on the server
    assert page_weight(body) < BUDGET
    assert len(body.encode()) < BUDGET  # the whole page too, SVG included
