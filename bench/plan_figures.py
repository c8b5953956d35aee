"""Figures the planner benchmarks print (``battery.py``, ``generators.py``): the machine's
load, late orders, and a step's seconds and peak traced memory. Imported by the scripts
(``bench/`` is on their path when run as ``python bench/NAME.py``)."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from ingenio.domain import OrderStatus, Plan


def load() -> str:
    """The 1, 5 and 15-minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def late(plan: Plan) -> int:
    """Late or unscheduled orders."""
    return sum(1 for o in plan.outcomes if o.status is not OrderStatus.ON_TIME)


def measured(fn: Callable[[], object]) -> tuple[object, float, float]:
    """``fn()``, its seconds and its peak traced memory in MB."""
    tracemalloc.start()
    clock = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - clock
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, seconds, peak
