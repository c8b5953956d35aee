"""Stopping ``ingenio plan`` stops its worker processes too (issue 15, item 7).

A real ``ingenio plan`` runs in a subprocess until its plant workers are up; then
it is killed (``kill -9``) or terminated (SIGTERM), and every process it had
started must be gone within a few seconds. Linux only: descendants are found in
``/proc``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "small.yaml"
INGENIO = Path(sys.executable).with_name("ingenio")


def _parents() -> dict[int, int]:
    out: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if fields and fields[0] not in ("Z", "X"):
            out[int(entry.name)] = int(fields[1])
    return out


def _descendants(pid: int) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _busy_portfolio(path: Path) -> Path:
    """small.yaml with 80 more orders: its plant solves run for the whole time limit."""
    rows = []
    for k in range(40):
        day = 6 + k % 6
        when = (
            f"release: 2026-04-0{min(day, 9)}T00:00, due: 2026-04-{day + 1:02d}T{6 + k % 12:02d}:00"
        )
        rows.append(f"  - {{id: B{k}, product: BREAD, quantity: {300 + 37 * k}, {when}, "
                    "value_per_unit: 0.5}")  # fmt: skip
        rows.append(f"  - {{id: T{k}, product: TOMATO, quantity: {900 + 53 * k}, {when}, "
                    "value_per_unit: 1.25}")  # fmt: skip
    text = SMALL.read_text("utf-8").replace("orders:\n", "orders:\n" + "\n".join(rows) + "\n", 1)
    path.write_text(text, encoding="utf-8")
    return path


def _running(pids: set[int]) -> set[int]:
    alive = _parents()
    return {p for p in pids if p in alive}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_plan_command(tmp_path: Path, sig: signal.Signals) -> None:
    command = [
        str(INGENIO), "--db", str(tmp_path / "i.db"), "plan",
        str(_busy_portfolio(tmp_path / "busy.yaml")),
        "--out", str(tmp_path / "out"), "--time-limit", "120",
    ]  # fmt: skip
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        children: set[int] = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            children = _descendants(proc.pid)
            if len(children) >= 3:  # fork server, resource tracker, plant workers
                break
            time.sleep(0.2)
        assert proc.poll() is None and len(children) >= 3, "the plan never reached its workers"
        time.sleep(2.0)  # the workers are solving (for up to the 120 s time limit)
        children = _descendants(proc.pid)
        os.kill(proc.pid, sig)
        deadline = time.monotonic() + 15
        while _running(children) and time.monotonic() < deadline:
            time.sleep(0.2)
        survivors = _running(children)
        assert not survivors, f"still running after {sig.name}: {sorted(survivors)}"
        code = proc.wait(timeout=30)
        assert code == (-9 if sig == signal.SIGKILL else 143)
        if sig == signal.SIGTERM:
            text = log.read_text("utf-8", errors="replace")
            assert "stopped (SIGTERM)" in text and "Traceback" not in text, text
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in _running(_descendants(proc.pid)):
            os.kill(pid, signal.SIGKILL)
