"""The issues of a bad input file in the user's language: the CLI's ``--lang`` and the
API's ``Accept-Language`` say each message in Spanish or Russian, while the file, the field
path and the value found stay data, shown as they are (English unchanged)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from server_world import World, build_world, client_for, fast_hashes, fixture_text, login
from typer.testing import CliRunner

from ingenio.cli import lang
from ingenio.cli.main import app
from ingenio.domain import DomainError, Issue
from ingenio.formats.portfolio import parse_portfolio
from ingenio.i18n import say_issue, translator
from ingenio.store import Store

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HOSTILE = "<script>%(x)s"


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    yield
    lang.use(None)


def _bad_file(tmp_path: Path) -> Path:
    text = (FIXTURES / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("quantity: 2000", "quantity: lots", 1)
    text = text.replace("grid_kw: 120\n", "grid_kw: -5\n", 1)
    text = text.replace("product: TOMATO", f'product: "{HOSTILE}"', 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _issue_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("bad.yaml: ")]


def test_validate_says_each_issue_in_russian_and_spanish(tmp_path: Path) -> None:
    bad = str(_bad_file(tmp_path))
    en = runner.invoke(app, ["--lang", "en", "validate", bad])
    assert en.exit_code == 1
    assert _issue_lines(en.output) == [
        "bad.yaml: plants[0].grid_kw: must be greater than or equal to 0 (got -5)",
        "bad.yaml: orders[0].quantity: must be a valid number (got 'lots')",
        "bad.yaml: orders[1].product: unknown product (got '<script>%(x)s')",
    ]
    ru = runner.invoke(app, ["--lang", "ru", "validate", bad])
    assert ru.exit_code == 1
    assert _issue_lines(ru.output) == [
        "bad.yaml: plants[0].grid_kw: должно быть не меньше 0 (значение: -5)",
        "bad.yaml: orders[0].quantity: должно быть числом (значение: 'lots')",
        "bad.yaml: orders[1].product: неизвестный продукт (значение: '<script>%(x)s')",
    ]
    es = runner.invoke(app, ["--lang", "es", "validate", bad])
    assert es.exit_code == 1
    assert _issue_lines(es.output) == [
        "bad.yaml: plants[0].grid_kw: debe ser mayor o igual que 0 (valor: -5)",
        "bad.yaml: orders[0].quantity: debe ser un número válido (valor: 'lots')",
        "bad.yaml: orders[1].product: producto desconocido (valor: '<script>%(x)s')",
    ]


def test_an_issue_without_a_sentence_stays_english_and_values_stay_data() -> None:
    plain = Issue("a.b", "some English text", HOSTILE)
    ru = say_issue("ru", plain, "f.yaml")
    assert ru == "f.yaml: a.b: some English text (значение: '<script>%(x)s')"
    assert say_issue("en", plain, "f.yaml") == plain.render("f.yaml")
    with pytest.raises(DomainError) as caught:
        parse_portfolio({"name": "x", "bogus": 1}, "p.yaml")
    issues = caught.value.issues
    assert all(i.said is not None for i in issues), issues
    for issue in issues:  # English is byte for byte the issue's own text
        assert say_issue("en", issue, "p.yaml") == issue.render("p.yaml")
    assert any(say_issue("es", i, "p.yaml").endswith("campo desconocido") for i in issues)
    # The web's and the API's message of a bad input: one issue a line, in the language.
    assert translator("en").error(caught.value) == str(caught.value)
    spanish = translator("es").error(caught.value).splitlines()
    assert spanish == [say_issue("es", i, "p.yaml") for i in issues]


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_hashes(monkeypatch)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


@pytest.fixture
def client(store: Store) -> Iterator[Any]:
    with client_for(store) as c:
        yield c


def test_a_bad_upload_is_said_in_spanish_with_the_same_paths(world: World, client, store):
    login(client, "planner@victim.test")
    before = len(store.portfolio_versions(account=None))
    text = fixture_text("Broken").replace("grid_kw: 120", "grid_kw: -5")
    text = text.replace("quantity: 2000", "quantity: lots")
    headers = {"Content-Type": "application/yaml"}
    english = client.post("/api/v1/portfolios", content=text, headers=headers)
    spanish = client.post(
        "/api/v1/portfolios", content=text, headers={**headers, "Accept-Language": "es"}
    )
    assert english.status_code == spanish.status_code == 422
    en, es = english.json(), spanish.json()
    assert (en["error"], en["code"], en["field"]) == (es["error"], es["code"], es["field"])
    assert [(e["path"], e["value"]) for e in en["errors"]] == [
        (e["path"], e["value"]) for e in es["errors"]
    ]
    said = {e["path"]: e["message"] for e in es["errors"]}
    english_said = {e["path"]: e["message"] for e in en["errors"]}
    grid = next(p for p in said if p.endswith("grid_kw"))
    quantity = next(p for p in said if p.endswith("quantity"))
    assert english_said[grid] == "must be greater than or equal to 0"
    assert said[grid] == "debe ser mayor o igual que 0"
    assert said[quantity] == "debe ser un número válido"
    assert es["message"] == "2 error(es) en la cartera; no se guardó nada"
    assert len(store.portfolio_versions(account=None)) == before


def test_schema_errors_keep_their_english_and_are_said_in_spanish() -> None:
    text = (FIXTURES / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("priority: essential", "priority: urgentish", 1)
    text = text.replace("release: 2026-04-06T00:00", "release: 2026-13-06T00:00", 1)
    with pytest.raises(DomainError) as caught:
        parse_portfolio(yaml.safe_load(text), "s.yaml")
    by_path = {i.path: i for i in caught.value.issues}
    release, priority = by_path["orders[0].release"], by_path["orders[0].priority"]
    assert release.message == "expected a local date-time like 2026-04-06T06:00"
    assert priority.message == "must be 'essential', 'export' or 'domestic'"
    assert say_issue("es", release, "s.yaml") == (
        "s.yaml: orders[0].release: se esperaba una fecha y hora local como "
        "2026-04-06T06:00 (valor: '2026-13-06T00:00')"
    )
    assert say_issue("es", priority, "s.yaml").startswith(
        "s.yaml: orders[0].priority: debe ser 'essential', 'export'"
    )
