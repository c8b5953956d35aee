"""The portfolio LP's peak family: lines that cannot all run at once on fuel-free power.

Private to :mod:`ingenio.planning.portfolio`; the notation is that of :mod:`.model`.
The energy row (:func:`.supply.define_energy_balance`) counts kWh per bucket, so it lets
a bucket's lines run side by side whenever their energy fits, even when their summed
kW is above the grid at every minute. These rows charge that peak to the generators.

There is a candidate row per bucket and set of lines, most of which never bind: the
bound adds only those the LP's solution violates, and solves again
(:func:`violated_peaks`, used by :mod:`.allocation`). Any subset of the rows keeps the LP
a relaxation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from ingenio.planning.portfolio.model import FloatArray, IntArray, PortfolioModel

MAX_SUBSET_LINES = 6
"""A bucket with more loaded lines than this gets rows for pairs only (rows grow as 2^n)."""
VIOLATION = 1e-6
"""Relative violation (of the row's right-hand side scale) past which a row is added."""

PeakKey = tuple[str, int, tuple[str, ...]]
"""(plant id, bucket, line ids) of a peak row."""


@dataclass(frozen=True)
class _LineLoad:
    """One line's work columns in a bucket, the least kW any of them draws, and the
    minutes (in the bucket) it can be busy at that kW."""

    line_id: str
    cols: IntArray
    kw: float
    busy: np.ndarray


@dataclass(frozen=True)
class PeakRow:
    """A candidate peak row: ``supply >= rate * (sum w[cols] - slack)``, or with
    ``rate`` None, ``sum w[cols] <= slack`` (no minute can have the lines all busy)."""

    key: PeakKey
    cols: IntArray
    slack: float
    rate: float | None
    discharge: IntArray
    must_run: bool
    """No battery: a generator runs in each minute of the overlap."""


def prepare_peaks(m: PortfolioModel) -> None:
    """Find the candidate rows (``m.peak_rows``) and make the columns they need:
    generator energy in buckets where the energy row left it out (its energy fits the
    grid), and idle litres ``I[b]`` where a generator must run. Call after the energy
    and battery families, before the fuel family (which charges both)."""
    m.peak_rows = peak_rows(m)
    for row in m.peak_rows:
        if row.rate is None:
            continue
        plant_id, b, _ = row.key
        gens = _generators(m, plant_id, b, create=True)
        if row.must_run and gens and _idle_rate(m, plant_id) > 0 and (plant_id, b) not in m.idle:
            m.idle[(plant_id, b)] = m.lp.add_col()


def define_peak_power(
    m: PortfolioModel, keys: Collection[PeakKey] | None = None, live: bool = False
) -> None:
    """Peaks: for a set ``S`` of lines of a plant and a bucket ``b``,
    ``sum_g E[g, b] + sum_k D[k, b] >= r_S / 60 * (sum_{l in S} w[., l, b] - (|S| - 1) T_S)``.

    ``p_l`` is the least kW of the steps with columns on line ``l`` in ``b``, ``P_S``
    their sum, ``c_S`` the most grid + solar kW in a minute of ``b`` where every line
    of ``S`` could be busy, ``T_S`` the minutes of ``b`` where any could be, and
    ``r_S = P_S - c_S > 0``. Valid: a line runs one operation at a time and an
    operation draws its step's kW from start to end (rule ``power``), so at least
    ``sum_l busy_l - (|S| - 1) T_S >= sum_l w[., l, b] - (|S| - 1) T_S`` minutes of
    ``b`` have every line of ``S`` busy; in each, generators and batteries give at
    least ``r_S`` kW. When generators and batteries together cannot give ``r_S`` kW,
    or the plant has none that can ever run, no minute can have ``S`` all busy:
    ``sum_{l in S} w[., l, b] <= (|S| - 1) T_S``.

    Without batteries a generator runs in each of those minutes: it gives at least its
    ``min_kw`` (rule ``generator-load``), so ``r_S`` is raised to the least ``min_kw``,
    and it burns at least ``a_g * rated_g`` litres an hour besides ``b_g`` per kWh, of
    which the fuel row already counts ``(a_g + b_g) E``:
    ``I[b] + sum_g a_g E[g, b] >= min_g(a_g rated_g) / 60 * (sum w - (|S| - 1) T_S)``
    (valid: ``I[b]`` = what the plan burns in ``b`` less ``sum_g (a_g + b_g) E[g, b]``).

    ``keys``: only these rows (None: every candidate of :func:`prepare_peaks`);
    ``live``: also into the model already in HiGHS.
    """
    for row in m.peak_rows:
        if keys is not None and row.key not in keys:
            continue
        for terms, coefs, lo, hi in _row_terms(m, row):
            if live:
                m.lp.add_live_row(terms, coefs, lo, hi)
            else:
                m.lp.add_row_array(terms, coefs, lo, hi)


def _row_terms(m: PortfolioModel, row: PeakRow) -> list[tuple[IntArray, FloatArray, float, float]]:
    """The peak row of ``row``, and its idle-burn row when a generator must run."""
    ones = np.ones(len(row.cols))
    if row.rate is None:
        return [(row.cols, ones, -math.inf, row.slack)]
    plant_id, b, _ = row.key
    gens = _generators(m, plant_id, b, create=False)
    supply = np.concatenate((np.array(gens, dtype=np.int64), row.discharge))
    out = [
        (
            np.concatenate((supply, row.cols)),
            np.concatenate((np.ones(len(supply)), -row.rate * ones)),
            -row.rate * row.slack,
            math.inf,
        )
    ]
    idle = m.idle.get((plant_id, b))
    if row.must_run and idle is not None:
        rate = _idle_rate(m, plant_id)
        a = [g.fuel_a for g in m.portfolio.plant(plant_id).generators]
        out.append(
            (
                np.concatenate((np.array([idle, *gens], dtype=np.int64), row.cols)),
                np.concatenate(([1.0], a[: len(gens)], -rate * ones)),
                -rate * row.slack,
                math.inf,
            )
        )
    return out


def _idle_rate(m: PortfolioModel, plant_id: str) -> float:
    """Least idle litres a minute of any of the plant's generators."""
    gens = m.portfolio.plant(plant_id).generators
    return min((g.fuel_a * g.rated_kw for g in gens), default=0.0) / 60


def violated_peaks(m: PortfolioModel, x: FloatArray) -> set[PeakKey]:
    """Keys of the candidate rows (or their idle-burn rows) the solution ``x`` violates."""
    out: set[PeakKey] = set()
    for row in m.peak_rows:
        for terms, coefs, lo, hi in _row_terms(m, row):
            value = float(x[terms] @ coefs)
            scale = VIOLATION * max(1.0, abs(lo) if math.isfinite(lo) else abs(hi))
            if value < lo - scale or value > hi + scale:
                out.add(row.key)
    return out


def _generators(m: PortfolioModel, plant_id: str, b: int, create: bool) -> list[int]:
    """The plant's generator energy columns in bucket ``b`` (made when ``create``)."""
    if m.minutes[plant_id].generator_kw <= 0:
        return []
    if not create:
        return m.generator_energy.get(plant_id, {}).get(b, [])
    energy = m.generator_energy.setdefault(plant_id, {})
    if b not in energy:
        s, e = m.bucket_span(plant_id, b)
        plant = m.portfolio.plant(plant_id)
        energy[b] = [m.lp.add_col(0.0, g.rated_kw * (e - s) / 60) for g in plant.generators]
    return energy[b]


def peak_rows(m: PortfolioModel) -> list[PeakRow]:
    """Every candidate peak row of ``m`` that could bind (see :func:`define_peak_power`)."""
    kw_of = _column_kw(m)
    out: list[PeakRow] = []
    for plant in m.portfolio.plants:
        pm = m.minutes[plant.id]
        spare_kw = pm.generator_kw + pm.battery_kw
        least_min = min((g.min_kw for g in plant.generators), default=0.0)
        for b in range(len(m.edges[plant.id]) - 1):
            s, e = m.bucket_span(plant.id, b)
            loads = _loads(m, plant.id, b, s, e, kw_of)
            if len(loads) < 2:
                continue
            base = pm.base_kw[s:e]
            discharge = _discharge(m, plant.id, b)
            size = len(loads) if len(loads) <= MAX_SUBSET_LINES else 2
            for k in range(2, size + 1):
                for subset in itertools.combinations(loads, k):
                    need_kw = _need(subset, base)
                    if need_kw <= 1e-9:
                        continue
                    slack = float((k - 1) * _span(subset))
                    cols = np.concatenate([x.cols for x in subset])
                    if sum(m.lp.col_hi[cols].tolist()) <= slack:
                        continue  # the column bounds already keep the overlap at 0
                    key = (plant.id, b, tuple(x.line_id for x in subset))
                    if need_kw > spare_kw + 1e-9:
                        out.append(PeakRow(key, cols, slack, None, discharge, False))
                        continue
                    must_run = not len(discharge)
                    rate = (max(need_kw, least_min) if must_run else need_kw) / 60
                    out.append(PeakRow(key, cols, slack, rate, discharge, must_run))
    return out


def _need(subset: tuple[_LineLoad, ...], base: FloatArray) -> float:
    """kW past grid and solar when the lines all run (inf: they never can at once)."""
    together = np.logical_and.reduce([x.busy for x in subset])
    if not together.any():
        return math.inf
    return sum(x.kw for x in subset) - float(base[together].max())


def _span(subset: tuple[_LineLoad, ...]) -> int:
    """Minutes of the bucket where any of the lines could be busy."""
    return int(np.count_nonzero(np.logical_or.reduce([x.busy for x in subset])))


def _discharge(m: PortfolioModel, plant_id: str, b: int) -> IntArray:
    """Battery discharge columns of the plant in bucket ``b``."""
    cols, coefs = m.battery_terms.get((plant_id, b), (np.zeros(0, np.int64), []))
    picked = [c for c, v in zip(cols.tolist(), coefs, strict=True) if v < 0]
    return np.array(picked, dtype=np.int64)


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
        out.append(_LineLoad(line.id, cols, kw, busy))
    return out
