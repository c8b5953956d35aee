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


def _one_line_error(result: object, *needles: str) -> None:
    output = getattr(result, "output", "")
    assert getattr(result, "exit_code", None) == 1, output
    assert "Traceback" not in output and "Error:" not in output.replace("error:", "")
    for needle in needles:
        assert needle in output, output


def test_junk_bench_file_is_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sm"
    junk.write_bytes(bytes(range(256)) * 4)
    result = runner.invoke(app, ["bench", "solve", str(junk), "--format", "psplib"])
    _one_line_error(result, "junk.sm", "not UTF-8 text")
    huge = tmp_path / "huge.jssp"
    huge.write_text("1 1\n0 " + "9" * 30 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["bench", "solve", str(huge), "--format", "jssp"])
    _one_line_error(result, "huge.jssp: line 2", "at most 1,000,000,000")


def test_a_malformed_dask_scheduler_fails_fast(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [*_db(tmp_path), "scenarios", str(SMALL), "--samples", "2", "--dask-scheduler",
         "not a url", "--out", str(tmp_path / "o")],
    )  # fmt: skip
    _one_line_error(result, "--dask-scheduler", "'not a url'", "tcp://HOST:PORT")


def test_out_that_is_a_file_or_holds_a_folder_is_named_before_planning(tmp_path: Path) -> None:
    a_file = tmp_path / "taken"
    a_file.write_text("x", encoding="utf-8")
    result = runner.invoke(
        app, [*_db(tmp_path), "plan", str(SMALL), "--planner", "dispatch", "--out", str(a_file)]
    )
    _one_line_error(result, f"--out: {a_file} is a file, not a folder")
    result = runner.invoke(
        app,
        [*_db(tmp_path), "plan", str(SMALL), "--planner", "dispatch", "--out", str(a_file / "x")],
    )
    _one_line_error(result, f"--out: {a_file} is a file")
    folder = tmp_path / "out"
    (folder / "plan.json").mkdir(parents=True)
    result = runner.invoke(
        app, [*_db(tmp_path), "plan", str(SMALL), "--planner", "dispatch", "--out", str(folder)]
    )
    _one_line_error(result, f"--out: {folder / 'plan.json'} is a folder")
    assert not (tmp_path / "i.db").exists()  # refused before anything was saved


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [
        ("--outage-hours", "nan", "--outage-hours must be a positive number of hours (got nan)"),
        ("--outage-hours", "inf", "--outage-hours must be a positive number of hours (got inf)"),
        ("--outage-hours", "1e9", "--outage-hours must be at most 8784"),
        ("--time-limit", "-5", "--time-limit must be a positive number of seconds (got -5.0)"),
        ("--time-limit", "nan", "--time-limit must be a positive number of seconds (got nan)"),
    ],
)
def test_replan_numbers_are_checked(tmp_path: Path, option: str, value: str, needle: str) -> None:
    result = runner.invoke(
        app, [*_db(tmp_path), "replan", "--plant", "P1", "--at", "now", option, value]
    )
    _one_line_error(result, needle)


# -- item 9: refuse or warn instead of silently accepting -------------------------------------


def test_a_tanker_99999_days_early_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app, [*_db(tmp_path), "whatif", str(SMALL), "--tanker-delay", "T1=-99999d"]
    )
    _one_line_error(result, "--tanker-delay", "T1 would arrive before the plan starts")
    result = runner.invoke(
        app, [*_db(tmp_path), "whatif", str(SMALL), "--tanker-delay", "T1=99999d"]
    )
    _one_line_error(result, "--tanker-delay", "within the plan's horizon plus a year")


