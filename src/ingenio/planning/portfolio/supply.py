"""The portfolio LP's capacity families: lines, shared resources, energy, fuel, depots.

Private to :mod:`ingenio.planning.portfolio`; the notation is that of :mod:`.model`.
Each docstring gives the inequality and why every valid plan satisfies it.
"""

from __future__ import annotations

import numpy as np

from ingenio.planning.portfolio.model import PortfolioModel


def define_line_capacity(m: PortfolioModel) -> None:
    """Line capacity: ``sum_{o, k} w[o, k, l, b] <= minutes of bucket b with line l in
    shift and the plant able to carry p_l``, ``p_l`` the least kW of the steps with
    columns on the line in the bucket.

    Valid: a line runs one operation at a time, inside its shifts (rules
    ``line-overlap``, ``shift``), and each only where the plant can carry its step's kW
    >= ``p_l`` (rule ``power``; in coarse buckets, which hold grid-off hours, this is
    less than the shift). Rows the column bounds already imply are left out.
    """
    kw_of: dict[int, float] = {}
    for load_cols, kwh in m.plant_load.values():
        kw_of.update(zip(load_cols.tolist(), (kwh * 60).tolist(), strict=True))
    for (line_id, b), cols in m.line_use.items():
        line = m.portfolio.line(line_id)
        s, e = m.bucket_span(line.plant_id, b)
        pm = m.minutes[line.plant_id]
        least_kw = min(kw_of.get(c, 0.0) for c in cols.tolist())
        cap = int(np.count_nonzero(pm.shift[line_id][s:e] & pm.able(least_kw)[s:e]))
        if sum(m.lp.col_hi[cols].tolist()) > cap:
            m.lp.add_row_array(cols, np.ones(len(cols)), hi=float(cap))


def define_resource_capacity(m: PortfolioModel) -> None:
    """Shared resources: ``sum units_k(r) * w[o, k, l, b] <= integral of capacity_r over b``.

    Valid: at every minute the units held are at most ``capacity_at`` (rule ``resource``);
    integrate over the bucket.
    """
    for (rid, b), (cols, units) in m.resource_use.items():
        res = m.portfolio.resource(rid)
        s, e = m.bucket_span(res.plant_id, b)
        cap = np.full(e - s, float(res.capacity))
        for at, level in sorted(res.changes):
            cap[max(0, at - s) :] = level
        total = float(cap.sum())
        held = zip(units.tolist(), m.lp.col_hi[cols].tolist(), strict=True)
        if sum(u * h for u, h in held) > total:
            m.lp.add_row_array(cols, units, hi=total)


def define_energy_balance(m: PortfolioModel) -> None:
    """Energy: ``sum kW_k / 60 * w[., b] - sum_g E[g, b] - sum_k (D[k, b] - C[k, b])
    <= grid kWh(b) + solar kWh(b)``,
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
            if (plant.id, b) not in m.plant_load:
                continue
            cols, kwh = m.plant_load[(plant.id, b)]
            s, e = m.bucket_span(plant.id, b)
            base = float(pm.base_kw[s:e].sum()) / 60
            load = zip(kwh.tolist(), m.lp.col_hi[cols].tolist(), strict=True)
            if sum(k * h for k, h in load) <= base:
                continue
            gens = []
            if pm.generator_kw > 0:
                gens = [m.lp.add_col(0.0, g.rated_kw * (e - s) / 60) for g in plant.generators]
                per_bucket[b] = gens
            bat_cols, bat_coefs = m.battery_terms.get((plant.id, b), (np.zeros(0, np.int64), []))
            terms = np.concatenate((cols, np.array(gens, dtype=np.int64), bat_cols))
            coefs = np.concatenate((kwh, np.full(len(gens), -1.0), np.array(bat_coefs)))
            m.lp.add_row_array(terms, coefs, hi=base)
        if per_bucket:
            m.generator_energy[plant.id] = per_bucket


def define_fuel_balance(m: PortfolioModel) -> None:
    """Plant fuel: ``B[b] = B[b-1] + sum_g (a_g + b_g) E[g, b] + I[b]`` and
    ``B[b] - sum_{d, t_i < end_b} G[d, p, i] <= max(0, stock - reserve + direct(< end_b))``.

    A generator's run burns ``a * rated * hours + b * kWh >= (a + b) * kWh`` (output
    at most rated), so ``B`` is at most what the plan burns (``I``: idle burn of
    generators that must run, :mod:`.peaks`). Once fuel is burned the
    tank stays above its reserve (rule ``fuel-reserve``); just before ``end_b`` that
    gives the row, with the plan's transfers moved back to the grant point before
    them (grant points include every depot delivery, so the depot row still holds).
    Starts (``start_litres``), warm-ups (``start_minutes``) and minimum runs at the
    minimum load only burn more than this (rules ``generator-start``, ``generator-run``),
    and a generator that cannot carry load in its first minutes only removes choices:
    the row leaves them out and stays a relaxation.
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
            if (plant.id, b) in m.idle:
                terms.append((m.idle[(plant.id, b)], -1.0))
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
