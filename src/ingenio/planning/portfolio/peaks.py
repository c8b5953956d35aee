"""The portfolio LP's peak family: lines that cannot all run at once on fuel-free power.

Private to :mod:`ingenio.planning.portfolio`; the notation is that of :mod:`.model`.
The energy row (:func:`.supply.define_energy_balance`) counts kWh per bucket, so it lets
a bucket's lines run side by side whenever their energy fits, even when their summed
kW is above the grid at every minute. These rows charge that peak to the generators.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ingenio.planning.portfolio.model import IntArray, PortfolioModel

MAX_SUBSET_LINES = 6
"""A bucket with more loaded lines than this gets rows for pairs only (rows grow as 2^n)."""


@dataclass(frozen=True)
class _LineLoad:
    """One line's work columns in a bucket, the least kW any of them draws, and the
    minutes (in the bucket) it can be busy at that kW."""

    cols: IntArray
    kw: float
    busy: np.ndarray


def define_peak_power(m: PortfolioModel) -> None:
    """Peaks: for a set ``S`` of lines of a plant and a bucket ``b``,
    ``sum_g E[g, b] + sum_k D[k, b] >= r_S / 60 * (sum_{l in S} w[., l, b] - (|S| - 1) T_S)``.

    ``p_l`` is the least kW of the steps with columns on line ``l`` in ``b``, ``P_S``
    their sum, ``c_S`` the most grid + solar kW in a minute of ``b`` where every line
    of ``S`` could be busy, ``T_S`` the minutes of ``b`` where any could be, and
    ``r_S = P_S - c_S > 0``. Valid: a line runs one operation at a time and an
    operation draws its step's kW from start to end (rule ``power``), so at least
    ``sum_l busy_l - (|S| - 1) T_S >= sum_l w[., l, b] - (|S| - 1) T_S`` minutes of
    ``b`` have every line of ``S`` busy; in each, generators and batteries give at
    least ``r_S`` kW. Without batteries a running generator gives at least its
    ``min_kw`` (rule ``generator-load``), so ``r_S`` is raised to the least ``min_kw``.
    When generators and batteries together cannot give ``r_S`` kW, or the plant has
    none that can ever run, no minute can have ``S`` all busy:
    ``sum_{l in S} w[., l, b] <= (|S| - 1) T_S``.
    Without batteries a generator runs in each such minute: :data:`PortfolioModel.must_run`
    keeps the overlap for the fuel family to charge idle burn.

    Generator columns are added in buckets where the energy row left them out (its
    energy fits the grid), so that :func:`.supply.define_fuel_balance` charges them.
    Call after the energy and battery families, before the fuel family.
    """
    kw_of = _column_kw(m)
    for plant in m.portfolio.plants:
        pm = m.minutes[plant.id]
        spare_kw = pm.generator_kw + pm.battery_kw
        least_min = min((g.min_kw for g in plant.generators), default=0.0)
        energy = m.generator_energy.get(plant.id, {})
        for b in range(len(m.edges[plant.id]) - 1):
            s, e = m.bucket_span(plant.id, b)
            loads = _loads(m, plant.id, b, s, e, kw_of)
            if len(loads) < 2:
                continue
            base = pm.base_kw[s:e]
            size = len(loads) if len(loads) <= MAX_SUBSET_LINES else 2
            for k in range(2, size + 1):
                for subset in itertools.combinations(loads, k):
                    _add_row(m, plant.id, b, subset, base, spare_kw, least_min, energy)
        if energy and plant.id not in m.generator_energy:
            m.generator_energy[plant.id] = energy


def _column_kw(m: PortfolioModel) -> dict[int, float]:
    """kW each loaded work column draws (columns of steps at 0 kW are absent)."""
    out: dict[int, float] = {}
    for cols, kwh in m.plant_load.values():
        out.update(zip(cols.tolist(), (kwh * 60).tolist(), strict=True))
    return out


def _loads(
    m: PortfolioModel, plant_id: str, b: int, s: int, e: int, kw_of: dict[int, float]
) -> list[_LineLoad]:
    """The lines of the plant with work columns in bucket ``b``, all of them drawing kW."""
    pm = m.minutes[plant_id]
    out = []
    for line in m.portfolio.plant(plant_id).lines:
        cols = m.line_use.get((line.id, b))
        if cols is None or not len(cols):
            continue
        kw = min(kw_of.get(int(c), 0.0) for c in cols.tolist())
        if kw <= 0:
            continue
        busy = pm.shift[line.id][s:e] & pm.able(kw)[s:e]
        out.append(_LineLoad(cols, kw, busy))
    return out


def _add_row(
    m: PortfolioModel,
    plant_id: str,
    b: int,
    subset: tuple[_LineLoad, ...],
    base: np.ndarray,
    spare_kw: float,
    least_min: float,
    energy: dict[int, list[int]],
) -> None:
    """The peak row of one set of lines in bucket ``b`` (none when it cannot bind)."""
    together = np.logical_and.reduce([x.busy for x in subset])
    anyone = np.logical_or.reduce([x.busy for x in subset])
    total_kw = sum(x.kw for x in subset)
    span = float(np.count_nonzero(anyone))
    slack = (len(subset) - 1) * span
    cols = np.concatenate([x.cols for x in subset])
    if sum(m.lp.col_hi[cols].tolist()) <= slack:
        return  # the column bounds already keep the overlap at 0
    ones = np.ones(len(cols))
    if not together.any():
        m.lp.add_row_array(cols, ones, hi=slack)
        return
    need_kw = total_kw - float(base[together].max())
    if need_kw <= 1e-9:
        return
    if need_kw > spare_kw + 1e-9:
        m.lp.add_row_array(cols, ones, hi=slack)
        return
    plant = m.portfolio.plant(plant_id)
    batteries = m.battery_terms.get((plant_id, b), (np.zeros(0, np.int64), []))
    discharge = np.array(
        [c for c, v in zip(batteries[0].tolist(), batteries[1], strict=True) if v < 0],
        dtype=np.int64,
    )
    if not len(discharge):
        need_kw = max(need_kw, least_min)
        m.must_run.setdefault((plant_id, b), []).append((cols, slack))
    gens: list[int] = []
    if m.minutes[plant_id].generator_kw > 0:
        if b not in energy:
            s, e = m.bucket_span(plant_id, b)
            energy[b] = [m.lp.add_col(0.0, g.rated_kw * (e - s) / 60) for g in plant.generators]
        gens = energy[b]
    supply = np.concatenate((np.array(gens, dtype=np.int64), discharge))
    rate = need_kw / 60
    terms = np.concatenate((supply, cols))
    coefs = np.concatenate((np.ones(len(supply)), np.full(len(cols), -rate)))
    m.lp.add_row_array(terms, coefs, lo=-rate * slack)
