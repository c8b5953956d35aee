"""The portfolio LP, one ``define_<family>()`` per constraint family (see :mod:`.portfolio`).

Private helper of :mod:`ingenio.planning.portfolio`. :func:`create_model` calls the
families in a fixed order; each docstring gives the inequality and why every valid
plan of ``docs/plan-rules.md`` satisfies it (so the LP is a relaxation and its
optimum an upper bound).

Notation: ``u[o, j]`` share of order ``o`` completed in tier ``j``; ``w[o, k, l, b]``
minutes of step ``k`` on line ``l`` in bucket ``b``; ``E[g, b]`` kWh of generator ``g``
in bucket ``b``; ``B[b]`` litres a plant burned by the end of bucket ``b``;
``G[d, p, i]`` litres of depot ``d`` granted to plant ``p`` at grant point ``t_i``.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ingenio.domain import MINUTES_PER_DAY, Portfolio, PriorityClass
from ingenio.planning._capacity import (
    OrderWindow,
    PlantMinutes,
    min_run,
    order_windows,
    plant_minutes,
)
from ingenio.planning._capacity import cut_points as _cut_points
from ingenio.planning._lp_matrix import LinearProgram

LATE_TIERS: tuple[int, ...] = (MINUTES_PER_DAY, 3 * MINUTES_PER_DAY)
"""Lateness (minutes) at which the value an order can still earn steps down in the LP."""
BUCKET_LIMIT = 120
"""Most bucket edges per plant before releases and due dates are no longer cut at."""


@dataclass
class PortfolioModel:
    """The LP and the index of its columns (what ``create_model`` builds)."""

    portfolio: Portfolio
    minutes: Mapping[str, PlantMinutes]
    windows: Mapping[str, OrderWindow]
    edges: Mapping[str, tuple[int, ...]]
    grant_points: tuple[int, ...]
    lp: LinearProgram = field(default_factory=LinearProgram)
    value: dict[int, float] = field(default_factory=dict)
    essential: dict[int, float] = field(default_factory=dict)
    """share column of an essential order -> 1 (essential orders done, the first objective)."""
    tiers: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    """order id -> (share column, completion deadline), by deadline."""
    work: dict[tuple[str, int], list[tuple[int, int]]] = field(default_factory=dict)
    """(order id, step) -> (column, bucket), by bucket."""
    line_use: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    plant_load: dict[tuple[str, int], list[tuple[int, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    resource_use: dict[tuple[str, int], list[tuple[int, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    generator_energy: dict[str, dict[int, list[int]]] = field(default_factory=dict)
    burned: dict[str, list[int]] = field(default_factory=dict)
    """plant id -> column of cumulative litres burned by the end of each bucket."""
    grants: dict[tuple[str, str, int], int] = field(default_factory=dict)
    """(depot id, plant id, grant point index) -> column of litres."""

    def bucket_span(self, plant_id: str, b: int) -> tuple[int, int]:
        """``(start, end)`` minutes of bucket ``b`` of the plant."""
        e = self.edges[plant_id]
        return e[b], e[b + 1]


def grant_points(portfolio: Portfolio) -> tuple[int, ...]:
    """Minutes at which depot fuel may be granted: the origin, each day start, each
    depot delivery (inside the horizon)."""
    n = portfolio.horizon.minutes
    points = {0, *range(0, n, MINUTES_PER_DAY)}
    points.update(d.expected for dep in portfolio.depots for d in portfolio.deliveries_to(dep.id))
    return tuple(sorted(t for t in points if 0 <= t < n))


def create_model(portfolio: Portfolio) -> PortfolioModel:
    """Build the portfolio LP: one ``define_<family>()`` per family, in this order."""
    minutes = {p.id: plant_minutes(portfolio, p.id) for p in portfolio.plants}
    windows = order_windows(portfolio, minutes)
    points = grant_points(portfolio)
    edges = {}
    for plant in portfolio.plants:
        mine = [w.order for w in windows.values() if w.plant_id == plant.id]
        optional = [o.due for o in mine] + [o.release for o in mine]
        edges[plant.id] = _cut_points(portfolio, plant.id, points, optional, BUCKET_LIMIT)
    m = PortfolioModel(portfolio, minutes, windows, edges, points)
    define_order_shares(m)
    define_step_work(m)
    define_due_dates(m)
    define_precedence(m)
    define_line_capacity(m)
    define_resource_capacity(m)
    define_energy_balance(m)
    define_fuel_balance(m)
    define_depot_stock(m)
    return m


def _tiers(m: PortfolioModel, window: OrderWindow) -> list[tuple[int, float]]:
    """``(deadline, factor)`` of the tiers an order can complete in, by deadline."""
    order, done = window.order, window.completion
    n, decay = m.portfolio.horizon.minutes, m.portfolio.late_decay_per_day
    if done is None:
        return []
    out: list[tuple[int, float]] = []
    if done <= min(order.due, n):
        out.append((min(order.due, n), 1.0))
    lows, highs = (0, *LATE_TIERS), (*LATE_TIERS, math.inf)
    for lo, hi in zip(lows, highs, strict=True):
        last = int(min(n, order.due + hi))
        if order.due + lo + 1 > n or done > last:
            continue
        factor = max(0.0, 1 - decay * max(lo + 1, done - order.due) / MINUTES_PER_DAY)
        if factor > 0:
            if out and out[-1][0] > order.due and math.isclose(out[-1][1], factor):
                out.pop()  # the looser tier earns as much
            out.append((last, factor))
    return out


def define_order_shares(m: PortfolioModel) -> None:
    """Order shares: ``sum_j u[o, j] <= 1``, value ``sum_j v_o * f_j * u[o, j]``.

    ``u[o, j]`` is the share of order ``o`` completed in tier ``j``: on time
    (completion <= due), or late with lateness in ``(0, 1 d]``, ``(1 d, 3 d]`` or
    beyond (``LATE_TIERS``). ``f_j = max(0, 1 - decay * L_j / 1440)`` with ``L_j``
    the least lateness of the tier, at least the order's least possible lateness
    (``OrderWindow.least_lateness``), so ``f_j`` is the most a completion in that tier
    earns. Valid: a plan's order is unscheduled (all 0) or complete in one tier (1).
    """
    predecessors = {p for o in m.portfolio.orders for p in o.predecessors}
    for oid, window in m.windows.items():
        order = window.order
        if order.value <= 0 and oid not in predecessors:
            continue
        tiers = _tiers(m, window) or []
        if order.value <= 0 and window.completion is not None:
            tiers = [(m.portfolio.horizon.minutes, 0.0)]
        cols = []
        for deadline, factor in tiers:
            c = m.lp.add_col(0.0, 1.0)
            m.value[c] = order.value * factor
            if order.priority is PriorityClass.ESSENTIAL:
                m.essential[c] = 1.0
            cols.append((c, deadline))
        if cols:
            m.tiers[oid] = cols
        if len(cols) > 1:
            m.lp.add_row([(c, 1.0) for c, _ in cols], hi=1.0)


def define_step_work(m: PortfolioModel) -> None:
    """Step work: ``sum_{l, b} w[o, k, l, b] = P_ok * sum_j u[o, j]``, with
    ``0 <= w[o, k, l, b] <= usable minutes of line l in bucket b``.

    ``P_ok`` is the processing time of step ``k`` (setups may be waived, less the
    validator's 1e-6 tolerances); a plan spends at least that many line-minutes.
    Usable minutes lie in the step's window ``[ES_k, H - tail_k)`` (release,
    predecessors, earlier steps; later steps still to run), in a shift of the line,
    in minutes when the plant could carry the step's kW at all, and for an
    uninterruptible step only in unbroken stretches as long as the step. Valid: scale the
    plan's minutes of the step in each bucket down to ``P_ok`` in total.
    """
    lp = m.lp
    for oid, cols in m.tiers.items():
        window = m.windows[oid]
        pm = m.minutes[window.plant_id]
        edges = m.edges[window.plant_id]
        latest = max(d for _, d in cols)
        for k, sw in enumerate(window.steps):
            end = min(latest, math.ceil(latest - sw.tail))
            run = min_run(sw.step, window.order.quantity)
            entries: list[tuple[int, int]] = []
            first = max(0, bisect_left(edges, sw.start + 1) - 1)
            for b in range(first, len(edges) - 1):
                s, e = edges[b], edges[b + 1]
                if s >= end:
                    break
                for line_id in dict.fromkeys(sw.step.lines):
                    ub = pm.usable_minutes(
                        line_id, sw.step.power_kw, max(s, sw.start), min(e, end), run
                    )
                    if ub <= 0:
                        continue
                    c = lp.add_col(0.0, float(ub))
                    entries.append((c, b))
                    m.line_use[(line_id, b)].append(c)
                    if sw.step.power_kw > 0:
                        m.plant_load[(window.plant_id, b)].append((c, sw.step.power_kw / 60))
                    for rid, units in sw.step.resources.items():
                        m.resource_use[(rid, b)].append((c, float(units)))
            m.work[(oid, k)] = entries
            terms = [(c, 1.0) for c, _ in entries] + [(c, -sw.work) for c, _ in cols]
            lp.add_row(terms, lo=0.0, hi=0.0)


def define_due_dates(m: PortfolioModel) -> None:
    """Due dates: ``sum_{l, b: start_b < D_j - tail_k} w[o, k, l, b] >= P_ok * sum_{i<=j} u[o, i]``.

    A share completed by tier ``j``'s deadline ``D_j`` has done step ``k`` before
    ``D_j - tail_k`` (later steps take at least ``tail_k``). Valid: for a plan's
    order completed in tier ``i``, all of step ``k`` lies before every ``D_j``, ``j >= i``.
    The last tier's row is the step-work row itself and is left out.
    """
    for oid, cols in m.tiers.items():
        for k, sw in enumerate(m.windows[oid].steps):
            entries = m.work[(oid, k)]
            edges = m.edges[m.windows[oid].plant_id]
            for j in range(len(cols) - 1):
                limit = cols[j][1] - sw.tail
                terms = [(c, 1.0) for c, b in entries if edges[b] < limit]
                terms += [(c, -sw.work) for c, _ in cols[: j + 1]]
                m.lp.add_row(terms, lo=0.0)


def define_precedence(m: PortfolioModel) -> None:
    """Precedence: ``sum_j u[o, j] <= sum_j u[p, j]`` for each predecessor ``p`` of ``o``.

    An order has operations only if each predecessor has them (rule ``precedence``);
    its earliest start already waits for theirs (``OrderWindow``).
    """
    for oid, cols in m.tiers.items():
        for pred in m.portfolio.order(oid).predecessors:
            theirs = m.tiers.get(pred, [])
            m.lp.add_row([(c, 1.0) for c, _ in cols] + [(c, -1.0) for c, _ in theirs], hi=0.0)


def define_line_capacity(m: PortfolioModel) -> None:
    """Line capacity: ``sum_{o, k} w[o, k, l, b] <= shift minutes of line l in bucket b``.

    Valid: a line runs one operation at a time, inside its shifts (rules
    ``line-overlap``, ``shift``). Rows the column bounds already imply are left out.
    """
    for (line_id, b), cols in m.line_use.items():
        line = m.portfolio.line(line_id)
        s, e = m.bucket_span(line.plant_id, b)
        cap = int(np.count_nonzero(m.minutes[line.plant_id].shift[line_id][s:e]))
        if sum(m.lp.col_hi[c] for c in cols) > cap:
            m.lp.add_row([(c, 1.0) for c in cols], hi=float(cap))


def define_resource_capacity(m: PortfolioModel) -> None:
    """Shared resources: ``sum units_k(r) * w[o, k, l, b] <= integral of capacity_r over b``.

    Valid: at every minute the units held are at most ``capacity_at`` (rule ``resource``);
    integrate over the bucket.
    """
    for (rid, b), terms in m.resource_use.items():
        res = m.portfolio.resource(rid)
        s, e = m.bucket_span(res.plant_id, b)
        cap = np.full(e - s, float(res.capacity))
        for at, units in sorted(res.changes):
            cap[max(0, at - s) :] = units
        total = float(cap.sum())
        if sum(u * m.lp.col_hi[c] for c, u in terms) > total:
            m.lp.add_row(terms, hi=total)


def define_energy_balance(m: PortfolioModel) -> None:
    """Energy: ``sum kW_k / 60 * w[., b] - sum_g E[g, b] <= grid kWh(b) + solar kWh(b)``,
    with ``0 <= E[g, b] <= rated_g * hours(b)``.

    Load never exceeds grid + solar + generator output at any minute (rule ``power``);
    integrate over the bucket. Grid kWh counts only grid-on minutes, solar kWh the
    profile minute by minute. ``E`` is the generators' output, only where the plant
    could ever burn fuel. Rows the bounds already imply are left out.
    """
    for plant in m.portfolio.plants:
        pm = m.minutes[plant.id]
        per_bucket: dict[int, list[int]] = {}
        for b in range(len(m.edges[plant.id]) - 1):
            terms = m.plant_load.get((plant.id, b), [])
            if not terms:
                continue
            s, e = m.bucket_span(plant.id, b)
            base = float(pm.base_kw[s:e].sum()) / 60
            if sum(kwh * m.lp.col_hi[c] for c, kwh in terms) <= base:
                continue
            gens = []
            if pm.generator_kw > 0:
                gens = [m.lp.add_col(0.0, g.rated_kw * (e - s) / 60) for g in plant.generators]
                per_bucket[b] = gens
            m.lp.add_row([*terms, *((c, -1.0) for c in gens)], hi=base)
        if per_bucket:
            m.generator_energy[plant.id] = per_bucket


def define_fuel_balance(m: PortfolioModel) -> None:
    """Plant fuel: ``B[b] = B[b-1] + sum_g (a_g + b_g) E[g, b]`` and
    ``B[b] - sum_{d, t_i < end_b} G[d, p, i] <= max(0, stock - reserve + direct(< end_b))``.

    A generator's run burns ``a * rated * hours + b * kWh >= (a + b) * kWh`` (output
    at most rated), so ``B`` is at most what the plan burns. Once fuel is burned the
    tank stays above its reserve (rule ``fuel-reserve``); just before ``end_b`` that
    gives the row, with the plan's transfers moved back to the grant point before
    them (grant points include every depot delivery, so the depot row still holds).
    """
    n_points = len(m.grant_points)
    depots = [d.id for d in m.portfolio.depots]
    for plant in m.portfolio.plants:
        energy = m.generator_energy.get(plant.id)
        if not energy or plant.tank is None:
            continue
        edges = m.edges[plant.id]
        for d in depots:
            for i in range(n_points):
                m.grants[(d, plant.id, i)] = m.lp.add_col()
        usable = plant.tank.stock_l - plant.tank.reserve_l
        direct = m.portfolio.deliveries_to(plant.id)
        cols: list[int] = []
        for b in range(len(edges) - 1):
            c = m.lp.add_col()
            terms = [(c, 1.0)] + ([(cols[-1], -1.0)] if cols else [])
            for g, col in zip(plant.generators, energy.get(b, []), strict=False):
                terms.append((col, -(g.fuel_a + g.fuel_b)))
            m.lp.add_row(terms, lo=0.0, hi=0.0)
            cols.append(c)
            end = edges[b + 1]
            rhs = max(0.0, usable + sum(x.litres for x in direct if x.expected < end))
            granted = [
                (m.grants[(d, plant.id, i)], -1.0)
                for d in depots
                for i, t in enumerate(m.grant_points)
                if t < end
            ]
            m.lp.add_row([(c, 1.0), *granted], hi=rhs)
        m.burned[plant.id] = cols


def define_depot_stock(m: PortfolioModel) -> None:
    """Depot stock: ``sum_{p, i <= i0} G[d, p, i] <= stock_d + deliveries_d(<= t_i0)``.

    A depot's level never goes negative (rule ``depot-stock``); transfers moved back
    to a grant point stay after every delivery they needed.
    """
    for depot in m.portfolio.depots:
        arrivals = m.portfolio.deliveries_to(depot.id)
        for i0, t0 in enumerate(m.grant_points):
            terms = [(col, 1.0) for (d, _, i), col in m.grants.items() if d == depot.id and i <= i0]
            if terms:
                cap = depot.stock_l + sum(x.litres for x in arrivals if x.expected <= t0)
                m.lp.add_row(terms, hi=cap)
