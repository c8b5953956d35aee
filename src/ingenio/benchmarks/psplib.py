"""PSPLIB single-mode RCPSP instances (``.sm``): a strict parser and a converter.

The converter turns an instance into Ingenio's own model (see ``to_portfolio``): one
plant, one order per job with a positive duration, the renewable resources as plant
``Resource`` objects and the precedence relations as ``Order.predecessors``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingenio.benchmarks._common import (
    PLANT_ID,
    VALUE_PER_UNIT,
    NumberedLine,
    always_on_line,
    far_due,
    ints,
    make_horizon,
    numbered,
    one_plant_portfolio,
    raise_if,
    rate_for,
    read_instance_text,
)
from ingenio.domain import Issue, Order, Portfolio, Product, Resource, Step

__all__ = ["PsplibInstance", "PsplibJob", "parse_psplib", "read_psplib", "to_portfolio"]

SECTIONS = ("PRECEDENCE RELATIONS:", "REQUESTS/DURATIONS:", "RESOURCEAVAILABILITIES:")
_HEADER = re.compile(r"^\s*(?P<key>[^:]+?)\s*:\s*(?P<value>\S+)")


@dataclass(frozen=True)
class PsplibJob:
    """One job (activity): its duration, renewable demands and successors (job numbers)."""

    number: int
    duration: int
    demands: tuple[int, ...]
    successors: tuple[int, ...]


@dataclass(frozen=True)
class PsplibInstance:
    """A single-mode RCPSP instance; jobs are numbered 1..n, dummies included."""

    name: str
    horizon: int
    capacities: tuple[int, ...]
    jobs: tuple[PsplibJob, ...]

    def job(self, number: int) -> PsplibJob:
        """The job with this (1-based) number."""
        return self.jobs[number - 1]

    def predecessors(self) -> dict[int, tuple[int, ...]]:
        """Direct predecessors of every job, by job number."""
        preds: dict[int, list[int]] = {j.number: [] for j in self.jobs}
        for job in self.jobs:
            for succ in job.successors:
                preds[succ].append(job.number)
        return {n: tuple(sorted(p)) for n, p in preds.items()}


def read_psplib(path: Path | str) -> PsplibInstance:
    """Read and parse a ``.sm`` file; the instance is named after the file's stem.

    Raises
    ------
    DomainError
        With every problem found, each at ``line N`` of the file.
    """
    p = Path(path)
    return parse_psplib(read_instance_text(p), name=p.stem, source=str(p))


def parse_psplib(text: str, name: str = "psplib", source: str | None = None) -> PsplibInstance:
    """Parse the text of a single-mode PSPLIB ``.sm`` file.

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
    PsplibInstance
        The instance; checked for consistent counts, job numbers, successor lists,
        non-negative durations and demands, demands within capacity and no cycle.

    Raises
    ------
    DomainError
        With every problem found, each at ``line N``.
    """
    lines = numbered(text)
    issues: list[Issue] = []
    header = _header(lines, issues)
    sections = _sections(lines, issues)
    raise_if(issues, source)
    n, k = header["jobs"], header["renewable"]
    successors = _precedence(sections[SECTIONS[0]], n, issues)
    requests = _requests(sections[SECTIONS[1]], n, k, issues)
    capacities = _availabilities(sections[SECTIONS[2]], k, issues)
    raise_if(issues, source)
    jobs = tuple(
        PsplibJob(i, requests[i][1], requests[i][2], successors[i][1]) for i in range(1, n + 1)
    )
    for i in range(1, n + 1):
        line, _, demands = requests[i]
        for r, (need, cap) in enumerate(zip(demands, capacities, strict=True), 1):
            if need > cap:
                issues.append(line.issue(f"job {i} needs {need} of resource R{r}, capacity {cap}"))
    cycle = _on_cycle({j.number: j.successors for j in jobs})
    if cycle is not None:
        issues.append(successors[cycle][0].issue(f"job {cycle} is on a precedence cycle"))
    raise_if(issues, source)
    return PsplibInstance(name, header["horizon"], capacities, jobs)


def _header(lines: Sequence[NumberedLine], issues: list[Issue]) -> dict[str, int]:
    """The counts of the file header: jobs, horizon, renewable resources."""
    wanted = {
        "projects": "projects",
        "jobs (incl. supersource/sink )": "jobs",
        "horizon": "horizon",
        "- renewable": "renewable",
        "- nonrenewable": "nonrenewable",
        "- doubly constrained": "doubly",
    }
    found: dict[str, int] = {}
    stop = next((ln.number for ln in lines if ln.text.strip() in SECTIONS), len(lines) + 1)
    for line in lines:
        if line.number >= stop:
            break
        m = _HEADER.match(line.text)
        if m is None or m["key"] not in wanted:
            continue
        key = wanted[m["key"]]
        try:
            value = int(m["value"])
        except ValueError:
            issues.append(line.issue(f"{m['key']} must be a whole number", m["value"]))
            continue
        if value < 0:
            issues.append(line.issue(f"{m['key']} must not be negative", value))
        found[key] = value
        if key == "projects" and value != 1:
            issues.append(line.issue("only single-project files are supported", value))
        if key in ("nonrenewable", "doubly") and value != 0:
            issues.append(line.issue("only renewable resources are supported (RCPSP)", value))
        if key == "jobs" and value < 1:
            issues.append(line.issue("an instance needs at least one job", value))
    end = f"line {min(stop, len(lines))}"
    for label, key in wanted.items():
        if key in ("jobs", "horizon", "renewable") and key not in found:
            issues.append(Issue(end, f"missing header field {label!r}"))
    return found


def _sections(lines: Sequence[NumberedLine], issues: list[Issue]) -> dict[str, list[NumberedLine]]:
    """The lines of each section, from its title to the next ``*`` rule (both excluded)."""
    out: dict[str, list[NumberedLine]] = {}
    current: list[NumberedLine] | None = None
    for line in lines:
        stripped = line.text.strip()
        if stripped in SECTIONS:
            if stripped in out:
                issues.append(line.issue(f"section {stripped} appears twice"))
            current = out.setdefault(stripped, [])
        elif stripped.startswith("*"):
            current = None
        elif current is not None and stripped:
            current.append(line)
    last = f"line {len(lines)}"
    for title in SECTIONS:
        if title not in out:
            issues.append(Issue(last, f"missing section {title}"))
    return out


def _rows(body: Sequence[NumberedLine], first: str, issues: list[Issue]) -> list[NumberedLine]:
    """The data rows of a section: drop its column header (starting with ``first``)."""
    if not body or not body[0].text.strip().startswith(first):
        where = body[0] if body else None
        if where is not None:
            issues.append(where.issue(f"expected the column header starting with {first!r}"))
        return list(body)
    rows = list(body[1:])
    if rows and set(rows[0].text.strip()) == {"-"}:
        rows = rows[1:]
    return rows


def _count(rows: Sequence[NumberedLine], n: int, what: str, issues: list[Issue]) -> bool:
    """True when there are exactly ``n`` rows; else an issue at the first extra or the end."""
    if len(rows) == n:
        return True
    if len(rows) > n:
        issues.append(rows[n].issue(f"more {what} rows than the {n} jobs of the header"))
    elif rows:
        issues.append(rows[-1].issue(f"{what}: {len(rows)} rows for the {n} jobs of the header"))
    return False


def _precedence(
    body: Sequence[NumberedLine], n: int, issues: list[Issue]
) -> dict[int, tuple[NumberedLine, tuple[int, ...]]]:
    """Successors of each job, with the line that lists them."""
    rows = _rows(body, "jobnr.", issues)
    _count(rows, n, "precedence", issues)
    out: dict[int, tuple[NumberedLine, tuple[int, ...]]] = {}
    for expect, line in enumerate(rows[:n], 1):
        values, bad = ints(line, line.fields, "precedence fields")
        if bad or len(values) < 3:
            issues.extend(bad or [line.issue("expected: jobnr modes #successors successors...")])
            continue
        job, modes, count, succ = values[0], values[1], values[2], values[3:]
        if job != expect:
            issues.append(line.issue(f"expected job number {expect}", job))
        if modes != 1:
            issues.append(line.issue("only single-mode instances are supported", modes))
        if count != len(succ):
            issues.append(line.issue(f"says {count} successors but lists {len(succ)}"))
        for s in succ:
            if not 1 <= s <= n or s == job:
                issues.append(line.issue(f"successor must be another job of 1..{n}", s))
        if len(set(succ)) != len(succ):
            issues.append(line.issue("a successor is listed twice"))
        out[expect] = (line, tuple(succ))
    return out


def _requests(
    body: Sequence[NumberedLine], n: int, k: int, issues: list[Issue]
) -> dict[int, tuple[NumberedLine, int, tuple[int, ...]]]:
    """Duration and resource demands of each job, with their line."""
    rows = _rows(body, "jobnr.", issues)
    _count(rows, n, "request/duration", issues)
    out: dict[int, tuple[NumberedLine, int, tuple[int, ...]]] = {}
    for expect, line in enumerate(rows[:n], 1):
        values, bad = ints(line, line.fields, "request/duration fields")
        if bad:
            issues.extend(bad)
            continue
        if len(values) != 3 + k:
            issues.append(line.issue(f"expected jobnr mode duration and {k} demands", line.text))
            continue
        job, mode, duration, demands = values[0], values[1], values[2], tuple(values[3:])
        if job != expect:
            issues.append(line.issue(f"expected job number {expect}", job))
        if mode != 1:
            issues.append(line.issue("only mode 1 is supported (single-mode)", mode))
        if duration < 0:
            issues.append(line.issue("duration must not be negative", duration))
        if any(d < 0 for d in demands):
            issues.append(line.issue("resource demands must not be negative", demands))
        out[expect] = (line, duration, demands)
    return out


def _availabilities(body: Sequence[NumberedLine], k: int, issues: list[Issue]) -> tuple[int, ...]:
    """The capacity of each renewable resource."""
    rows = _rows(body, "R", issues)
    if len(rows) != 1:
        where = rows[-1] if rows else (body[-1] if body else None)
        if where is not None:
            issues.append(where.issue(f"expected one row of {k} capacities, found {len(rows)}"))
        return (0,) * k
    line = rows[0]
    values, bad = ints(line, line.fields, "capacities")
    issues.extend(bad)
    if not bad and len(values) != k:
        issues.append(line.issue(f"expected {k} capacities (header: {k} renewable)", line.text))
    if any(v < 0 for v in values):
        issues.append(line.issue("capacities must not be negative", tuple(values)))
    return tuple(values) if len(values) == k else (0,) * k


def _on_cycle(successors: Mapping[int, tuple[int, ...]]) -> int | None:
    """A job on a precedence cycle, or None (Kahn's algorithm)."""
    indegree = dict.fromkeys(successors, 0)
    for succ in successors.values():
        for s in succ:
            indegree[s] += 1
    ready = [j for j, d in indegree.items() if d == 0]
    while ready:
        j = ready.pop()
        for s in successors[j]:
            indegree[s] -= 1
            if indegree[s] == 0:
                ready.append(s)
    left = sorted(j for j, d in indegree.items() if d > 0)
    return left[0] if left else None


def order_id(number: int) -> str:
    """Id of the order made for job ``number``."""
    return f"J{number}"


def resource_id(index: int) -> str:
    """Id of the ``index``-th (0-based) renewable resource: R1, R2, ..."""
    return f"R{index + 1}"


def real_predecessors(instance: PsplibInstance) -> dict[int, tuple[int, ...]]:
    """Predecessors among jobs of positive duration, seen through zero-duration jobs.

    A zero-duration job (the dummy source and sink, any other milestone) is dropped; an
    arc ``a -> m -> b`` through it becomes ``a -> b``, so no precedence is lost.
    """
    direct = instance.predecessors()
    real = {j.number for j in instance.jobs if j.duration > 0}
    seen: dict[int, frozenset[int]] = {}

    def through(job: int) -> frozenset[int]:
        """Real jobs reached going backwards from ``job`` through dropped ones only."""
        if job in seen:
            return seen[job]
        out: set[int] = set()
        stack = list(direct[job])
        visited: set[int] = set()
        while stack:
            p = stack.pop()
            if p in visited:
                continue
            visited.add(p)
            if p in real:
                out.add(p)
            else:
                stack.extend(direct[p])
        seen[job] = frozenset(out)
        return seen[job]

    return {j: tuple(sorted(through(j))) for j in sorted(real)}


def to_portfolio(instance: PsplibInstance) -> Portfolio:
    """Ingenio's model of an RCPSP instance.

    One plant; each job of positive duration is an order (quantity 1, released at 0,
    due at the horizon end) of its own one-step product on a private line, so lines
    never bind: only the plant ``Resource`` objects (the instance capacities) and the
    ``predecessors`` do. Duration d is d minutes (``rate_per_hour = 60 / d``), steps are
    uninterruptible and draw no power; zero-duration jobs are dropped with their arcs
    kept transitively. The horizon holds every job run one after another.

    Raises
    ------
    DomainError
        When no job has a positive duration.
    """
    preds = real_predecessors(instance)
    if not preds:
        raise_if([Issue("jobs", "no job has a positive duration")], instance.name)
    horizon = make_horizon(sum(instance.job(j).duration for j in preds))
    resources = tuple(
        Resource(resource_id(r), f"Resource {r + 1}", PLANT_ID, cap)
        for r, cap in enumerate(instance.capacities)
    )
    lines, products, orders = [], [], []
    for number, before in preds.items():
        job = instance.job(number)
        line = always_on_line(f"L{number}", f"Job {number}", horizon)
        step = Step(
            name=f"job {number}",
            lines=(line.id,),
            rate_per_hour=rate_for(job.duration),
            power_kw=0.0,
            interruptible=False,
            resources={resource_id(r): d for r, d in enumerate(job.demands) if d > 0},
        )
        product = Product(f"P{number}", f"Job {number}", f"job-{number}", (step,))
        lines.append(line)
        products.append(product)
        orders.append(
            Order(
                order_id(number),
                product.id,
                1.0,
                0,
                far_due(horizon),
                VALUE_PER_UNIT,
                predecessors=tuple(order_id(p) for p in before),
            )
        )
    return one_plant_portfolio(instance.name, horizon, lines, products, orders, resources)
