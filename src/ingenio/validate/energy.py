"""Energy and capacity checks of the plan validator: resource, power, generators, fuel.

Private helper of :mod:`ingenio.validate`. Every check sweeps piecewise
constant (or, for fuel, piecewise linear) functions over their breakpoints, never
minute by minute, and reports one violation per maximal stretch where a rule is broken.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ingenio.domain import (
    N_,
    Generator,
    GeneratorRun,
    Horizon,
    Line,
    Operation,
    Order,
    Plan,
    Plant,
    Portfolio,
    Resource,
    Said,
    Step,
    Violation,
    said,
)
from ingenio.validate.starts import generator_starts, warmups

TOL = 1e-6
"""Absolute tolerance for kW and litres; relative tolerance for quantities and value."""

T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    """An operation whose order and step are known; ``line`` is None when unknown."""

    op: Operation
    order: Order
    step: Step
    line: Line | None

    @property
    def name(self) -> str:
        """``O1/0 [0, 75)``: order, step index and minutes."""
        return f"{self.op.order_id}/{self.op.step} [{self.op.start}, {self.op.end})"


def when(horizon: Horizon, minute: int) -> Said:
    """Local wall-clock time and minute offset, e.g. ``2026-04-06 10:15 (minute 615)``."""
    return said(
        N_("%(time)s (minute %(minute)s)"),
        time=f"{horizon.to_datetime(minute):%Y-%m-%d %H:%M}",
        minute=minute,
    )


def segments(
    series: Sequence[Mapping[int, float]], extra: Iterable[int] = ()
) -> Iterator[tuple[int, int, list[float]]]:
    """Yield ``(a, b, values)`` for each segment ``[a, b)`` between breakpoints.

    Each series maps a minute to the change of its value there (all values start at 0);
    ``extra`` adds breakpoints where something not in the series changes.
    """
    times = sorted(set(extra).union(*(s.keys() for s in series)))
    values = [0.0] * len(series)
    for a, b in itertools.pairwise(times):
        for i, s in enumerate(series):
            values[i] += s.get(a, 0.0)
        yield a, b, values


def stretches(bad: Iterable[tuple[int, int, float, T]]) -> Iterator[tuple[int, int, T]]:
    """Merge touching bad segments ``(a, b, excess, info)``, in time order.

    Yields ``(start, end, info)`` for each maximal stretch, with the ``info`` of its
    segment of largest excess.
    """
    current: tuple[int, int, float, T] | None = None
    for a, b, excess, info in bad:
        if current is not None and a <= current[1]:
            start, _, worst, worst_info = current
            if excess > worst:
                worst, worst_info = excess, info
            current = (start, max(b, current[1]), worst, worst_info)
            continue
        if current is not None:
            yield current[0], current[1], current[3]
        current = (a, b, excess, info)
    if current is not None:
        yield current[0], current[1], current[3]


def _delta(changes: dict[int, float], start: int, end: int, value: float) -> None:
    """Add ``value`` over ``[start, end)`` to a change map."""
    changes[start] = changes.get(start, 0.0) + value
    changes[end] = changes.get(end, 0.0) - value


def check_resources(portfolio: Portfolio, jobs: Sequence[Job], out: list[Violation]) -> None:
    """Rule ``resource``: units held never exceed ``Resource.capacity_at``."""
    held: dict[str, dict[int, float]] = defaultdict(dict)
    holders: dict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        for rid, units in job.step.resources.items():
            _delta(held[rid], job.op.start, job.op.end, units)
            holders[rid].append(job)
    h = portfolio.horizon
    for rid in sorted(held):
        res = portfolio.resource(rid)
        for start, end, (at, n, capacity) in stretches(_overheld(res, held[rid])):
            who = ", ".join(j.name for j in holders[rid] if j.op.start <= at < j.op.end)
            out.append(
                Violation.of(
                    "resource",
                    said(
                        N_(
                            "resource %(resource)s of plant %(plant)s has %(held)g units held "
                            "at %(when)s but capacity %(capacity)s (held by %(who)s); over "
                            "capacity during minutes [%(start)s, %(end)s)"
                        ),
                        resource=rid,
                        plant=res.plant_id,
                        held=n,
                        when=when(h, at),
                        capacity=capacity,
                        who=who,
                        start=start,
                        end=end,
                    ),
                    res.plant_id,
                )
            )


def _overheld(
    res: Resource, held: Mapping[int, float]
) -> Iterator[tuple[int, int, float, tuple[int, float, int]]]:
    """Segments where ``res`` is over capacity: ``(a, b, excess, (a, units, capacity))``."""
    changes = sorted(res.changes)
    cut = [at for at, _ in changes]
    for a, b, (units,) in segments([held], cut):
        i = bisect_right(cut, a)
        capacity = changes[i - 1][1] if i else res.capacity
        if units > capacity + TOL:
            yield a, b, units - capacity, (a, units, capacity)


class Clock:
    """Local hour of any minute in ``[lo, hi)``, from the hour boundaries found once."""

    def __init__(self, horizon: Horizon, lo: int, hi: int) -> None:
        self.marks, self.hours = [lo], [horizon.to_datetime(lo).hour]
        m = lo
        while True:
            m += 60 - horizon.to_datetime(m).minute
            if m >= hi:
                break
            self.marks.append(m)
            self.hours.append(horizon.to_datetime(m).hour)

    def hour(self, minute: int) -> int:
        """Local hour (0-23) of ``minute``."""
        return self.hours[max(0, bisect_right(self.marks, minute) - 1)]


_Clock = Clock
"""The old private name, kept for the tests that use it."""


def check_power(
    portfolio: Portfolio, plan: Plan, jobs: Sequence[Job], out: list[Violation]
) -> None:
    """Rule ``power``: plant load plus battery charging never exceeds grid + solar +
    generator output + battery discharge."""
    load: dict[str, dict[int, float]] = defaultdict(dict)
    for job in jobs:
        if job.line is not None and job.step.power_kw > 0:
            _delta(load[job.line.plant_id], job.op.start, job.op.end, job.step.power_kw)
    gen: dict[str, dict[int, float]] = defaultdict(dict)
    for run, g in _runs(portfolio, plan):
        _delta(gen[g.plant_id], run.start, run.end, run.output_kw)
    dis, chg = battery_series(portfolio, plan)
    for pid in sorted(set(load) | set(chg)):
        off: dict[int, float] = {}
        for w in portfolio.grid_off(pid):
            _delta(off, w.start, w.end, 1.0)
        flows = (dis[pid], chg[pid])
        bad = _short(portfolio, portfolio.plant(pid), load[pid], gen[pid], off, flows)
        for start, end, text in stretches(bad):
            out.append(
                Violation.of(
                    "power",
                    said(
                        N_(
                            "plant %(plant)s %(short)s; short of power during minutes "
                            "[%(start)s, %(end)s)"
                        ),
                        plant=pid,
                        short=text,
                        start=start,
                        end=end,
                    ),
                    pid,
                )
            )


def _short(
    portfolio: Portfolio,
    plant: Plant,
    load: Mapping[int, float],
    gen: Mapping[int, float],
    off: Mapping[int, float],
    flows: tuple[Mapping[int, float], Mapping[int, float]],
) -> Iterator[tuple[int, int, float, Said]]:
    """Segments where the plant's load (and battery charging) exceeds its supply (grid,
    solar, generators, battery discharge): ``(a, b, shortfall, text)``."""
    h = portfolio.horizon
    times = [*load, *flows[1]]
    clock = Clock(h, min(times), max(times)) if plant.solar is not None else None
    extra = clock.marks if clock is not None else []
    for a, b, (kw, gen_kw, n_off, dis_kw, chg_kw) in segments([load, gen, off, *flows], extra):
        kw += chg_kw
        if kw <= TOL:
            continue
        grid_on = n_off <= 0.5
        grid = plant.grid_kw if grid_on else 0.0
        solar = 0.0
        if plant.solar is not None and clock is not None:
            # a grid-tied array trips with the grid (rule ``islanding``)
            solar = plant.solar.kw(clock.hour(a), grid_on)
        have = grid + solar + gen_kw + dis_kw
        if kw > have + TOL:
            grid_txt = said(N_("grid %(kw).1f"), kw=grid) if grid_on else said(N_("grid off"))
            sun_txt = said(N_("solar %(kw).1f"), kw=solar)
            if plant.solar is not None and not grid_on and not plant.solar.islanding:
                sun_txt = said(N_("solar %(kw).1f (grid-tied: off with the grid)"), kw=solar)
            gens = said(N_("generators %(kw).1f"), kw=gen_kw)
            if dis_kw or chg_kw:
                gens = said(
                    N_("generators %(kw).1f, batteries %(battery).1f"),
                    kw=gen_kw,
                    battery=dis_kw - chg_kw,
                )
            text = said(
                N_(
                    "needs %(need).1f kW at %(when)s but has %(have).1f kW "
                    "(%(grid)s, %(sun)s, %(gens)s)"
                ),
                need=kw,
                when=when(h, a),
                have=have,
                grid=grid_txt,
                sun=sun_txt,
                gens=gens,
            )
            yield a, b, kw - have, text


def battery_series(
    portfolio: Portfolio, plan: Plan
) -> tuple[dict[str, dict[int, float]], dict[str, dict[int, float]]]:
    """Per plant, change maps of battery discharge and charge kW (known batteries only)."""
    dis: dict[str, dict[int, float]] = defaultdict(dict)
    chg: dict[str, dict[int, float]] = defaultdict(dict)
    for f in plan.battery_flows:
        if portfolio.has("battery", f.battery_id) and f.end > f.start:
            pid = portfolio.battery(f.battery_id).plant_id
            _delta(dis[pid] if f.kw > 0 else chg[pid], f.start, f.end, abs(f.kw))
    return dis, chg


def _runs(portfolio: Portfolio, plan: Plan) -> Iterator[tuple[GeneratorRun, Generator]]:
    """Generator runs with a known generator and a non-empty interval."""
    for run in plan.generator_runs:
        if portfolio.has("generator", run.generator_id) and run.end > run.start:
            yield run, portfolio.generator(run.generator_id)


def check_generators(portfolio: Portfolio, plan: Plan, out: list[Violation]) -> None:
    """Rules ``generator-load`` and ``generator-overlap``."""
    by_gen: dict[str, list[GeneratorRun]] = defaultdict(list)
    for run, g in _runs(portfolio, plan):
        by_gen[g.id].append(run)
        if not g.min_kw - TOL <= run.output_kw <= g.rated_kw + TOL:
            out.append(
                Violation.of(
                    "generator-load",
                    said(
                        N_(
                            "generator %(generator)s runs at %(kw).1f kW during minutes "
                            "[%(start)s, %(end)s), outside its range %(low).1f-%(high).1f kW"
                        ),
                        generator=g.id,
                        kw=run.output_kw,
                        start=run.start,
                        end=run.end,
                        low=g.min_kw,
                        high=g.rated_kw,
                    ),
                    g.plant_id,
                )
            )
    for gid in sorted(by_gen):
        g = portfolio.generator(gid)
        runs = sorted(by_gen[gid], key=lambda r: (r.start, r.end))
        last = runs[0]
        for run in runs[1:]:
            if run.start < last.end:
                out.append(
                    Violation.of(
                        "generator-overlap",
                        said(
                            N_(
                                "generator %(generator)s runs [%(start1)s, %(end1)s) and "
                                "[%(start2)s, %(end2)s) overlap by %(minutes)s min"
                            ),
                            generator=gid,
                            start1=last.start,
                            end1=last.end,
                            start2=run.start,
                            end2=run.end,
                            minutes=min(last.end, run.end) - run.start,
                        ),
                        g.plant_id,
                    )
                )
            if run.end > last.end:
                last = run


def check_fuel(portfolio: Portfolio, plan: Plan, out: list[Violation]) -> None:
    """Rules ``fuel-reserve`` (plant tanks), ``tank-capacity`` and ``depot-stock``."""
    h = portfolio.horizon
    burn: dict[str, dict[int, float]] = defaultdict(dict)
    nruns: dict[str, int] = defaultdict(int)
    for run, g in _runs(portfolio, plan):
        _delta(burn[g.plant_id], run.start, run.end, g.litres_per_hour(run.output_kw) / 60)
        nruns[g.plant_id] += 1
    for pid, warm in warmups(portfolio, plan).items():  # no-load burn before each start
        for a, b, rate in warm:
            _delta(burn[pid], a, b, rate)
    starts = generator_starts(portfolio, plan)  # plant id -> minute -> litres
    inflow: dict[str, dict[int, float]] = defaultdict(dict)  # plant or depot id -> litres
    transfers_in: dict[str, dict[int, float]] = defaultdict(dict)  # plant id -> litres
    for d in portfolio.deliveries:
        _add(inflow[d.destination], d.expected, d.litres)
    for t in plan.fuel_transfers:
        if portfolio.has("depot", t.depot_id):
            _add(inflow[t.depot_id], t.at, -t.litres)
        if portfolio.has("plant", t.plant_id):
            _add(inflow[t.plant_id], t.at, t.litres)
            _add(transfers_in[t.plant_id], t.at, t.litres)
    for plant in portfolio.plants:
        if plant.tank is None:
            if nruns[plant.id]:
                out.append(
                    Violation.of(
                        "fuel-reserve",
                        said(
                            N_("plant %(plant)s has generator runs (%(runs)s) but no fuel tank"),
                            plant=plant.id,
                            runs=nruns[plant.id],
                        ),
                        plant.id,
                    )
                )
            for at in sorted(transfers_in[plant.id]):
                out.append(
                    Violation.of(
                        "tank-capacity",
                        said(
                            N_(
                                "plant %(plant)s has no fuel tank but receives %(litres).1f L "
                                "at %(when)s"
                            ),
                            plant=plant.id,
                            litres=transfers_in[plant.id][at],
                            when=when(h, at),
                        ),
                        plant.id,
                    )
                )
            continue
        flows = (inflow[plant.id], transfers_in[plant.id], starts.get(plant.id, {}))
        _check_tank(portfolio, plant, burn[plant.id], flows, out)
    for depot in portfolio.depots:
        for start, end, (at, low) in stretches(_negative(depot.stock_l, inflow[depot.id], h)):
            out.append(
                Violation.of(
                    "depot-stock",
                    said(
                        N_(
                            "depot %(depot)s stock falls to %(low).1f L at %(when)s (transfers "
                            "out exceed stock and deliveries by %(excess).1f L); negative during "
                            "minutes [%(start)s, %(end)s)"
                        ),
                        depot=depot.id,
                        low=low,
                        when=when(h, at),
                        excess=-low,
                        start=start,
                        end=end,
                    ),
                    depot.id,
                )
            )


def _add(changes: dict[int, float], at: int, litres: float) -> None:
    """Add ``litres`` arriving (or leaving, when negative) at minute ``at``."""
    changes[at] = changes.get(at, 0.0) + litres


def _negative(
    stock: float, flows: Mapping[int, float], horizon: Horizon
) -> Iterator[tuple[int, int, float, tuple[int, float]]]:
    """Segments where a depot's level is negative: ``(a, b, deficit, (a, level))``."""
    times = sorted(flows)
    level = stock
    for a, b in itertools.pairwise([*times, max(horizon.minutes, times[-1] + 1)] if times else []):
        level += flows[a]
        if level < -TOL:
            yield a, b, -level, (a, level)


