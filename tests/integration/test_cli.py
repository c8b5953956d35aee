"""The foundation's command line, end to end: demo, validate, plan, check-plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ingenio.cli.main import app
from ingenio.store.repository import Store
from ingenio.store.settings import resolve_url

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.yaml"
    result = runner.invoke(app, ["demo", "--write-portfolio", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_written_demo_portfolio_validates(demo_file: Path) -> None:
    result = runner.invoke(app, ["validate", str(demo_file)])
    assert result.exit_code == 0, result.output
    assert "6 plants" in result.output and "246 orders" in result.output


def test_plan_then_check_plan_and_versions(demo_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "ingenio.sqlite"
    out = tmp_path / "out"
    args = ["--db", str(db), "plan", str(demo_file), "--out", str(out), "--planner", "dispatch"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    for name in ("plan.json", "plan.xlsx", "report.html"):
        assert (out / name).stat().st_size > 0
    assert "binding" in result.output  # the summary says where power and fuel bind
    check = runner.invoke(app, ["check-plan", str(demo_file), str(out / "plan.json")])
    assert check.exit_code == 0, check.output

    # Planning again adds versions; nothing is overwritten.
    assert runner.invoke(app, args).exit_code == 0
    with Store.open(resolve_url(str(db))) as store:
        versions = store.portfolio_versions()
        plans = store.plans()
    assert [v.version for v in versions] == [1, 2]
    assert sorted(p.version for p in plans) == [1, 2]


def test_check_plan_lists_every_violation(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--db", str(tmp_path / "db.sqlite"), "plan", str(demo_file), "--out", str(out)]
    assert runner.invoke(app, [*args, "--planner", "dispatch", "--no-save"]).exit_code == 0
    doc = json.loads((out / "plan.json").read_text())
    ops = doc["operations"]
    # Two breaks: the second operation moved onto the first's line and time,
    # and the first outcome claims a value it did not earn.
    ops[1] = {**ops[1], "line": ops[0]["line"], "start": ops[0]["start"], "end": ops[0]["end"]}
    doc["outcomes"][0]["value"] += 1000.0
    doc["value"] = sum(o["value"] for o in doc["outcomes"])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = runner.invoke(app, ["check-plan", str(demo_file), str(bad)])
    assert result.exit_code == 1
    assert "outcome" in result.output
    assert "violation(s)" in result.output


def test_broken_portfolio_lists_every_error_and_writes_nothing(
    demo_file: Path, tmp_path: Path
) -> None:
    doc = yaml.safe_load(demo_file.read_text())
    doc["orders"][0]["quantity"] = -5
    doc["orders"][1]["product"] = "NO-SUCH-PRODUCT"
    doc["orders"][2]["due"] = doc["orders"][2]["release"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))

    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "broken.yaml: orders[0].quantity:" in result.output
    unknown = "broken.yaml: orders[1].product: unknown product (got 'NO-SUCH-PRODUCT')"
    assert unknown in result.output
    assert "broken.yaml: orders[2].due:" in result.output
    assert "Traceback" not in result.output

    db = tmp_path / "db.sqlite"
    out = tmp_path / "out"
    result = runner.invoke(app, ["--db", str(db), "plan", str(broken), "--out", str(out)])
    assert result.exit_code == 1
    assert not out.exists()
    assert not db.exists() or not Store.open(resolve_url(str(db))).portfolio_versions()


def test_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "nope.yaml: no such file" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_every_command_has_help() -> None:
    for command in ("demo", "validate", "plan", "check-plan"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_plan_robust_chooses_a_fuel_policy_then_plans(tmp_path: Path) -> None:
    small = Path(__file__).parents[1] / "fixtures" / "small.yaml"
    out = tmp_path / "out"
    args = ["plan", str(small), "--out", str(out), "--planner", "dispatch", "--no-save"]
    result = runner.invoke(app, [*args, "--robust", "--samples", "2", "--holdout", "2"])
    assert result.exit_code == 0, result.output
    assert "held-out" in result.output.lower() or "holdout" in result.output.lower()
    check = runner.invoke(app, ["check-plan", str(small), str(out / "plan.json")])
    assert check.exit_code == 0, check.output


def test_plan_with_a_time_budget_cuts_plant_time_and_says_so(tmp_path: Path) -> None:
    small = Path(__file__).parents[1] / "fixtures" / "small.yaml"
    out = tmp_path / "out"
    args = ["plan", str(small), "--out", str(out), "--no-save", "--time-limit", "30"]
    result = runner.invoke(app, [*args, "--time-budget", "6"])
    assert result.exit_code == 0, result.output
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["seconds"] < 30  # not 30 s per plant
    assert any(n.startswith("stage seconds:") and "of 6 s budget" in n for n in plan["notes"])
    check = runner.invoke(app, ["check-plan", str(small), str(out / "plan.json")])
    assert check.exit_code == 0, check.output
    bad = runner.invoke(app, [*args, "--time-budget", "0"])
    assert bad.exit_code != 0 and "--time-budget" in bad.output
