"""The command line in Spanish and Russian: ``--lang`` and ``INGENIO_LANG`` choose the
words, numbers follow the locale (es 1.234,5; ru 1 234,5), ``--json`` stays the same."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from stage_portfolios import document
from typer.testing import CliRunner

from ingenio.cli import lang
from ingenio.cli.main import Language, app
from ingenio.formats.portfolio import dump_portfolio, parse_portfolio
from ingenio.i18n import LANGUAGES, translator

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SMALL = str(FIXTURES / "small.yaml")
OUTAGES = FIXTURES / "outages"
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    """``--lang`` stays chosen in this process after a command: later tests get English."""
    yield
    lang.use(None)


def test_validate_in_russian_and_spanish() -> None:
    ru = runner.invoke(app, ["--lang", "ru", "validate", SMALL])
    assert ru.exit_code == 0, ru.output
    assert "корректен — заводов: 2" in ru.output and "заказов:" in ru.output
    es = runner.invoke(app, ["--lang", "es", "validate", SMALL])
    assert es.exit_code == 0, es.output
    assert "válido — 2 plantas" in es.output and "pedidos" in es.output
    en = runner.invoke(app, ["--lang", "en", "validate", SMALL])
    assert "valid — 2 plants" in en.output and not CYRILLIC.search(en.output)


def test_the_environment_chooses_and_the_option_wins() -> None:
    got = runner.invoke(app, ["validate", SMALL], env={"INGENIO_LANG": "es"})
    assert "válido" in got.output, got.output
    got = runner.invoke(app, ["--lang", "en", "validate", SMALL], env={"INGENIO_LANG": "ru"})
    assert "valid — 2 plants" in got.output, got.output
    posix = {"INGENIO_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "ru_RU.UTF-8"}
    got = runner.invoke(app, ["validate", SMALL], env=posix)
    assert "корректен" in got.output, got.output
    bad = runner.invoke(app, ["--lang", "de", "validate", SMALL])
    assert bad.exit_code == 2 and "--lang" in bad.output
    assert {code.value for code in Language} == set(LANGUAGES)


def test_a_plan_in_russian_has_locale_numbers_and_json_is_the_same(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite")
    outputs = {}
    for code in ("ru", "es"):
        out = tmp_path / code
        args = ["--lang", code, "--db", db, "plan", SMALL, "--planner", "dispatch", "--out"]
        result = runner.invoke(app, [*args, str(out)])
        assert result.exit_code == 0, result.output
        outputs[code] = result.stdout
        value = json.loads((out / "plan.json").read_text())["value"]
        # the total row: the plan's value as the locale writes it
        assert translator(code).number(value, 0) in result.stdout
    ru, es = outputs["ru"], outputs["es"]
    assert "завод" in ru and "итого" in ru and "вовремя" in ru and "записаны" in ru
    assert "planta" in es and "total" in es and "a tiempo" in es and "escritos" in es
    assert re.search(r"\d,\d", ru) and re.search(r"\d,\d", es)  # decimal commas (hours)
    assert not CYRILLIC.search(es)

    listed = {
        code: runner.invoke(app, ["--lang", code, "--db", db, "plans", "list", "--json"]).stdout
        for code in ("ru", "es", "en")
    }
    assert listed["ru"] == listed["es"] == listed["en"]
    assert [p["version"] for p in json.loads(listed["en"])] == [1, 2]
    table = runner.invoke(app, ["--lang", "ru", "--db", db, "plans", "list"])
    assert "планы Small" in table.stdout and "планировщик" in table.stdout


def test_outage_stages_in_russian(tmp_path: Path) -> None:
    doc = document()
    doc.update(start="2023-05-15T00:00", days=2)
    del doc["blocks"][0]["load_shedding"]
    doc["orders"][0].update(release="2023-05-15T06:00", due="2023-05-16T00:00")
    path = tmp_path / "may.yaml"
    dump_portfolio(parse_portfolio(doc, "may.yaml"), path)
    args = ["--lang", "ru", "--db", str(tmp_path / "db.sqlite"), "outages", "stages",
            str(OUTAGES / "esp-soweto.json"), "-p", str(path), "--block", "B"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "блок B: график ступеней Soweto (12), дат:" in result.output
    assert "сохранён портфель 'stages', версия 1" in result.output


def test_outage_parse_in_spanish_and_json_unchanged() -> None:
    une = str(OUTAGES / "une-2026-04-06.txt")
    es = runner.invoke(app, ["--lang", "es", "outages", "parse", une, "-f", "une"])
    assert es.exit_code == 0, es.output
    assert "Parte de la UNE" in es.output and "de la demanda" in es.output
    assert "horas de apagón esperadas por bloque y día:" in es.output
    assert re.search(r"\d,\d", es.output)  # hours with a decimal comma
    docs = {
        code: runner.invoke(app, ["--lang", code, "outages", "parse", une, "-f", "une", "--json"])
        for code in ("es", "ru", "en")
    }
    assert docs["es"].stdout == docs["ru"].stdout == docs["en"].stdout
    assert json.loads(docs["ru"].stdout)


def test_errors_in_russian_and_spanish(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["--lang", "ru", "validate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1
    assert missing.stderr.startswith("ошибка: ")  # the service's sentence follows as it came
    kpi = runner.invoke(app, ["--lang", "es", "--db", str(tmp_path / "db.sqlite"), "kpi"])
    assert kpi.exit_code == 1
    assert "error: indique --enterprise o --plant" in kpi.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(SMALL).read_text().replace("grid_kw: 120", "grid_kw: -5"))
    broken = runner.invoke(app, ["--lang", "ru", "validate", str(bad)])
    assert broken.exit_code == 1
    assert "ничего не записано" in broken.stderr
    out_file = tmp_path / "a-file"
    out_file.write_text("x")
    refused = runner.invoke(
        app, ["--lang", "ru", "plan", SMALL, "--no-save", "--out", str(out_file / "sub")]
    )
    assert refused.exit_code == 1
    assert "--out: " in refused.stderr and "файл, а не папка" in refused.stderr


def test_number_helpers_follow_the_locale() -> None:
    lang.use("es")
    assert (lang.num(1234.5, 1), lang.signed(-1234), lang.pct(0.125, 1)) == (
        "1.234,5", "-1.234", "12,5%"
    )  # fmt: skip
    lang.use("ru")
    assert (lang.num(1234.5, 1), lang.signed(1234), lang.figure(1370.0)) == (
        "1\xa0234,5", "+1\xa0234", "1370"
    )  # fmt: skip
    assert lang.word("on_time") == "вовремя" and lang.word("no_such_thing") == "no such thing"
    lang.use("en")
    assert (lang.num(1234.5, 1), lang.signed(0.4, 1), lang.num(None)) == ("1,234.5", "+0.4", "–")


def test_a_services_error_is_said_in_the_chosen_language(tmp_path: Path) -> None:
    args = ["agent", "--broker", "x:99999", "--outbox", str(tmp_path / "ob.db"),
            "--simulate", "--plant", "P1"]  # fmt: skip
    es = runner.invoke(app, ["--lang", "es", *args])
    ru = runner.invoke(app, ["--lang", "ru", *args])
    en = runner.invoke(app, ["--lang", "en", *args])
    assert es.exit_code == ru.exit_code == en.exit_code == 1
    assert "--broker: se esperaba HOST:PUERTO, se recibió 'x:99999'" in es.output
    assert "--broker: ожидалось ХОСТ:ПОРТ, получено 'x:99999'" in ru.output
    assert "--broker: expected HOST:PORT, got 'x:99999'" in en.output
