"""The battery flows of a plan, derived from its load, supply and the bridge profile.

Every planner plans against the batteries' bridge profile
(:mod:`ingenio.energy.battery`) and then calls :func:`with_battery_flows`, which
gives each battery, minute by minute:

* in a minute where the profile offers ``p > 0``: a discharge of what the load still
  lacks after grid, solar and generators, at most ``p`` (batteries in file order);
* in a minute where the profile reserves ``r`` for charging: a charge of
  ``min(r, room, fuel-free power left after the load)`` (generator power too when the
  battery allows generator charging), room counted with the round-trip efficiency.

So a battery never discharges more than the profile and charges as much as the
profile wherever it has room: its stored energy never falls below the profile's.
Flows are cut at slot edges, so ``plan.json`` has one row per battery and slot with a
flow (``docs/formats.md``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from ingenio.domain import MINUTES_PER_HOUR, BatteryFlow, Plan, Plant, Portfolio
from ingenio.energy import battery_profile
from ingenio.planning.capacity import solar_by_minute

FloatArray = npt.NDArray[np.float64]
TOL = 1e-9


def _steps(n: int, spans: list[tuple[int, int, float]]) -> FloatArray:
    """Sum of ``value`` over ``[start, end)`` spans, per minute of ``[0, n)``."""
    diff = np.zeros(n + 1)
    for a, b, v in spans:
        a, b = max(0, a), min(n, b)
        if b > a:
            diff[a] += v
            diff[b] -= v
    out: FloatArray = np.cumsum(diff[:n])
    return out


def _minute_supply(portfolio: Portfolio, plan: Plan, plant: Plant) -> tuple[FloatArray, ...]:
    """Load, fuel-free supply (grid + solar) and generator output per minute."""
    n = portfolio.horizon.minutes
    spans = []
    for op in plan.operations:
        if plant.has_line(op.line_id) and portfolio.has("order", op.order_id):
            routing = portfolio.product(portfolio.order(op.order_id).product_id).routing
            if 0 <= op.step < len(routing):
                spans.append((op.start, op.end, routing[op.step].power_kw))
    load = _steps(n, spans)
    grid_on = np.ones(n, dtype=np.bool_)
    for w in portfolio.grid_off(plant.id):
        grid_on[max(0, w.start) : max(0, min(n, w.end))] = False
    solar = solar_by_minute(portfolio, plant)
    if plant.solar is not None and not plant.solar.islanding:
        solar[~grid_on] = 0.0
    base = np.where(grid_on, plant.grid_kw, 0.0) + solar
    gens = {g.id for g in plant.generators}
    gen = _steps(
        n, [(r.start, r.end, r.output_kw) for r in plan.generator_runs if r.generator_id in gens]
    )
    return load, base, gen


def plant_flows(
    portfolio: Portfolio,
    plan: Plan,
    plant: Plant,
    planned: Mapping[str, FloatArray] | None = None,
) -> list[BatteryFlow]:
    """The flows of ``plant``'s batteries under ``plan`` (see the module docstring).

    ``planned``: per battery id, kW per minute that a planner decided (the CP-SAT
    plant model's state-of-charge solution, ``planning/schedule/storage.py``) to read
    in place of the bridge profile, by the same rule."""
    if not plant.batteries:
        return []
    load, base, gen = _minute_supply(portfolio, plan, plant)
    if planned is None:
        planned = battery_profile(portfolio, plant.id).offer_kw
    n = len(load)
    flows = {b.id: np.zeros(n) for b in plant.batteries}
    energy = {b.id: b.initial_kwh for b in plant.batteries}
    offers = {b.id: planned[b.id].tolist() for b in plant.batteries}
    active = np.flatnonzero(np.any([planned[b.id] != 0 for b in plant.batteries], 0))
    loads, bases, gens = load.tolist(), base.tolist(), gen.tolist()
    for m in active.tolist():
        lack = loads[m] - bases[m] - gens[m]
        free = bases[m] - loads[m]
        for b in plant.batteries:
            offer = offers[b.id][m]
            if offer > 0 and lack > TOL:
                kw = min(offer, lack, (energy[b.id] - b.floor_kwh) * MINUTES_PER_HOUR)
                kw = max(0.0, kw)
                energy[b.id] -= kw / MINUTES_PER_HOUR
                lack -= kw
                flows[b.id][m] = kw
            elif offer < 0:
                spare = free + (gens[m] if b.generator_charging else 0.0)
                room = (b.capacity_kwh - energy[b.id]) * MINUTES_PER_HOUR / b.efficiency
                kw = max(0.0, min(-offer, spare, room))
                energy[b.id] += kw * b.efficiency / MINUTES_PER_HOUR
                free -= kw
                flows[b.id][m] = -kw
    size = portfolio.horizon.slot_minutes
    out: list[BatteryFlow] = []
    for b in plant.batteries:
        out.extend(_runs(b.id, flows[b.id], size))
    return out


def _runs(battery_id: str, kw: FloatArray, size: int) -> list[BatteryFlow]:
    """Stretches of equal non-zero kW, cut at slot edges."""
    out: list[BatteryFlow] = []
    values = kw.tolist()
    start = 0
    for m in range(1, len(values) + 1):
        if m == len(values) or values[m] != values[start] or m % size == 0:
            if abs(values[start]) > TOL:
                out.append(BatteryFlow(battery_id, start, m, values[start]))
            start = m
    return out


def with_battery_flows(
    portfolio: Portfolio, plan: Plan, planned: Mapping[str, FloatArray] | None = None
) -> Plan:
    """``plan`` with the flows of every battery of the portfolio (unchanged without any);
    a plant whose batteries are all in ``planned`` follows those kW, not the profile."""
    if not any(p.batteries for p in portfolio.plants):
        return plan
    flows: list[BatteryFlow] = []
    for plant in portfolio.plants:
        mine = planned if planned and all(b.id in planned for b in plant.batteries) else None
        flows.extend(plant_flows(portfolio, plan, plant, mine))
    return replace(plan, battery_flows=tuple(flows))


def replanned(
    portfolio: Portfolio, flows: Sequence[BatteryFlow], plant_id: str, at: int
) -> dict[str, FloatArray]:
    """kW per minute for :func:`with_battery_flows` after a replan of ``plant_id`` from
    minute ``at``: every battery follows ``flows`` (the plan in force, which may come from
    the plant model's own state-of-charge schedule, not the profile), except that the
    batteries of ``plant_id`` follow their bridge profile (of the world with the new
    outage) from ``at`` on, and before ``at`` charge where the profile or ``flows``
    charge and ``flows`` do not discharge (as before, the flows before the moment are
    recomputed: the profile may now recharge for the new outage)."""
    n = portfolio.horizon.minutes
    out: dict[str, FloatArray] = {}
    for plant in portfolio.plants:
        profile = battery_profile(portfolio, plant.id) if plant.id == plant_id else None
        for b in plant.batteries:
            kw = np.zeros(n)
            stop = at if profile is not None else n
            for f in flows:
                if f.battery_id == b.id and f.start < stop:
                    kw[max(0, f.start) : min(stop, f.end)] = f.kw
            if profile is not None:
                offer = profile.offer_kw[b.id]
                head = kw[:at]
                kw[:at] = np.where(head > 0, head, np.minimum(head, np.minimum(offer[:at], 0)))
                kw[at:] = offer[at:]
            out[b.id] = kw
    return out
