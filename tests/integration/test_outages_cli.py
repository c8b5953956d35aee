"""``ingenio outages parse`` and ``ingenio outages import`` through the CLI, on SQLite."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from ingenio.cli.main import app
from ingenio.domain import Window
from ingenio.formats.portfolio import load_portfolio
from ingenio.store.repository import Store
from ingenio.store.settings import resolve_url

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OUT = FIXTURES / "outages"
MAPPING = str(OUT / "mapping-small.yaml")


def versions(db: Path) -> list[int]:
    with Store.open(resolve_url(str(db))) as store:
        return [v.version for v in store.portfolio_versions("Small")]


def test_parse_shows_windows_per_area_and_json() -> None:
    result = runner.invoke(app, ["outages", "parse", str(OUT / "havana-blocks.csv"), "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "6 area(s), 98 window(s)" in result.output and "B1: 17 window(s)" in result.output
    assert "22:00-02:00+1" in result.output  # a window across midnight
    result = runner.invoke(
        app,
        [
            "outages",
            "parse",
            str(OUT / "esp-soweto.json"),
            "-f",
            "esp-json",
            "--stage",
            "4",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["format"] == "esp-json" and doc["timezone"] == "Africa/Johannesburg"
    assert doc["areas"]["Soweto (12)"]["windows"][0]["start"] == "2023-05-15T04:00+02:00"


def test_parse_une_shows_figures_and_hours_per_block() -> None:
    result = runner.invoke(app, ["outages", "parse", str(OUT / "une-2026-04-06.txt"), "-f", "une"])
    assert result.exit_code == 0, result.output
    assert "afectación 1370 MW" in result.output and "42% of the demand" in result.output
    assert "expected hours off per block and day: 9.8" in result.output
    result = runner.invoke(
        app,
        ["outages", "parse", str(OUT / "une-2026-04-06.txt"), "-f", "une", "-m", MAPPING, "--json"],
    )
    doc = json.loads(result.stdout)
    assert doc["rotation"]["blocks"] == ["B1", "B2"] and doc["rotation"]["block_mw"] == 120


def test_parse_errors_are_one_line_each() -> None:
    result = runner.invoke(app, ["outages", "parse", str(OUT / "broken-blocks.csv"), "-f", "csv"])
    assert result.exit_code == 1
    assert "broken-blocks.csv: line 4, column start: not a real date" in result.output
    assert "8 error(s); nothing was written." in result.output
    result = runner.invoke(app, ["outages", "parse", str(OUT / "x.csv"), "-f", "pdf"])
    assert result.exit_code == 1 and "unknown format 'pdf'" in result.output


def test_import_saves_a_new_version_from_a_file_then_by_name(tmp_path: Path) -> None:
    db = tmp_path / "ingenio.sqlite"
    portfolio_file = tmp_path / "small.yaml"
    shutil.copy(FIXTURES / "small.yaml", portfolio_file)
    written = tmp_path / "small-with-outages.yaml"
    args = [
        "--db",
        str(db),
        "outages",
        "import",
        str(OUT / "havana-blocks.csv"),
        "-f",
        "csv",
        "--portfolio",
        str(portfolio_file),
        "--mapping",
        MAPPING,
        "--write",
        str(written),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "saved portfolio 'Small' version 1" in result.output
    assert versions(db) == [1]
    new = load_portfolio(written)
    windows = [o.window for o in new.block("B1").outages]
    assert windows[0] == Window(600, 840)  # Monday 10:00-14:00
    assert len(windows) == 18 and new.block("B1").outages[1].probability == 0.5
    assert load_portfolio(portfolio_file) == load_portfolio(FIXTURES / "small.yaml")  # untouched

    # By name: the latest stored version; the UNE forecast replaces its three days.
    args = [
        "--db",
        str(db),
        "outages",
        "import",
        str(OUT / "une-2026-04-06.txt"),
        "-f",
        "une",
        "-p",
        "Small",
        "-m",
        MAPPING,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert versions(db) == [1, 2]
    with Store.open(resolve_url(str(db))) as store:
        version, document = store.load_portfolio("Small")
    assert "une-2026-04-06.txt" in version.note
    outages = document["blocks"][0]["outages"]
    assert {o["probability"] for o in outages if o["start"] < "2026-04-09"} <= {0.5, 1.0}


def test_broken_or_unmapped_files_change_nothing(tmp_path: Path) -> None:
    db = tmp_path / "ingenio.sqlite"
    portfolio = str(FIXTURES / "small.yaml")
    written = tmp_path / "out.yaml"
    ok = [
        "--db",
        str(db),
        "outages",
        "import",
        str(OUT / "eskom-calendar.csv"),
        "-f",
        "eskom-calendar",
        "-p",
        portfolio,
        "-m",
        MAPPING,
    ]
    assert runner.invoke(app, ok).exit_code == 0
    assert versions(db) == [1]
    for extra in (
        [str(OUT / "broken-blocks.csv"), "-f", "csv", "-p", "Small", "-m", MAPPING],
        [str(OUT / "broken.ics"), "-f", "ics", "-p", portfolio, "-m", MAPPING],
        [str(OUT / "broken-une.txt"), "-f", "une", "-p", "Small"],
        [str(OUT / "havana-week.ics"), "-f", "ics", "-p", "Small"],  # areas without a block
        [str(OUT / "havana-blocks.csv"), "-f", "csv", "-p", "Nobody", "-m", MAPPING],
        [str(OUT / "havana-blocks.csv"), "-f", "csv", "-p", str(tmp_path / "none.yaml")],
    ):
        args = ["--db", str(db), "outages", "import", *extra, "--write", str(written)]
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert versions(db) == [1] and not written.exists()
    unmapped = runner.invoke(
        app,
        [
            "--db",
            str(db),
            "outages",
            "import",
            str(OUT / "havana-week.ics"),
            "-f",
            "ics",
            "-p",
            "Small",
        ],
    )
    assert "areas.Bloque 1: area of havana-week.ics has no block" in unmapped.output
