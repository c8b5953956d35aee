"""Batteries in the plant-level CP-SAT model: state of charge as planned variables.

Private helper of :mod:`ingenio.planning.schedule`; ``docs/planning.md`` (*Batteries
in the plant model*) gives the family in words. Batteries have flows in *periods*
``k`` of length ``L_k``:

* in an *outage period* (a horizon slot, ``horizon.slot_minutes``, inside a grid-off
  window of the plant's block widened to whole slots as the bridge profile sees them)
  a discharge ``d_bk`` in power units, ``0 <= d_bk <= floor(power_kw * scale)``;
* in a *charging period* (a block of grid-on slots before the last outage slot, at
  most :data:`CHARGE_BLOCK` minutes, all with or all without a generator slot; for a
  battery without ``generator_charging`` only those without) a charge
  ``c_bk <= floor(charge_kw * scale)`` drawn from the plant and the energy it stores,
  ``g_bk``, with ``Q * g_bk <= floor(efficiency * Q) * L_k * c_bk``: the whole round
  trip is counted on the way in, as rule ``battery-soc`` does, and rounded down;
* the stored energy ``S_bk`` (power units times minutes) at the end of each period:
  ``S_bk = S_b(k-1) + g_bk - L_k * d_bk``, ``S_b(-1) = floor(initial_kwh * 60 *
  scale)``, ``lo_b <= S_bk <= floor(capacity_kwh * 60 * scale)`` with ``lo_b =
  min(ceil(floor_kwh * 60 * scale), S_b(-1))``.

The power cumulative counts ``d_bk`` as supply and ``c_bk`` as load over the period.
Every rounding makes the model poorer than the rules: the stored energy the model
sees never exceeds the real one, so a plan read from a solution (discharge trimmed to
what the load lacks, charge ``g_bk / (efficiency * L_k)``, trimmed to the room left;
``ingenio.planning.battery``) keeps ``battery-soc``, ``battery-flow`` and ``power``.
A battery without ``generator_charging`` charges only in periods where no generator may
run, so its charge comes from grid and solar: ``load + charge <= grid + solar`` there.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from ingenio.domain import MINUTES_PER_HOUR, Battery, Plant, Portfolio
from ingenio.energy import battery_profile

FloatArray = npt.NDArray[np.float64]
GAIN_SCALE = 1_000_000
"""Denominator of the efficiency in the model (``floor(efficiency * GAIN_SCALE)``)."""
_EPS = 1e-9

Flows = Mapping[tuple[int, int], tuple[int, int, int]]
"""Per ``(battery, slot)``: ``(discharge, charge, stored gain)`` in model units."""


def outage_spans(portfolio: Portfolio, plant: Plant) -> list[tuple[int, int]]:
    """The plant's grid-off windows widened to whole slots and merged (as the bridge
    profile and the power timeline see them): where batteries may discharge."""
    n = portfolio.horizon.minutes
    size = portfolio.horizon.slot_minutes
    out: list[tuple[int, int]] = []
    for w in portfolio.grid_off(plant.id):
        a, b = max(0, w.start // size * size), min(n, -(-w.end // size) * size)
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


@dataclass(frozen=True)
class BatteryData:
    """One battery in model units (power units; energy in power units times minutes)."""

    index: int
    battery: Battery
    out_high: int
    in_high: int
    low: int
    high: int
    initial: int
    gain: int
    charge_slots: tuple[int, ...]
    """Periods where it may charge."""


@dataclass(frozen=True)
class StorageData:
    """The plant's batteries in the model.

    ``slots`` are the periods ``(start, end)`` where batteries may have a flow, in time
    order: the horizon's slots inside outage spans (``outage`` holds their indices) and
    charging blocks of grid-on slots, at most :data:`CHARGE_BLOCK` minutes each.
    ``offer`` per battery and outage period: the bridge profile's discharge in power
    units (rounded down; the warm start keeps to it, :func:`hint_flows`).
    """

    slots: tuple[tuple[int, int], ...]
    outage: tuple[int, ...]
    batteries: tuple[BatteryData, ...]
    offer: Mapping[tuple[int, int], int]

    @property
    def out_units(self) -> int:
        """Power units all batteries can give at once."""
        return sum(b.out_high for b in self.batteries)

    @cached_property
    def starts(self) -> list[int]:
        """Start of each period."""
        return [a for a, _ in self.slots]

    def at(self, minute: int) -> int | None:
        """The period holding ``minute`` (None: no battery flow there)."""
        k = bisect_right(self.starts, minute) - 1
        return k if k >= 0 and minute < self.slots[k][1] else None


CHARGE_BLOCK = 60
"""Longest charging period (minutes): a battery charges at one rate over it. Outage
periods are the horizon's slots."""