def test_a_foreign_sqlite_file_gets_no_ingenio_tables(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "crm.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    for args in (["plans", "list"], ["audit"]):
        result = runner.invoke(app, ["--db", str(other), *args])
        _one_line_error(result, "another application's tables (customers)", "no Ingenio schema")
    with sqlite3.connect(other) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["customers"]


# -- item 4: text from files is printed literally --------------------------------------------

MARKUP_NAME = "A[/bold]B [link=http://e.x]C[/link]"


def test_console_markup_in_a_portfolio_name_prints_literally(tmp_path: Path) -> None:
    text = SMALL.read_text("utf-8").replace("name: Small", f"name: '{MARKUP_NAME}'", 1)
    text = text.replace("{id: ALI, name: Alimentos del Centro}", "{id: ALI, name: '[bold]x[/i]'}")
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text, encoding="utf-8")
    db = _db(tmp_path)
    result = runner.invoke(
        app, [*db, "plan", str(hostile), "--planner", "dispatch", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert MARKUP_NAME in result.output and "Traceback" not in result.output
    for args in (["plans", "list"], ["audit"]):
        result = runner.invoke(app, [*db, *args])
        assert result.exit_code == 0, result.output
        for piece in MARKUP_NAME.split():  # a table may wrap the name at the space
            assert piece in result.output, result.output


PRODUCTION_HEADER = "line,product,order,good_qty,scrap_qty,start,end\n"


def test_overlapping_production_of_one_line_is_refused(tmp_path: Path) -> None:
    from ingenio.store import Store

    db = _db(tmp_path)
    sheet = tmp_path / "production.csv"
    sheet.write_text(
        PRODUCTION_HEADER
        + "L1,P,,100,0,2026-04-06 08:00,2026-04-06 09:00\n"
        + "L1,P,,100,0,2026-04-06 08:30,2026-04-06 09:30\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, [*db, "import-actuals", str(sheet), "--timezone", "UTC"])
    _one_line_error(result, "line L1: production 2026-04-06 08:30-09:30 UTC (in the file)")
    assert "counted twice" in result.output
    first = tmp_path / "first.csv"
    first.write_text(PRODUCTION_HEADER + "L1,P,,100,0,2026-04-06 08:00,2026-04-06 09:00\n")
    result = runner.invoke(app, [*db, "import-actuals", str(first), "--timezone", "UTC"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*db, "import-actuals", str(first), "--timezone", "UTC"])
    assert result.exit_code == 0, result.output  # the same rows again: a re-import
    record = ["record", "production", "--line", "L1", "--product", "P", "--good", "5"]
    record += ["--start", "2026-04-06T08:45", "--end", "2026-04-06T10:00", "--timezone", "UTC"]
    result = runner.invoke(app, [*db, *record])
    _one_line_error(result, "(already stored)", "counted twice")
    with Store.open(db[1]) as store:
        assert len(store.list_production()) == 1


def test_actuals_for_unknown_lines_products_and_orders_warn(tmp_path: Path) -> None:
    db = _db(tmp_path)
    plan = runner.invoke(
        app, [*db, "plan", str(SMALL), "--planner", "dispatch", "--out", str(tmp_path / "o")]
    )
    assert plan.exit_code == 0, plan.output
    sheet = tmp_path / "production.csv"
    sheet.write_text(
        PRODUCTION_HEADER + "P1-OVEN,BREAD,O1,100,0,2026-04-06 08:00,2026-04-06 09:00\n"
        "NOPE-LINE,GHOST,O-404,100,0,2026-04-06 08:00,2026-04-06 09:00\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, [*db, "import-actuals", str(sheet), "--timezone", "UTC"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "warning: production.csv: 1 line(s) no stored portfolio has: 'NOPE-LINE'" in text
    assert "1 product(s) no stored portfolio has: 'GHOST'" in text
    assert "1 order(s) no stored portfolio has: 'O-404'" in text
    assert "P1-OVEN" not in text.split("warning")[-1]


def test_read_only_commands_create_no_database(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite"
    for args in (["plans", "list"], ["audit"], ["plans", "diff", "1", "2"]):
        result = runner.invoke(app, ["--db", str(missing), *args])
        _one_line_error(result, f"no Ingenio database at {missing}")
    result = runner.invoke(
        app,
        [
            "--db",
            str(missing),
            "kpi",
            "--plant",
            "P1",
            "--from",
            "2026-04-06",
            "--to",
            "2026-04-07",
        ],
    )
    _one_line_error(result, f"no Ingenio database at {missing}")
    assert not missing.exists()
