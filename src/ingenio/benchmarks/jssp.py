"""Job-shop instances (the ``n m`` + ``machine time`` rows format): a strict parser and a
converter into Ingenio's own model (machines are lines, jobs are orders)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ingenio.benchmarks._common import (
    VALUE_PER_UNIT,
    NumberedLine,
    always_on_line,
    chunks,
    far_due,
    ints,
    make_horizon,
    numbered,
    one_plant_portfolio,
    raise_if,
    rate_for,
    read_instance_text,
)
from ingenio.domain import Issue, Order, Portfolio, Product, Step

__all__ = ["JsspInstance", "JsspOperation", "parse_jssp", "read_jssp", "to_portfolio"]


@dataclass(frozen=True)
class JsspOperation:
    """One operation of a job: a (0-based) machine and a processing time."""

    machine: int
    duration: int


@dataclass(frozen=True)
class JsspInstance:
    """A job-shop instance: ``jobs[j]`` is job j's operations in routing order."""

    name: str
    machines: int
    jobs: tuple[tuple[JsspOperation, ...], ...]

    @property
    def total_duration(self) -> int:
        """Sum of every processing time (a trivial upper bound on the makespan)."""
        return sum(op.duration for job in self.jobs for op in job)


def read_jssp(path: Path | str) -> JsspInstance:
    """Read and parse a job-shop file; the instance is named after the file's stem.

    Raises
    ------
    DomainError
        With every problem found, each at ``line N`` of the file.
    """
    p = Path(path)
    return parse_jssp(read_instance_text(p), name=p.stem, source=str(p))


def parse_jssp(text: str, name: str = "jssp", source: str | None = None) -> JsspInstance:
    """Parse a job-shop file: ``#`` comment lines, ``n m``, then n rows of m pairs.

    Each row lists ``machine time`` pairs in routing order; machines are 0-based and
    each machine appears exactly once per job (the classic n x m format).

    Parameters
    ----------
    text : str
        The file's content.
    name : str
        The instance name.
    source : str, optional
        Where the text came from, for the error messages.

    Returns
    -------
    JsspInstance
        The instance.

    Raises
    ------
    DomainError
        With every problem found, each at ``line N``.
    """
    data = [ln for ln in numbered(text) if ln.text.strip() and not ln.text.lstrip().startswith("#")]
    if not data:
        raise_if([Issue("line 1", "no data: expected a line 'n m'")], source)
    issues: list[Issue] = []
    head = data[0]
    sizes, bad = ints(head, head.fields, "'n m'")
    if bad or len(sizes) != 2 or min(sizes) < 1:
        issues.extend(bad or [head.issue("expected 'n m': two positive numbers", head.text)])
        raise_if(issues, source)
    n, m = sizes
    rows = data[1:]
    if len(rows) > n:
        issues.append(rows[n].issue(f"more job rows than the {n} jobs of the header"))
    elif len(rows) < n:
        last = rows[-1] if rows else head
        issues.append(last.issue(f"{len(rows)} job rows for the {n} jobs of the header"))
    jobs = tuple(_job(line, m, issues) for line in rows[:n])
    raise_if(issues, source)
    return JsspInstance(name, m, jobs)


def _job(line: NumberedLine, m: int, issues: list[Issue]) -> tuple[JsspOperation, ...]:
    """The operations of one job row; issues for anything off."""
    values, bad = ints(line, line.fields, "machine and time")
    if bad:
        issues.extend(bad)
        return ()
    if len(values) != 2 * m:
        issues.append(line.issue(f"expected {m} 'machine time' pairs, found {len(values)} numbers"))
        return ()
    ops = tuple(JsspOperation(mach, time) for mach, time in chunks(values, 2))
    for op in ops:
        if not 0 <= op.machine < m:
            issues.append(line.issue(f"machine must be in 0..{m - 1}", op.machine))
        if op.duration < 0:
            issues.append(line.issue("processing time must not be negative", op.duration))
    seen = [op.machine for op in ops]
    twice = sorted({x for x in seen if seen.count(x) > 1})
    if twice:
        issues.append(line.issue("each machine must appear once per job", twice))
    return ops


def machine_id(machine: int) -> str:
    """Line id of a (0-based) machine: M0, M1, ..."""
    return f"M{machine}"


def order_id(job: int) -> str:
    """Order id of a (0-based) job: J0, J1, ..."""
    return f"J{job}"


def to_portfolio(instance: JsspInstance) -> Portfolio:
    """Ingenio's model of a job-shop instance.

    One plant whose lines are the machines (``M0``...); each job is an order (quantity 1,
    released at 0, due at the horizon end) of its own product whose routing is the
    job's machine sequence, one uninterruptible step per operation drawing no power;
    time t is t minutes. Zero-time operations are left out of the routing (a job with
    none left is dropped). The horizon holds every operation run one after another.

    Raises
    ------
    DomainError
        When no operation has a positive time.
    """
    horizon = make_horizon(instance.total_duration)
    lines = [
        always_on_line(machine_id(k), f"Machine {k}", horizon) for k in range(instance.machines)
    ]
    products: list[Product] = []
    orders: list[Order] = []
    for j, ops in enumerate(instance.jobs):
        routing = _routing(j, ops)
        if not routing:
            continue
        product = Product(f"P{j}", f"Job {j}", f"job-{j}", routing)
        products.append(product)
        orders.append(Order(order_id(j), product.id, 1.0, 0, far_due(horizon), VALUE_PER_UNIT))
    if not orders:
        raise_if([Issue("jobs", "no operation has a positive time")], instance.name)
    return one_plant_portfolio(instance.name, horizon, lines, products, orders)


def _routing(job: int, ops: Sequence[JsspOperation]) -> tuple[Step, ...]:
    """One uninterruptible step per operation of positive time, in routing order."""
    return tuple(
        Step(
            name=f"job {job} op {i} on M{op.machine}",
            lines=(machine_id(op.machine),),
            rate_per_hour=rate_for(op.duration),
            power_kw=0.0,
            interruptible=False,
        )
        for i, op in enumerate(ops)
        if op.duration > 0
    )