def _check_tank(
    portfolio: Portfolio,
    plant: Plant,
    burn: Mapping[int, float],
    flows: tuple[Mapping[int, float], Mapping[int, float], Mapping[int, float]],
    out: list[Violation],
) -> None:
    """Sweep one tank: level is linear between events, lowest just before each inflow; a
    start burns its litres at once, after the inflows of its minute. ``flows``: inflows,
    transfers in, start litres."""
    inflow, transfers_at, starts = flows
    tank = plant.tank
    assert tank is not None
    h = portfolio.horizon
    times = sorted({0, h.minutes, *burn, *inflow, *starts})
    level, rate, burned, prev = tank.stock_l, 0.0, 0.0, times[0]
    bad: list[tuple[int, int, float, tuple[int, float]]] = []
    for t in times:
        start_level = level
        level -= rate * (t - prev)
        burned += rate * (t - prev)
        if burned > TOL and level < tank.reserve_l - TOL:
            crossing = prev
            if start_level >= tank.reserve_l and rate > 0:
                crossing = prev + math.floor((start_level - tank.reserve_l) / rate)
            bad.append((crossing, t, tank.reserve_l - level, (t, level)))
        level += inflow.get(t, 0.0)
        if starts.get(t, 0.0) > 0:  # after what arrives at the same minute
            level -= starts[t]
            burned += starts[t]
            if level < tank.reserve_l - TOL:
                bad.append((t, t, tank.reserve_l - level, (t, level)))
        if t in transfers_at and level > tank.capacity_l + TOL:
            out.append(
                Violation.of(
                    "tank-capacity",
                    said(
                        N_(
                            "plant %(plant)s tank holds %(level).1f L after a transfer at "
                            "%(when)s, over its capacity of %(capacity).1f L by %(excess).1f L"
                        ),
                        plant=plant.id,
                        level=level,
                        when=when(h, t),
                        capacity=tank.capacity_l,
                        excess=level - tank.capacity_l,
                    ),
                    plant.id,
                )
            )
        rate += burn.get(t, 0.0)
        prev = t
    for start, end, (at, low) in stretches(bad):
        out.append(
            Violation.of(
                "fuel-reserve",
                said(
                    N_(
                        "plant %(plant)s tank falls to %(low).1f L at %(when)s, %(into).1f L into "
                        "its reserve of %(reserve).1f L; below the reserve during minutes "
                        "[%(start)s, %(end)s)"
                    ),
                    plant=plant.id,
                    low=low,
                    when=when(h, at),
                    into=tank.reserve_l - low,
                    reserve=tank.reserve_l,
                    start=start,
                    end=end,
                ),
                plant.id,
            )
        )
