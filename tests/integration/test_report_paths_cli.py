"""Issue 15, item 3 through the command line: ``report enterprise`` names its files from
the enterprise id of a portfolio file; whatever that id, both files land in ``--out``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hostile import files_under, formula_cells, hostile_doc, live_script_problems
from typer.testing import CliRunner

from ingenio.cli.main import app

ENTERPRISE_IDS = ["../../../escaped", "..\\..\\escaped", "a//b", 'con"<x>']


@pytest.mark.parametrize("enterprise", ENTERPRISE_IDS)
def test_the_enterprise_report_stays_inside_out(enterprise: str, tmp_path: Path) -> None:
    doc = hostile_doc(
        lambda i, old: enterprise if old == "ALI" else f"</script><script>alert(1)</script>{old}",
        lambda n: f'=HYPERLINK("http://x","{n}")"><img src=x onerror=alert(1)>',
    )
    source = tmp_path / "src" / "hostile.yaml"
    source.parent.mkdir()
    source.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    db = str(tmp_path / "src" / "db.sqlite")
    runner = CliRunner()
    made = runner.invoke(app, ["--db", db, "plan", str(source), "--out",
                               str(tmp_path / "plan"), "--planner", "dispatch"])  # fmt: skip
    assert made.exit_code == 0, made.output
    out = tmp_path / "work" / "rep"
    got = runner.invoke(app, ["--db", db, "report", "enterprise", enterprise, "--period",
                              "2026-04", "--out", str(out)])  # fmt: skip
    assert got.exit_code == 0, got.output
    written = [p for p in files_under(tmp_path) if p.parent not in (source.parent,)]
    reports = [p for p in written if p.parent != tmp_path / "plan"]
    assert sorted(p.suffix for p in reports) == [".html", ".xlsx"]
    assert all(p.parent == out for p in reports), reports
    page = next(p for p in reports if p.suffix == ".html").read_text(encoding="utf-8")
    assert live_script_problems(page) == []
    assert formula_cells(next(p for p in reports if p.suffix == ".xlsx").read_bytes()) == []
    plan_dir = tmp_path / "plan"
    assert live_script_problems((plan_dir / "report.html").read_text(encoding="utf-8")) == []
    assert formula_cells((plan_dir / "plan.xlsx").read_bytes()) == []
