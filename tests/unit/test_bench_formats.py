"""Benchmark formats: PSPLIB .sm and job shop, parsed strictly and converted into
Ingenio's own model; ``ingenio bench solve`` end to end on two tiny instances.

Fixtures are copies of ``j301_1.sm`` (PSPLIB j30, optimum 43) and ``ft06`` (Fisher &
Thompson 6x6, optimum 55) from the shared benchmark folder.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingenio.benchmarks import jssp as jssp_mod
from ingenio.benchmarks import (
    load_benchmark,
    parse_jssp,
    parse_psplib,
    read_jssp,
    read_psplib,
)
from ingenio.benchmarks import psplib as psplib_mod
from ingenio.benchmarks._common import rate_for
from ingenio.cli.main import app
from ingenio.domain import DomainError

FIXTURES = Path(__file__).parent.parent / "fixtures"
J301 = FIXTURES / "j301_1.sm"
FT06 = FIXTURES / "ft06.jssp"
HAS_SCHEDULE = importlib.util.find_spec("ingenio.planning.schedule") is not None


def j301_text() -> str:
    return J301.read_text(encoding="utf-8")


def replace_line(text: str, number: int, new: str) -> str:
    """``text`` with its line ``number`` (1-based) replaced by ``new``."""
    lines = text.splitlines()
    lines[number - 1] = new
    return "\n".join(lines) + "\n"


def paths(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [i.path for i in exc.value.issues]


# --- PSPLIB ----------------------------------------------------------------------------
def test_psplib_parse() -> None:
    inst = read_psplib(J301)
    assert inst.name == "j301_1"
    assert inst.horizon == 158
    assert inst.capacities == (12, 13, 4, 12)
    assert len(inst.jobs) == 32
    assert inst.job(1).successors == (2, 3, 4)
    assert inst.job(2).duration == 8 and inst.job(2).demands == (4, 0, 0, 0)
    assert inst.job(32).successors == () and inst.job(32).duration == 0
    assert inst.predecessors()[20] == (5, 11, 18)
    assert sum(j.duration for j in inst.jobs) == 158


def test_psplib_convert() -> None:
    p = psplib_mod.to_portfolio(read_psplib(J301))
    assert p.name == "j301_1"
    (plant,) = p.plants
    assert [(r.id, r.capacity) for r in plant.resources] == [
        ("R1", 12),
        ("R2", 13),
        ("R3", 4),
        ("R4", 12),
    ]
    assert len(p.orders) == 30  # dummy source and sink dropped
    assert {o.id for o in p.orders} == {f"J{n}" for n in range(2, 32)}
    assert len(plant.lines) == 30  # a private line per job: lines never bind
    assert all(len(p.product(o.product_id).routing) == 1 for o in p.orders)
    assert p.order("J2").predecessors == ()  # its only predecessor was the source
    assert p.order("J20").predecessors == ("J5", "J11", "J18")
    step = p.product(p.order("J2").product_id).routing[0]
    assert step.resources == {"R1": 4}
    assert not step.interruptible and step.power_kw == 0.0
    assert step.run_minutes(1.0) == 8
    assert all(o.quantity == 1.0 and o.release == 0 for o in p.orders)
    assert all(o.due >= 158 for o in p.orders)
    assert p.horizon.minutes >= 158 and p.horizon.slot_minutes == 1
    assert not p.depots and not p.deliveries and not plant.generators and plant.tank is None
    assert not p.grid_off(plant.id)
    assert all(
        ln.shifts[0].start == 0 and ln.shifts[0].end == p.horizon.minutes for ln in plant.lines
    )


def test_psplib_zero_duration_jobs_keep_precedence() -> None:
    # job 5 (after 4, before 20) becomes a zero-duration milestone
    text = replace_line(j301_text(), 59, "  5      1     0       0    0    0    0")
    p = psplib_mod.to_portfolio(parse_psplib(text, "milestone"))
    assert not p.has("order", "J5")
    assert p.order("J20").predecessors == ("J4", "J11", "J18")


def test_rates_give_exact_minutes() -> None:
    from ingenio.domain import Step

    for d in range(1, 2000):
        step = Step("s", ("L",), rate_for(d), 0.0)
        assert step.run_minutes(1.0) == d


@pytest.mark.parametrize(
    ("line", "new", "where", "words"),
    [
        (22, "   4        1          3           5   9", "line 22", "says 3 successors"),
        (22, "   4        1          3           5   9  x", "line 22", "whole numbers"),
        (22, "   7        1          3           5   9  10", "line 22", "expected job number 4"),
        (22, "   4        2          3           5   9  10", "line 22", "single-mode"),
        (22, "   4        1          3           5   9  99", "line 22", "successor"),
        (56, "  2      1     8      40    0    0    0", "line 56", "capacity 12"),
        (56, "  2      1    -8       4    0    0    0", "line 56", "negative"),
        (56, "  2      1     8       4    0    0", "line 56", "4 demands"),
        (90, "   12   13    4", "line 90", "4 capacities"),
        (10, "  - nonrenewable              :  2   N", "line 10", "renewable"),
        (6, "jobs (incl. supersource/sink ):  x", "line 6", "whole number"),
        # job 30 -> 5 closes the cycle 5 -> 20 -> 25 -> 30 -> 5
        (48, "  30        1          2          32   5", "line", "cycle"),
    ],
)
def test_psplib_errors_are_line_numbered(line: int, new: str, where: str, words: str) -> None:
    with pytest.raises(DomainError) as exc:
        parse_psplib(replace_line(j301_text(), line, new), source="bad.sm")
    assert any(i.path.startswith(where) and words in i.message for i in exc.value.issues), [
        i.render() for i in exc.value.issues
    ]
    assert "bad.sm: line " in str(exc.value)


def test_psplib_missing_section_and_rows() -> None:
    text = j301_text()
    cut = "\n".join(text.splitlines()[:86]) + "\n"  # no RESOURCEAVAILABILITIES
    with pytest.raises(DomainError) as exc:
        parse_psplib(cut)
    assert any("RESOURCEAVAILABILITIES" in i.message for i in exc.value.issues)
    dropped = "\n".join(ln for i, ln in enumerate(text.splitlines(), 1) if i != 40) + "\n"
    with pytest.raises(DomainError) as exc2:
        parse_psplib(dropped)
    assert all(p.startswith("line ") for p in paths(exc2))


# --- job shop --------------------------------------------------------------------------
def test_jssp_parse() -> None:
    inst = read_jssp(FT06)
    assert inst.name == "ft06"
    assert inst.machines == 6 and len(inst.jobs) == 6
    assert [(op.machine, op.duration) for op in inst.jobs[0]] == [
        (2, 1),
        (0, 3),
        (1, 6),
        (3, 7),
        (5, 3),
        (4, 6),
    ]
    assert inst.total_duration == 197


def test_jssp_convert() -> None:
    p = jssp_mod.to_portfolio(read_jssp(FT06))
    (plant,) = p.plants
    assert [ln.id for ln in plant.lines] == [f"M{k}" for k in range(6)]
    assert [o.id for o in p.orders] == [f"J{j}" for j in range(6)]
    routing = p.product(p.order("J0").product_id).routing
    assert [s.lines for s in routing] == [("M2",), ("M0",), ("M1",), ("M3",), ("M5",), ("M4",)]
    assert [s.run_minutes(1.0) for s in routing] == [1, 3, 6, 7, 3, 6]
    assert all(not s.interruptible and not s.resources for s in routing)
    assert len({o.product_id for o in p.orders}) == 6
    assert p.horizon.minutes >= 197
    assert not plant.resources and not plant.generators


def test_jssp_zero_time_operations_are_left_out() -> None:
    text = "# tiny\n2 2\n0 0 1 5\n1 0 0 0\n"
    p = jssp_mod.to_portfolio(parse_jssp(text, "tiny"))
    assert [o.id for o in p.orders] == ["J0"]
    assert [s.lines for s in p.product("P0").routing] == [("M1",)]


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("# c\n2 2\n0 1 1 2\n0 1 5 2\n", "line 4", "machine must be in 0..1"),
        ("# c\n2 2\n0 1 1 2\n0 1 1\n", "line 4", "pairs"),
        ("# c\n2 2\n0 1 1 2\n", "line 3", "1 job rows"),
        ("# c\n2 2\n0 1 1 2\n1 1 0 2\n0 1 1 1\n", "line 5", "more job rows"),
        ("# c\n2 2\n0 1 0 2\n1 1 0 2\n", "line 3", "once per job"),
        ("# c\n2 2\n0 1 1 x\n1 1 0 2\n", "line 3", "whole numbers"),
        ("# c\n2 2\n0 1 1 -2\n1 1 0 2\n", "line 3", "negative"),
        ("# c\n2\n", "line 2", "'n m'"),
        ("# only comments\n", "line 1", "no data"),
    ],
)
def test_jssp_errors_are_line_numbered(text: str, where: str, words: str) -> None:
    with pytest.raises(DomainError) as exc:
        parse_jssp(text, source="bad.jssp")
    assert any(i.path == where and words in i.message for i in exc.value.issues), [
        i.render() for i in exc.value.issues
    ]


def test_load_benchmark() -> None:
    assert len(load_benchmark(FT06, "jssp").orders) == 6
    assert len(load_benchmark(J301, "psplib").orders) == 30
    with pytest.raises(ValueError, match="unknown benchmark format"):
        load_benchmark(FT06, "fjsp")  # type: ignore[arg-type]


# --- CLI -------------------------------------------------------------------------------
def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(
        app, ["bench", "solve", str(tmp_path / "nope.sm"), "--format", "psplib"]
    )
    assert missing.exit_code == 1
    assert "no such file" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    bad = tmp_path / "bad.jssp"
    bad.write_text("2 2\n0 1 1 2\n0 1 7 2\n", encoding="utf-8")
    broken = runner.invoke(app, ["bench", "solve", str(bad), "--format", "jssp", "--json"])
    assert broken.exit_code == 1
    assert "line 3" in broken.stderr and len(broken.stderr.strip().splitlines()) == 1
    wrong = runner.invoke(app, ["bench", "solve", str(bad), "--format", "xml"])
    assert wrong.exit_code != 0


@pytest.mark.skipif(not HAS_SCHEDULE, reason="planning.schedule has not landed yet")
@pytest.mark.parametrize(("file", "fmt", "optimum"), [(FT06, "jssp", 55), (J301, "psplib", 43)])
def test_cli_solves_to_the_optimum(file: Path, fmt: str, optimum: int) -> None:
    args = ["bench", "solve", str(file), "--format", fmt, "--time-limit", "5", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output + result.stderr
    out = json.loads(result.stdout)
    assert out["instance"] == file.stem
    assert out["makespan"] == optimum
    assert out["valid"] is True
    assert out["lower_bound"] is None or out["lower_bound"] <= optimum
    assert {"status", "seconds"} <= out.keys()
