"""The command line writes its reports in the environment's language (the POSIX locale
here: ``INGENIO_LANG`` is the CLI's own switch, not a setting yet), English by default."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ingenio.cli.main import app

QUIET: dict[str, str | None] = {"INGENIO_LANG": None, "LC_ALL": None, "LC_MESSAGES": None,
                                 "LANG": None}  # fmt: skip


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.yaml"
    assert CliRunner().invoke(app, ["demo", "--write-portfolio", str(path)]).exit_code == 0
    return path


@pytest.mark.parametrize(
    ("env", "lang", "heading", "sheet"),
    [
        ({"LC_ALL": "ru_RU.UTF-8", "LANG": "es_CU.UTF-8"}, "ru", "<h2>Заводы</h2>", "Сводка"),
        ({"LANG": "es_CU.UTF-8"}, "es", "<h2>Plantas</h2>", "Resumen"),
        ({}, "en", "<h2>Plants</h2>", "Summary"),
    ],
)
def test_plan_writes_its_report_and_workbook_in_the_environments_language(
    demo_file: Path,
    tmp_path: Path,
    env: dict[str, str | None],
    lang: str,
    heading: str,
    sheet: str,
) -> None:
    out = tmp_path / "out"
    args = ["--db", str(tmp_path / "db.sqlite"), "plan", str(demo_file), "--out", str(out),
            "--planner", "dispatch", "--no-save"]  # fmt: skip
    result = CliRunner().invoke(app, args, env=QUIET | env)
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html and heading in html
    wb = load_workbook(out / "plan.xlsx")
    assert wb.sheetnames[0] == sheet
