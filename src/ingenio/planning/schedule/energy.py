"""Power and fuel of one plant as the CP-SAT model of :mod:`schedule` sees them.

Private helper of :mod:`ingenio.planning.schedule`. Everything here is exact
integer data, rounded so that the model is never more generous than
``docs/plan-rules.md``: loads are rounded up, supplies down, fuel burn up.

* The base supply (grid + solar) is piecewise constant: it changes at the edges
  of the grid-off windows of the plant's block and, with solar, at every local
  hour boundary. :func:`base_segments` cuts the horizon there.
* The plant's generators may run where the grid is off and the base cannot
  carry the largest load the lines could draw; and, in coarser slots, where the
  grid is on but cannot carry some single step. That part of the horizon is
  cut into *slots* of the horizon's slot length (:data:`GEN_SLOT_GRID_ON`
  minutes with the grid on), also cut at every fuel arrival. In each slot a
  generator is off or runs at one output between its minimum load and its
  rating, in power units. Only the generators are cut in slots; operations keep
  minute precision.
* Fuel is checked at the *checkpoints*, just before each delivery and at the end
  of the horizon, where the tank is lowest.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingenio.domain import MINUTES_PER_HOUR, Plant, Portfolio
from ingenio.energy import battery_profile
from ingenio.planning.schedule.genstarts import GenStarts, start_rules
from ingenio.planning.schedule.storage import StorageData, build_storage, outage_spans

GEN_SLOT_GRID_ON = 240
"""Longest stretch (minutes) in which a generator keeps one output where the grid is on
(generators there only help steps the grid cannot carry). With the grid off it is the
horizon's slot length."""
PLAN_STATE_OF_CHARGE = True
"""Plan the batteries' state of charge in the model (:mod:`.storage`). False: count the
fixed bridge profile as supply instead, as before (``bench/battery.py`` compares)."""
FUEL_SCALE = 1_000_000
"""Model fuel units per litre (microlitres)."""
_EPS = 1e-9


@dataclass(frozen=True)
class Segment:
    """``[start, end)`` with constant grid and solar kW and battery profile."""

    start: int
    end: int
    grid_kw: float
    solar_kw: float
    battery_kw: float = 0.0
    """The batteries' bridge profile (``ingenio.energy.battery``): kW offered while the
    grid is off, minus kW reserved for charging while it is on."""

    @property
    def base_kw(self) -> float:
        """Grid plus solar kW plus the batteries' profile: supply that needs no fuel."""
        return self.grid_kw + self.solar_kw + self.battery_kw


@dataclass(frozen=True)
class GenData:
    """One generator in model units.

    ``low`` and ``high`` bound its output in power units while it runs (its
    minimum load rounded up, its rating rounded down); ``fuel_a`` and ``fuel_b``
    the litres per running hour and per power-unit-hour. A generator running
    ``d`` minutes at output ``u`` is charged ``A(d) + B(d) * u`` fuel units
    (:meth:`coefficients`, rounded up): at least what it really burns at any
    output up to ``u``.
    """

    index: int
    low: int
    high: int
    fuel_a: float
    fuel_b: float
    start: int = 0
    """Fuel units of one start: its litres and its warm-up, rounded up."""
    lead: int = 0
    """``start_minutes``: minutes from the crank to the load."""
    min_run: int = 0
    """``min_run_minutes``."""

    def coefficients(self, minutes: int) -> tuple[int, int]:
        """``(A, B)``: fuel units for running ``minutes``, and per power unit on top."""
        hours = minutes / MINUTES_PER_HOUR
        return (
            math.ceil(self.fuel_a * hours * FUEL_SCALE - _EPS),
            math.ceil(self.fuel_b * hours * FUEL_SCALE - _EPS),
        )

    def most(self, minutes: int) -> int:
        """Fuel units charged for ``minutes`` at full output."""
        a, b = self.coefficients(minutes)
        return a + b * self.high


@dataclass(frozen=True)
class PowerData:
    """The plant's power resource and its generators, in model units.

    Attributes
    ----------
    scale
        Power units per kW.
    capacity
        Constant capacity of the cumulative power resource.
    blockers
        Fixed ``(start, end, demand)`` intervals that bring the capacity down to
        the base supply (plus the generators' full rating inside the slots).
    slots
        ``(start, end)`` of the stretches where generators may run, in time order.
    generators
        The generators that may run (none without a tank or fuel).
    checkpoints
        ``(n, rhs)``: the burn of the first ``n`` slots must not exceed ``rhs``
        fuel units. Checkpoints that cannot bind are left out.
    segments
        The base supply over the horizon.
    base_units
        Base supply of each segment in power units, rounded down.
    """

    scale: int
    capacity: int
    blockers: tuple[tuple[int, int, int], ...]
    slots: tuple[tuple[int, int], ...]
    generators: tuple[GenData, ...]
    checkpoints: tuple[tuple[int, int], ...]
    segments: tuple[Segment, ...]
    base_units: tuple[int, ...]
    storage: StorageData | None = None
    """The batteries, planned with their state of charge (:mod:`.storage`); their
    flows are not in ``segments`` then."""
    checkpoint_at: tuple[int, ...] = ()
    """The minute of each checkpoint (an arrival, or the end of the horizon)."""
    starts: tuple[GenStarts, ...] = ()
    """Per generator, what its starts cost and force (:mod:`.genstarts`)."""

    def units(self, kw: float) -> int:
        """A load in power units, rounded up."""
        return math.ceil(kw * self.scale - _EPS)


