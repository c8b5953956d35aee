"""Piped output is not squeezed to 80 columns; `plans list --json` prints JSON."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.table import Table
from server_world import portfolio_document, save_plan

from ingenio.cli.consoles import PIPE_WIDTH, make_console, output_width
from ingenio.store import Store

LONG = "Combinado de Panificación y Pastas, Cerro (La Habana)"


def test_a_pipe_gets_a_wide_console_unless_columns_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert output_width() == PIPE_WIDTH
    monkeypatch.setenv("COLUMNS", "132")
    assert output_width() == 132


def test_a_piped_table_keeps_each_plant_name_on_one_line() -> None:
    code = (
        "from rich.table import Table\n"
        "from ingenio.cli.consoles import make_console\n"
        f"t = Table('plant', 'state', 'diesel days', 'value at risk', 'next tanker')\n"
        f"t.add_row({LONG!r}, 'on generator', '5.1', '652,672', '2026-04-13 14:00')\n"
        "make_console().print(t)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert LONG in done.stdout


def test_a_console_made_for_a_terminal_follows_it() -> None:
    console = make_console(force_terminal=True)
    table = Table("a")
    table.add_row("b")
    console.print(table)  # no error; width left to Rich


def test_plans_list_json(tmp_path: Path) -> None:
    ingenio = Path(sys.executable).with_name("ingenio")
    db = f"sqlite:///{(tmp_path / 'x.sqlite').as_posix()}"
    with Store.open(db) as store:
        document = portfolio_document("Piped Works")
        pv = store.save_portfolio("Piped Works", document, actor="test")
        plan_id = save_plan(store, pv.id, document, "test")
    done = subprocess.run(
        [str(ingenio), "--db", db, "plans", "list", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert [(p["id"], p["portfolio"], p["version"]) for p in listed] == [
        (plan_id, "Piped Works", 1)
    ]
