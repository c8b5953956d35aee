"""The CLI maps every IngenioError once: one line, exit code 1."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ingenio.cli.main import app
from ingenio.store import Store, resolve_url

SMALL = str(Path(__file__).resolve().parents[1] / "fixtures" / "small.yaml")


def test_a_store_error_is_one_line_without_its_class_name(tmp_path: Path) -> None:
    # issue 9: before the one mapping, `plan` printed "error: StoreError: invalid ..."
    args = ["--db", "nosuchdriver://x/y", "plan", SMALL, "--planner", "dispatch"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "error: invalid database URL nosuchdriver://x/y" in result.output
    assert "StoreError" not in result.output and "Traceback" not in result.output


def test_an_unknown_setting_stops_every_command_with_its_name() -> None:
    result = CliRunner().invoke(app, ["validate", SMALL], env={"INGENIO_DATABSE": "x.sqlite"})
    assert result.exit_code == 1
    assert "error: INGENIO_DATABSE: unknown setting" in result.output


def test_a_missing_plan_is_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite")
    Store.open(resolve_url(db)).close()  # an Ingenio database without plans
    result = CliRunner().invoke(app, ["--db", db, "plans", "diff", "1", "2"])
    assert result.exit_code == 1
    assert "error: no plan with id 1" in result.output


def test_console_markup_in_an_error_message_is_printed_literally(tmp_path: Path) -> None:
    # issue 15 item 4: text from a file (here a missing file's name) is never markup
    name = tmp_path / "[bold]x[link=mailto:e]y[/link].yaml"
    result = CliRunner().invoke(app, ["plan", str(name), "--planner", "dispatch"])
    assert result.exit_code == 1
    assert "[bold]x[link=mailto:e]y[/link].yaml" in result.output
    assert "Traceback" not in result.output