def base_segments(portfolio: Portfolio, plant: Plant, profile: bool = True) -> tuple[Segment, ...]:
    """Grid and solar kW over ``[0, horizon)``, merged where both stay the same; with
    ``profile`` the batteries' bridge profile too, else cut where batteries may start
    or stop discharging (:func:`.storage.outage_spans`) with no battery kW."""
    h = portfolio.horizon
    end = h.minutes
    off = [(max(0, w.start), min(end, w.end)) for w in portfolio.grid_off(plant.id)]
    off = [(a, b) for a, b in off if b > a]
    cuts = {0, end}
    for a, b in off:
        cuts.update((a, b))
    if plant.solar is not None:
        m = 0
        while m < end:
            cuts.add(m)
            m += MINUTES_PER_HOUR - h.to_datetime(m).minute
    bat = battery_profile(portfolio, plant.id).total_kw if profile else np.zeros(0)
    edges: set[int] = set()  # kept apart: batteries discharge on one side only
    if not profile:
        edges = {x for span in outage_spans(portfolio, plant) for x in span}
        cuts.update(edges)
    if len(bat):  # where the profile changes: window edges, ends of charging
        cuts.update(i + 1 for i in np.flatnonzero(np.diff(bat)).tolist())
    times = sorted(c for c in cuts if 0 <= c <= end)
    out: list[Segment] = []
    k = 0
    for a, b in itertools.pairwise(times):
        while k < len(off) and off[k][1] <= a:
            k += 1
        grid_off = k < len(off) and off[k][0] <= a
        grid = 0.0 if grid_off else plant.grid_kw
        solar = 0.0
        if plant.solar is not None:
            solar = plant.solar.kw(h.to_datetime(a).hour, not grid_off)
        kw = float(bat[a]) if len(bat) else 0.0
        same = out and (out[-1].grid_kw, out[-1].solar_kw, out[-1].battery_kw) == (grid, solar, kw)
        if same and a not in edges:
            out[-1] = Segment(out[-1].start, b, grid, solar, kw)
        else:
            out.append(Segment(a, b, grid, solar, kw))
    return tuple(out)


def usable_fuel(portfolio: Portfolio, plant: Plant) -> bool:
    """True when the plant's generators can ever burn fuel above the tank reserve."""
    if plant.tank is None or not plant.generators:
        return False
    tank = plant.tank
    end = portfolio.horizon.minutes
    arrived = sum(d.litres for d in portfolio.deliveries_to(plant.id) if d.expected < end)
    return tank.stock_l - tank.reserve_l + arrived > _EPS


def max_supply_kw(portfolio: Portfolio, plant: Plant, segments: Sequence[Segment]) -> float:
    """The most power the plant can ever have at once (pruning bound)."""
    gens = plant.generator_kw if usable_fuel(portfolio, plant) else 0.0
    batteries = sum(b.power_kw for b in plant.batteries)  # the SoC model may use it all
    return max((s.base_kw for s in segments), default=0.0) + gens + batteries


def _scale(demands: Sequence[float], supplies: Sequence[float]) -> int:
    """Smallest power unit (1, 1/10, ... kW) in which every value is a whole number."""
    values = [*demands, *supplies]
    for scale in (1, 10, 100):
        if all(abs(v * scale - round(v * scale)) < 1e-6 for v in values):
            return scale
    return 1000


