"""Bounds on what one input may ask of the machine (see ``docs/limits.md``).

A small file can describe a huge amount of work: a YAML alias bomb expands a few
kilobytes into gigabytes, an xlsx can declare a sheet of 17 billion cells, a
command line can ask for a billion scenarios or eleven centuries of KPI periods.
Each bound below is far above any real portfolio, sheet or command and far below
what exhausts a 2-core, few-gigabyte server; every refusal names the bound.
"""

from __future__ import annotations

import math
from pathlib import Path

from ingenio.domain import DomainError, Issue

MIB = 1024 * 1024

MAX_DOCUMENT_BYTES = 32 * MIB
"""A portfolio or mapping file (YAML/JSON): parsing takes ~50x its size in memory."""
MAX_DOCUMENT_NODES = 2_000_000
"""Values in a YAML/JSON document after aliases are expanded (an alias bomb's target)."""
MAX_NESTING = 200
"""Lists and mappings inside each other (a portfolio needs fewer than 10)."""
MAX_TEXT_BYTES = 32 * MIB
"""An outage feed, a CSV sheet or a benchmark instance."""
MAX_SHEET_BYTES = 32 * MIB
"""An xlsx actuals workbook (compressed)."""
MAX_SHEET_ROWS = 200_000
"""Rows in one sheet of an actuals workbook (a year of hourly records of 20 lines)."""
MAX_SHEET_COLUMNS = 200
"""Columns a sheet may declare or use (the actuals sheets have fewer than 20)."""
MAX_SAMPLES = 100_000
"""Scenarios one ``scenarios``/``robust`` command samples (each is a plan)."""
MAX_PERIOD_DAYS = 3_660
"""Days in one ``kpi`` period (ten years)."""
MAX_NAME_LENGTH = 200
"""Characters in a name or id from a file."""
MAX_MAGNITUDE = 1e12
"""Largest absolute number a portfolio quantity may have (capacities, litres, money)."""


def check_size(path: Path, limit: int, what: str = "the file") -> None:
    """Refuse a file larger than ``limit`` bytes before reading it.

    Raises
    ------
    DomainError
        Naming the file, its size and the limit.
    """
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader reports a missing or unreadable file itself
    if size > limit:
        msg = f"{what} is {_mib(size)}; the limit is {_mib(limit)} (see docs/limits.md)"
        raise DomainError([Issue("(file)", msg)], path.name)


def _mib(n: int) -> str:
    return f"{n / MIB:.1f} MiB" if n >= MIB else f"{n} bytes"


def finite_and_sane(value: float) -> bool:
    """``value`` is a finite number whose magnitude is at most :data:`MAX_MAGNITUDE`."""
    return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE
