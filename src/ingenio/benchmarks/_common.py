"""What the benchmark converters share: numbered lines, issues, and the one-plant shell.

A benchmark instance becomes a portfolio with one plant whose grid never fails, whose
lines work around the clock, and whose orders are due far in the future: the only
constraints left are the instance's own (routing, precedence, machines, resources), and
one time unit of the instance is one minute.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingenio.domain import (
    MINUTES_PER_DAY,
    Block,
    DomainError,
    Enterprise,
    Horizon,
    Issue,
    Line,
    Order,
    Plant,
    Portfolio,
    Product,
    Resource,
    Window,
)
from ingenio.formats.issues import shown
from ingenio.limits import MAX_TEXT_BYTES, check_size

MAX_INSTANCE_NUMBER = 1_000_000_000
"""Durations, demands and counts of a benchmark instance (a billion minutes is 1,900 years)."""
ORIGIN = datetime(2026, 1, 5, tzinfo=UTC)
"""A Monday; any origin works, the instances know no calendar."""
TIMEZONE = "UTC"
"""No daylight-saving change: minute ``m`` is always ``m`` minutes after the origin."""
SLOT_MINUTES = 1
"""Instance durations are whole units, so one-minute slots lose nothing."""
PLANT_ID = "BENCH"
BLOCK_ID = "GRID"
ENTERPRISE_ID = "E-BENCH"
VALUE_PER_UNIT = 1.0


@dataclass(frozen=True)
class NumberedLine:
    """A line of a text file with its 1-based number and its whitespace-split fields."""

    number: int
    text: str

    @property
    def fields(self) -> list[str]:
        """The whitespace-separated fields of the line."""
        return self.text.split()

    def issue(self, message: str, value: object = None) -> Issue:
        """An issue at this line (path ``line N``)."""
        return Issue(f"line {self.number}", message, value)


def numbered(text: str) -> list[NumberedLine]:
    """Every line of ``text`` with its number (1-based), line endings stripped."""
    return [NumberedLine(i, raw.rstrip("\r\n")) for i, raw in enumerate(text.splitlines(), 1)]


def ints(line: NumberedLine, fields: Sequence[str], what: str) -> tuple[list[int], list[Issue]]:
    """Parse ``fields`` as integers; one issue per field that is not one."""
    values: list[int] = []
    issues: list[Issue] = []
    for raw in fields:
        try:
            value = int(raw)
        except ValueError:
            issues.append(line.issue(f"{what} must be whole numbers", shown(raw)))
            continue
        if abs(value) > MAX_INSTANCE_NUMBER:
            msg = f"{what} must be at most {MAX_INSTANCE_NUMBER:,}"
            issues.append(line.issue(msg, shown(raw)))
        else:
            values.append(value)
    return values, issues


def read_instance_text(path: Path) -> str:
    """The text of an instance file: bounded in size, UTF-8, else a one-line ``DomainError``."""
    check_size(path, MAX_TEXT_BYTES)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        msg = f"not UTF-8 text (byte {e.start}); is it an instance file?"
        raise DomainError([Issue("(file)", msg)], str(path)) from e
    except OSError as e:
        msg = f"cannot read the file: {e.strerror or e}"
        raise DomainError([Issue("(file)", msg)], str(path)) from e


def raise_if(issues: Sequence[Issue], source: str | None) -> None:
    """Raise a ``DomainError`` carrying ``issues`` when there are any."""
    if issues:
        raise DomainError(list(issues), source)


def horizon_days(total_minutes: int) -> int:
    """Days enough to run every task one after another (at least one)."""
    return max(1, math.ceil(total_minutes / MINUTES_PER_DAY))


def always_on_line(line_id: str, name: str, horizon: Horizon) -> Line:
    """A line of the benchmark plant that works for the whole horizon."""
    return Line(line_id, name, PLANT_ID, (Window(0, horizon.minutes),))


def one_plant_portfolio(
    name: str,
    horizon: Horizon,
    lines: Sequence[Line],
    products: Sequence[Product],
    orders: Sequence[Order],
    resources: Sequence[Resource] = (),
) -> Portfolio:
    """The portfolio shell: one enterprise, one plant, a grid block with no outage.

    No generators, no tank, no solar, no depot, no deliveries; power is never asked for
    (every step draws 0 kW), so ``grid_kw`` is 0.
    """
    plant = Plant(
        PLANT_ID,
        f"{name} (benchmark)",
        ENTERPRISE_ID,
        BLOCK_ID,
        0.0,
        tuple(lines),
        resources=tuple(resources),
    )
    return Portfolio(
        name=name,
        horizon=horizon,
        enterprises=(Enterprise(ENTERPRISE_ID, "Benchmark"),),
        plants=(plant,),
        blocks=(Block(BLOCK_ID, "Grid without outages"),),
        products=tuple(products),
        orders=tuple(orders),
    )


def make_horizon(total_minutes: int) -> Horizon:
    """A UTC horizon of one-minute slots long enough for ``total_minutes`` of serial work."""
    return Horizon(ORIGIN, horizon_days(total_minutes), SLOT_MINUTES, TIMEZONE)


def rate_for(minutes: int) -> float:
    """``rate_per_hour`` that makes one unit take exactly ``minutes`` minutes."""
    return 60.0 / minutes


def far_due(horizon: Horizon) -> int:
    """A due date no schedule of the instance can miss: the end of the horizon."""
    return horizon.minutes


def chunks(values: Sequence[int], size: int) -> Iterator[tuple[int, ...]]:
    """Consecutive tuples of ``size`` values."""
    for i in range(0, len(values), size):
        yield tuple(values[i : i + size])