def build_power(
    portfolio: Portfolio, plant: Plant, demands: Sequence[float], peak_kw: float
) -> PowerData | None:
    """The power and fuel data of ``plant``, or None when power can never bind.

    Parameters
    ----------
    portfolio
        A one-plant portfolio.
    plant
        Its plant.
    demands
        kW of every step that may run.
    peak_kw
        The largest load the lines can draw at once (sum over lines of the
        largest step power each may run).
    """
    # With batteries the model plans their state of charge (:mod:`.storage`): the
    # segments carry grid and solar only.
    planned = bool(plant.batteries) and PLAN_STATE_OF_CHARGE
    segments = base_segments(portfolio, plant, profile=not planned)
    if not segments or peak_kw <= min(s.base_kw for s in segments) + _EPS:
        return None
    fuel = usable_fuel(portfolio, plant)
    supplies = [s.base_kw for s in segments]
    supplies += [x for g in plant.generators if fuel for x in (g.rated_kw, g.min_kw)]
    supplies += [x for b in plant.batteries for x in (b.power_kw, b.charge_kw)]
    scale = _scale(demands, supplies)
    spans = outage_spans(portfolio, plant) if planned else []
    bat_out = sum(math.floor(b.power_kw * scale + _EPS) for b in plant.batteries)
    peak = math.ceil(peak_kw * scale - _EPS)
    gens: list[GenData] = []
    for i, g in enumerate(plant.generators if fuel else ()):
        high = math.floor(g.rated_kw * scale + _EPS)
        low = max(1, math.ceil(g.min_kw * scale - _EPS))
        if high < low:
            continue
        start = math.ceil((g.start_litres + g.warmup_litres) * FUEL_SCALE - _EPS)
        a, b = g.fuel_a * g.rated_kw, g.fuel_b / scale
        gens.append(GenData(i, low, high, a, b, start, g.start_minutes, g.min_run_minutes))
    total = sum(g.high for g in gens)
    biggest = math.ceil(max(demands, default=0.0) * scale - _EPS)
    avail: list[int] = []
    regions: list[tuple[int, int, int]] = []
    bases = [math.floor(s.base_kw * scale + _EPS) for s in segments]
    for s, base in zip(segments, bases, strict=True):
        size = 0
        if gens and base < peak:
            size = -1 if s.grid_kw <= 0 else GEN_SLOT_GRID_ON if base < biggest else 0
        discharge = any(x <= s.start and s.end <= y for x, y in spans)
        avail.append(base + (total if size else 0) + (bat_out if discharge else 0))
        if size:
            if regions and regions[-1][1] == s.start and regions[-1][2] == size:
                regions[-1] = (regions[-1][0], s.end, size)
            else:
                regions.append((s.start, s.end, size))
    capacity = max(avail)
    blockers: list[tuple[int, int, int]] = []
    for s, have in zip(segments, avail, strict=True):
        need = capacity - have
        if need <= 0:
            continue
        if blockers and blockers[-1][1] == s.start and blockers[-1][2] == need:
            blockers[-1] = (blockers[-1][0], s.end, need)
        else:
            blockers.append((s.start, s.end, need))
    end = portfolio.horizon.minutes
    deliveries = portfolio.deliveries_to(plant.id)
    arrivals = sorted({d.expected for d in deliveries if 0 < d.expected < end})
    slots = _slots(regions, arrivals, portfolio.horizon.slot_minutes)
    # a slot holding a generator's first load minute is cut there, so that it may run in
    # the rest of that slot (the slots before that minute are off for it)
    leads = sorted({g.lead for g in gens if g.lead > 0})
    slots = tuple(
        piece
        for a, b in slots
        for piece in itertools.pairwise([a, *(x for x in leads if a < x < b), b])
    )
    horizon = portfolio.horizon.minutes
    rules = tuple(start_rules(slots, g.start, g.lead, g.min_run, horizon) for g in gens)
    checkpoints = _checkpoints(portfolio, plant, slots, gens) if gens else ()
    return PowerData(
        scale,
        capacity,
        tuple(blockers),
        slots,
        tuple(gens),
        tuple((n, rhs) for n, rhs, _ in checkpoints),
        segments,
        tuple(bases),
        build_storage(portfolio, plant, scale, slots) if planned else None,
        tuple(t for _, _, t in checkpoints),
        rules,
    )


def _slots(
    regions: Sequence[tuple[int, int, int]], cuts: Sequence[int], grid_off: int
) -> tuple[tuple[int, int], ...]:
    """Split generator regions ``(start, end, slot minutes)`` at fuel arrivals, then
    into slots (the last one of a stretch shorter); a size of -1 means ``grid_off``."""
    out: list[tuple[int, int]] = []
    for a, b, wanted in regions:
        size = grid_off if wanted < 0 else wanted
        marks = [a, *(c for c in cuts if a < c < b), b]
        for lo, hi in itertools.pairwise(marks):
            out.extend((t, min(hi, t + size)) for t in range(lo, hi, size))
    return tuple(out)


def _checkpoints(
    portfolio: Portfolio,
    plant: Plant,
    slots: Sequence[tuple[int, int]],
    gens: Sequence[GenData],
) -> tuple[tuple[int, int, int], ...]:
    """Fuel checkpoints that can bind: ``(slots before, fuel units above the reserve,
    minute)``.

    Just before each arrival ``t`` (and at the end of the horizon) the tank holds
    ``stock + deliveries expected before t - burn before t``, which must stay at or
    above the reserve; where it starts below, nothing may burn (``rhs = 0``). The most
    that can burn before ``t``: every slot before it at full output, and a start in
    every slot whose crank may come before ``t``.
    """
    tank = plant.tank
    assert tank is not None
    end = portfolio.horizon.minutes
    deliveries = portfolio.deliveries_to(plant.id)
    times = sorted({d.expected for d in deliveries if 0 < d.expected <= end} | {end})
    out: list[tuple[int, int, int]] = []
    n, burn = 0, 0
    for t in times:
        while n < len(slots) and slots[n][1] <= t:
            burn += sum(g.most(slots[n][1] - slots[n][0]) for g in gens)
            n += 1
        starts = sum(
            g.start for c, (a, _) in enumerate(slots) for g in gens if c < n or a - g.lead < t
        )
        litres = tank.stock_l - tank.reserve_l
        litres += sum(d.litres for d in deliveries if d.expected < t)
        rhs = max(0, math.floor(litres * FUEL_SCALE + _EPS))
        if burn + starts > rhs:
            out.append((n, rhs, t))
    return tuple(out)
