"""``ingenio robust --json``: one JSON object with the decision's figures."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ingenio.cli.main import app

runner = CliRunner()
SMALL = Path(__file__).parents[1] / "fixtures" / "small.yaml"


def test_robust_json_prints_one_object_with_the_figures() -> None:
    args = ["robust", str(SMALL), "--samples", "2", "--holdout", "3", "--batches", "2"]
    result = runner.invoke(app, [*args, "--seed", "4", "--processes", "1", "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    for key in ("plain_mean", "robust_mean", "plain_p10", "robust_p10", "delta_mean",
                "delta_se", "recommended", "vss", "evpi", "measure"):  # fmt: skip
        assert key in got, key
    assert got["recommended"] in ("plain", "two-stage SAA")
    assert got["measure"].startswith("planner score")
    assert got["holdout"] == 3 and got["training_samples"] == 2
    if got["delta_mean"] is not None and got["recommended"] == "plain":
        assert got["delta_lower95"] is None or got["delta_lower95"] <= 0


def test_robust_tables_state_their_measure() -> None:
    args = ["robust", str(SMALL), "--samples", "2", "--holdout", "2", "--batches", "2"]
    result = runner.invoke(app, [*args, "--processes", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("measure: planner score") >= 2
    assert "VSS" in result.stdout and "EVPI" in result.stdout
