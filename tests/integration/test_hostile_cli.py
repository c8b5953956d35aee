"""Hostile and careless command lines: one clear line, never a traceback (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingenio.cli.main import app
from ingenio.limits import MAX_PERIOD_DAYS, MAX_SAMPLES

runner = CliRunner()
SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "small.yaml"


def _db(tmp_path: Path) -> list[str]:
    return ["--db", f"sqlite:///{tmp_path / 'i.db'}"]


@pytest.mark.parametrize(
    "args",
    [
        ["scenarios", str(SMALL), "--samples", "1000000000"],
        ["robust", str(SMALL), "--samples", "1000000000"],
        ["robust", str(SMALL), "--holdout", "1000000000"],
        ["plan", str(SMALL), "--robust", "--samples", "1000000000"],
    ],
)
def test_samples_are_bounded(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, [*_db(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert f"less than or equal to {MAX_SAMPLES}" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_kpi_periods_are_bounded(tmp_path: Path) -> None:
    result = runner.invoke(
        app, [*_db(tmp_path), "kpi", "--plant", "P1", "--from", "1900-01-01", "--to", "2999-12-31"]
    )
    assert result.exit_code == 1, result.output
    assert "401,767 days" in result.output and f"the limit is {MAX_PERIOD_DAYS:,}" in result.output
    assert "Traceback" not in result.output
