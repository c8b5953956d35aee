"""``ingenio outages stages --format eskom-calendar`` and ``ingenio plan --stage`` through
the CLI, on SQLite (the files of ``tests/services/test_eskom_calendar_stages.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stage_portfolios import document
from typer.testing import CliRunner

from ingenio.cli.main import app
from ingenio.formats.portfolio import dump_portfolio, parse_portfolio

runner = CliRunner()
OUT = Path(__file__).resolve().parents[1] / "fixtures" / "outages"


def may(tmp_path: Path) -> Path:
    doc: dict[str, Any] = document()
    doc.update(start="2023-05-15T00:00", days=2)
    del doc["blocks"][0]["load_shedding"]
    doc["orders"][0].update(release="2023-05-15T06:00", due="2023-05-16T00:00")
    path = tmp_path / "may.yaml"
    dump_portfolio(parse_portfolio(doc, "may.yaml"), path)
    return path


def test_stages_from_eskom_calendar_files(tmp_path: Path) -> None:
    db, written = tmp_path / "db.sqlite", tmp_path / "staged.yaml"
    args = [
        "--db", str(db), "outages", "stages", str(OUT / "eskom-calendar-area-15.csv"),
        "--format", "eskom-calendar", "--portfolio", str(may(tmp_path)), "--block", "B",
        "--timeline", str(OUT / "eskom-calendar-timeline.yaml"), "--write", str(written),
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "stage schedule of eskom-calendar-area-15 for 3 date(s)" in result.output
    assert "stage: 4" in written.read_text()
    bad = tmp_path / "area.csv"
    bad.write_text("date_of_month,start_time,finsh_time,stage\n1,02:00,04:30,9\n")
    args[4] = str(bad)
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "area.csv: line 2, column stage: stage must be an integer 1 to 8 (got '9')" in (
        result.output
    )


def test_plan_at_a_chosen_stage(tmp_path: Path) -> None:
    path = tmp_path / "stages.yaml"
    dump_portfolio(parse_portfolio(document(), "stages.yaml"), path)
    hours = {}
    for stage in ("1", "6"):
        out = tmp_path / f"out{stage}"
        args = ["plan", str(path), "--out", str(out), "--planner", "dispatch", "--no-save"]
        result = runner.invoke(app, [*args, "--stage", stage])
        assert result.exit_code == 0, result.output
        doc = json.loads((out / "plan.json").read_text())
        hours[stage] = doc["value"]
    assert hours["1"] >= hours["6"]
    result = runner.invoke(app, ["plan", str(path), "--no-save", "--stage", "9"])
    assert result.exit_code != 0
