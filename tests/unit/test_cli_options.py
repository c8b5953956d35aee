"""One meaning per flag: ``scenarios --processes`` (``--workers`` is its hidden old name)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingenio.cli.main import app

SMALL = str(Path(__file__).resolve().parents[1] / "fixtures" / "small.yaml")


@pytest.mark.parametrize("flag", ["--processes", "--workers"])
def test_scenarios_takes_processes_and_the_old_workers_name(tmp_path: Path, flag: str) -> None:
    args = ["scenarios", SMALL, "--samples", "2", "--planner", "dispatch", flag, "1"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "process pool (1 workers)" in result.output
    assert (tmp_path / "samples.csv").exists()


def test_the_old_workers_name_is_hidden_from_help() -> None:
    result = CliRunner().invoke(app, ["scenarios", "--help"], env={"COLUMNS": "200"})
    assert "--processes" in result.output and "--workers" not in result.output