def build_storage(
    portfolio: Portfolio,
    plant: Plant,
    scale: int,
    generator_slots: Sequence[tuple[int, int]],
) -> StorageData | None:
    """The batteries of ``plant`` in model units (None without any)."""
    if not plant.batteries:
        return None
    h = portfolio.horizon
    size, n = h.slot_minutes, h.minutes
    count = -(-n // size)
    grid_off = [False] * count
    for x, y in outage_spans(portfolio, plant):
        for k in range(x // size, -(-y // size)):
            grid_off[k] = True
    gen = [False] * count
    for x, y in generator_slots:
        for k in range(x // size, -(-y // size)):
            gen[k] = True
    last = max((k for k in range(count) if grid_off[k]), default=-1)
    slots: list[tuple[int, int]] = []
    outage: list[int] = []
    by_gen: list[bool] = []  # per period: a generator may run in it
    for k in range(count):
        a, z = k * size, min(n, (k + 1) * size)
        if grid_off[k]:
            outage.append(len(slots))
            slots.append((a, z))
            by_gen.append(gen[k])
        elif k < last:
            open_block = slots and slots[-1][1] == a and len(slots) - 1 not in outage[-1:]
            if open_block and by_gen[-1] == gen[k] and z - slots[-1][0] <= CHARGE_BLOCK:
                slots[-1] = (slots[-1][0], z)
            else:
                slots.append((a, z))
                by_gen.append(gen[k])
    out_set = set(outage)
    profile = battery_profile(portfolio, plant.id)
    batteries: list[BatteryData] = []
    offer: dict[tuple[int, int], int] = {}
    per = MINUTES_PER_HOUR * scale
    for i, b in enumerate(plant.batteries):
        initial = math.floor(b.initial_kwh * per + _EPS)
        charge = tuple(
            k
            for k in range(len(slots))
            if k not in out_set and b.charge_kw > 0 and (b.generator_charging or not by_gen[k])
        )
        batteries.append(
            BatteryData(
                index=i,
                battery=b,
                out_high=math.floor(b.power_kw * scale + _EPS),
                in_high=math.floor(b.charge_kw * scale + _EPS),
                low=min(math.ceil(b.floor_kwh * per - _EPS), initial),
                high=math.floor(b.capacity_kwh * per + _EPS),
                initial=initial,
                gain=math.floor(b.efficiency * GAIN_SCALE + _EPS),
                charge_slots=charge,
            )
        )
        kw = profile.offer_kw[b.id]
        for k in outage:
            a, z = slots[k]
            least = float(kw[a:z].min()) if z > a else 0.0
            offer[i, k] = max(0, math.floor(least * scale + _EPS))
    return StorageData(tuple(slots), tuple(outage), tuple(batteries), offer)


@dataclass
class BatteryVars:
    """One battery's variables: per period its discharge, charge, stored gain, and its
    stored energy at the end of each period."""

    out: dict[int, Any]
    charge: dict[int, Any]
    gain: dict[int, Any]
    stored: dict[int, Any]


def add_variables(model: cp_model.CpModel, storage: StorageData) -> list[BatteryVars]:
    """The variables of every battery (bounds only; see :func:`add_state_of_charge`)."""
    out: list[BatteryVars] = []
    for bd in storage.batteries:
        i = bd.index
        bv = BatteryVars({}, {}, {}, {})
        for k in storage.outage:
            bv.out[k] = model.new_int_var(0, bd.out_high, f"bd{i}_{k}")
        for k in bd.charge_slots:
            bv.charge[k] = model.new_int_var(0, bd.in_high, f"bc{i}_{k}")
            bv.gain[k] = model.new_int_var(0, bd.high - bd.low, f"bg{i}_{k}")
        for k in sorted({*bv.out, *bv.charge}):
            bv.stored[k] = model.new_int_var(bd.low, bd.high, f"bs{i}_{k}")
        out.append(bv)
    return out


def add_state_of_charge(
    model: cp_model.CpModel, storage: StorageData, bvars: Sequence[BatteryVars]
) -> None:
    """``S_bk = S_b(k-1) + g_bk - L_k * d_bk`` and ``Q * g_bk <= E_b * L_k * c_bk``
    (``E_b = floor(efficiency * Q)``); the bounds of ``S_bk`` are its domain."""
    for bd, bv in zip(storage.batteries, bvars, strict=True):
        prev: Any = bd.initial
        for k in sorted(bv.stored):
            s = bv.stored[k]
            a, z = storage.slots[k]
            if k in bv.out:
                model.add(s == prev - (z - a) * bv.out[k])
            else:
                model.add(s == prev + bv.gain[k])
                model.add(GAIN_SCALE * bv.gain[k] <= bd.gain * (z - a) * bv.charge[k])
            prev = s


def power_terms(
    model: cp_model.CpModel, storage: StorageData, bvars: Sequence[BatteryVars]
) -> tuple[list[Any], list[Any]]:
    """Intervals and demands of the batteries in the power cumulative: over an outage
    slot a battery holds back ``out_high - d`` (the capacity there counts every
    battery's ``out_high``), over a charging period it takes ``c``."""
    ivs: list[Any] = []
    demands: list[Any] = []
    for bd, bv in zip(storage.batteries, bvars, strict=True):
        for k, d in bv.out.items():
            a, z = storage.slots[k]
            ivs.append(model.new_fixed_size_interval_var(a, z - a, f"bo{bd.index}_{k}"))
            demands.append(bd.out_high - d)
        for k, c in bv.charge.items():
            a, z = storage.slots[k]
            ivs.append(model.new_fixed_size_interval_var(a, z - a, f"bi{bd.index}_{k}"))
            demands.append(c)
    return ivs, demands


def hint_flows(
    storage: StorageData, need: Sequence[tuple[int, int, int]]
) -> tuple[dict[tuple[int, int], tuple[int, int, int]], dict[int, int]]:
    """A warm start for the batteries, from the bridge profile, and what it gives.

    ``need``: ``(start, end, load - base)`` in power units over stretches cut at every
    period edge. In an outage slot each battery (in file order) gives what the slot's
    neediest stretch lacks, at most the profile's offer and what it holds above its
    floor; in a charging period it charges as much as its limit, the room left and the
    period's least spare power allow (none where the load already needs generators).
    Returns the flows and, per period with flows, their net supply (discharge - charge).
    """
    worst: dict[int, int] = {}
    spare: dict[int, int] = {}
    for a, _, n in need:
        at = storage.at(a)
        if at is None:
            continue
        k = at
        worst[k] = max(worst.get(k, 0), n)
        spare[k] = min(spare.get(k, -n), -n)
    flows: dict[tuple[int, int], tuple[int, int, int]] = {}
    net: dict[int, int] = {}
    stored = [bd.initial for bd in storage.batteries]
    charging: dict[int, list[BatteryData]] = {}
    for bd in storage.batteries:
        for k in bd.charge_slots:
            charging.setdefault(k, []).append(bd)
    outage = set(storage.outage)
    for k in sorted(outage | set(charging)):
        a, z = storage.slots[k]
        length = z - a
        if k in outage:
            want = max(0, worst.get(k, 0))
            for bd in storage.batteries:
                room = (stored[bd.index] - bd.low) // length
                d = max(0, min(bd.out_high, want, storage.offer[bd.index, k], room))
                want -= d
                stored[bd.index] -= d * length
                flows[bd.index, k] = (d, 0, 0)
                net[k] = net.get(k, 0) + d
            continue
        left = max(0, spare.get(k, 0))
        for bd in charging[k]:
            room = bd.high - stored[bd.index]
            full = -(-room * GAIN_SCALE // (bd.gain * length)) if bd.gain > 0 else 0
            c = max(0, min(bd.in_high, left, full))
            g = min(bd.gain * length * c // GAIN_SCALE, room)
            left -= c
            stored[bd.index] += g
            flows[bd.index, k] = (0, c, g)
            net[k] = net.get(k, 0) - c
    return flows, net


def add_hint(
    model: cp_model.CpModel, storage: StorageData, bvars: Sequence[BatteryVars], flows: Flows
) -> None:
    """Hint every battery variable from ``flows`` (missing: no flow)."""
    for bd, bv in zip(storage.batteries, bvars, strict=True):
        stored = bd.initial
        for k in sorted(bv.stored):
            d, c, g = flows.get((bd.index, k), (0, 0, 0))
            a, z = storage.slots[k]
            if k in bv.out:
                model.add_hint(bv.out[k], d)
                stored -= (z - a) * d
            else:
                model.add_hint(bv.charge[k], c)
                model.add_hint(bv.gain[k], g)
                stored += g
            model.add_hint(bv.stored[k], stored)


def read_flows(
    solver: cp_model.CpSolver, storage: StorageData, bvars: Sequence[BatteryVars]
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """The batteries' flows in the solver's best solution (slots with a flow only)."""
    out: dict[tuple[int, int], tuple[int, int, int]] = {}
    for bd, bv in zip(storage.batteries, bvars, strict=True):
        for k, d in bv.out.items():
            value = int(solver.value(d))
            if value:
                out[bd.index, k] = (value, 0, 0)
        for k, c in bv.charge.items():
            gain = int(solver.value(bv.gain[k]))
            if gain:
                out[bd.index, k] = (0, int(solver.value(c)), gain)
    return out


def offers(storage: StorageData, flows: Flows, scale: int, minutes: int) -> dict[str, FloatArray]:
    """Per battery id, kW per minute of the horizon from model flows: ``d / scale`` in
    a discharge slot, ``-g / (efficiency * L * scale)`` in a charging period (the kW that
    stores exactly ``g``; no more than ``c / scale``)."""
    out = {bd.battery.id: np.zeros(minutes) for bd in storage.batteries}
    for (i, k), (d, _, g) in flows.items():
        bd = storage.batteries[i]
        a, z = storage.slots[k]
        if d > 0:
            out[bd.battery.id][a:z] = d / scale
        elif g > 0:
            out[bd.battery.id][a:z] = -g / (bd.battery.efficiency * (z - a) * scale)
    return out
