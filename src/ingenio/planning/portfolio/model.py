"""The portfolio LP's columns, and its order and work families (see :mod:`.allocation`).

Private helper of :mod:`ingenio.planning.portfolio`. :func:`.build.create_model` calls
the families (these and those of :mod:`.supply`) in a fixed order; each docstring gives
the inequality and why every valid plan of ``docs/plan-rules.md`` satisfies it (so the
LP is a relaxation and its optimum an upper bound).

Notation: ``u[o, j]`` share of order ``o`` completed in tier ``j``; ``w[o, k, l, b]``
minutes of step ``k`` on line ``l`` in bucket ``b``; ``E[g, b]`` kWh of generator ``g``
in bucket ``b``; ``B[b]`` litres a plant burned by the end of bucket ``b``;
``G[d, p, i]`` litres of depot ``d`` granted to plant ``p`` at grant point ``t_i``.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ingenio.domain import MINUTES_PER_DAY, Portfolio, PriorityClass
from ingenio.planning.capacity import (
    OrderWindow,
    PlantMinutes,
    min_run,
)
from ingenio.planning.portfolio.lp import LinearProgram

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Terms = tuple[IntArray, FloatArray]
"""Columns and their coefficients in one row."""

LATE_TIERS: tuple[int, ...] = (MINUTES_PER_DAY, 3 * MINUTES_PER_DAY)
"""Lateness (minutes) at which the value an order can still earn steps down in the LP."""
BUCKET_LIMIT = 120
"""Most bucket edges per plant before releases and due dates are no longer cut at."""
FINE_COLUMN_LIMIT = 1_000_000
"""Above this estimate of step-work columns the model is built with coarse buckets:
on 2 cores a fine model of 1.8 M columns (50 plants, 5,000 orders) did not solve in
10 minutes, its coarse one (255 k columns) solved in 15 s; on 6 plants and 500 orders
the coarse bound was only 1.3 % looser, on the demo 6.8 %."""


@dataclass
class PortfolioModel:
    """The LP and the index of its columns (what ``create_model`` builds)."""

    portfolio: Portfolio
    minutes: Mapping[str, PlantMinutes]
    windows: Mapping[str, OrderWindow]
    edges: Mapping[str, tuple[int, ...]]
    grant_points: tuple[int, ...]
    coarse: bool = False
    """Built with coarse buckets (see :func:`create_model`)."""
    lp: LinearProgram = field(default_factory=LinearProgram)
    value: dict[int, float] = field(default_factory=dict)
    essential: dict[int, float] = field(default_factory=dict)
    """share column of an essential order -> 1 (essential orders done, the first objective)."""
    tiers: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    """order id -> (share column, completion deadline), by deadline."""
    work: dict[tuple[str, int], tuple[IntArray, IntArray]] = field(default_factory=dict)
    """(order id, step) -> (columns, their buckets), by bucket."""
    line_use: dict[tuple[str, int], IntArray] = field(default_factory=dict)
    """(line id, bucket) -> work columns on it, in column order."""
    plant_load: dict[tuple[str, int], Terms] = field(default_factory=dict)
    """(plant id, bucket) -> (work columns, kWh per minute), in column order."""
    resource_use: dict[tuple[str, int], Terms] = field(default_factory=dict)
    """(resource id, bucket) -> (work columns, units held), in column order."""
    generator_energy: dict[str, dict[int, list[int]]] = field(default_factory=dict)
    burned: dict[str, list[int]] = field(default_factory=dict)
    """plant id -> column of cumulative litres burned by the end of each bucket."""
    grants: dict[tuple[str, str, int], int] = field(default_factory=dict)
    """(depot id, plant id, grant point index) -> column of litres."""
    battery_terms: dict[tuple[str, int], tuple[IntArray, list[float]]] = field(default_factory=dict)
    """(plant id, bucket) -> battery discharge (coefficient -1) and charge (+1) columns."""
    idle: dict[tuple[str, int], int] = field(default_factory=dict)
    """(plant id, bucket) -> column of idle litres ``I[b]`` its generators burn where the
    peak rows make one run (:mod:`.peaks`; in the plant's fuel row)."""
    peak_rows: list[Any] = field(default_factory=list)
    """Candidate peak rows (:class:`.peaks.PeakRow`), when built with them."""

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
    uses = _ColumnUses(max((len(e) for e in m.edges.values()), default=1))
    for oid, cols in m.tiers.items():
        window = m.windows[oid]
        pm = m.minutes[window.plant_id]
        edges = m.edges[window.plant_id]
        edge_arr = np.asarray(edges, dtype=np.int64)
        shares = np.array([c for c, _ in cols], dtype=np.int64)
        latest = max(d for _, d in cols)
        for k, sw in enumerate(window.steps):
            end = min(latest, math.ceil(latest - sw.tail))
            run = min_run(sw.step, window.order.quantity)
            lines = tuple(dict.fromkeys(sw.step.lines))
            # buckets b with edges[b] < end, from the one holding sw.start on
            first = max(0, bisect_left(edges, sw.start + 1) - 1)
            buckets = np.arange(first, min(len(edges) - 1, bisect_left(edges, end)))
            # [lo, hi): the part of each bucket in the window, clipped to the horizon
            lo = np.clip(np.maximum(edge_arr[buckets], sw.start), 0, pm.minutes)
            hi = np.clip(np.minimum(edge_arr[buckets + 1], end), 0, pm.minutes)
            ub = np.zeros((len(buckets), len(lines)), dtype=np.int64)
            for j, line_id in enumerate(lines):
                cum = pm.cumulative(line_id, sw.step.power_kw, run)
                ub[:, j] = np.where(hi > lo, cum[hi] - cum[lo], 0)
            at_b, at_l = np.nonzero(ub > 0)  # bucket by bucket, lines in step order
            new = lp.add_cols(0.0, ub[at_b, at_l].astype(np.float64))
            bucket_of = buckets[at_b]
            m.work[(oid, k)] = (new, bucket_of)
            step = sw.step
            uses.add(window.plant_id, step.power_kw, step.resources, lines, new, at_l, bucket_of)
            terms = np.concatenate((new, shares))
            coefs = np.concatenate((np.ones(len(new)), np.full(len(shares), -sw.work)))
            lp.add_row_array(terms, coefs, lo=0.0, hi=0.0)
    m.line_use, m.plant_load, m.resource_use = uses.index()


@dataclass
class _ColumnUses:
    """What each work column loads, gathered per step and indexed once (see ``index``).

    A key ``(name, bucket)`` is coded as ``number of name * n_buckets + bucket``.
    """

    n_buckets: int
    names: dict[str, int] = field(default_factory=dict)
    line: list[IntArray] = field(default_factory=list)
    line_cols: list[IntArray] = field(default_factory=list)
    load: list[IntArray] = field(default_factory=list)
    load_cols: list[IntArray] = field(default_factory=list)
    load_kwh: list[FloatArray] = field(default_factory=list)
    res: list[IntArray] = field(default_factory=list)
    res_cols: list[IntArray] = field(default_factory=list)
    res_rank: list[IntArray] = field(default_factory=list)
    res_units: list[FloatArray] = field(default_factory=list)

    def code(self, name: str) -> int:
        """The number of ``name`` times ``n_buckets``."""
        return self.names.setdefault(name, len(self.names)) * self.n_buckets

    def add(
        self,
        plant_id: str,
        power_kw: float,
        resources: Mapping[str, int | float],
        lines: tuple[str, ...],
        cols: IntArray,
        line_at: IntArray,
        bucket: IntArray,
    ) -> None:
        """Columns ``cols`` of one step, on ``lines[line_at]`` in buckets ``bucket``."""
        line_codes = np.array([self.code(ln) for ln in lines], dtype=np.int64)
        self.line.append(line_codes[line_at] + bucket)
        self.line_cols.append(cols)
        if power_kw > 0:
            self.load.append(self.code(plant_id) + bucket)
            self.load_cols.append(cols)
            self.load_kwh.append(np.full(len(cols), power_kw / 60))
        for rank, (rid, units) in enumerate(resources.items()):
            self.res.append(self.code(rid) + bucket)
            self.res_cols.append(cols)
            self.res_rank.append(np.full(len(cols), rank, dtype=np.int64))
            self.res_units.append(np.full(len(cols), float(units)))

    def index(
        self,
    ) -> tuple[
        dict[tuple[str, int], IntArray],
        dict[tuple[str, int], Terms],
        dict[tuple[str, int], Terms],
    ]:
        """``line_use``, ``plant_load`` and ``resource_use`` of :class:`PortfolioModel`.

        Keys come in the order a column first used them, column by column (and a
        column's resources in the step's order), as if built one column at a time.
        """
        line_cols = _cat(self.line_cols)
        lines = self._group(_cat(self.line), line_cols, np.ones(len(line_cols)))
        loads = self._group(_cat(self.load), _cat(self.load_cols), _cat_f(self.load_kwh))
        res_cols = _cat(self.res_cols)
        by_col = np.lexsort((_cat(self.res_rank), res_cols))
        res = self._group(_cat(self.res)[by_col], res_cols[by_col], _cat_f(self.res_units)[by_col])
        return {k: c for k, (c, _) in lines.items()}, loads, res

    def _group(
        self, codes: IntArray, cols: IntArray, vals: FloatArray
    ) -> dict[tuple[str, int], Terms]:
        """Entries ``(cols[i], vals[i])`` grouped by key ``codes[i]``: keys in order of
        first appearance, entries of a key in their given order."""
        names = list(self.names)
        order = np.argsort(codes, kind="stable")
        ranked = codes[order]
        if not len(ranked):
            return {}
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        ends = np.r_[starts[1:], len(codes)]
        out: dict[tuple[str, int], Terms] = {}
        for g in np.argsort(order[starts], kind="stable").tolist():
            code, lo, hi = int(ranked[starts[g]]), int(starts[g]), int(ends[g])
            key = (names[code // self.n_buckets], code % self.n_buckets)
            out[key] = (cols[order[lo:hi]], vals[order[lo:hi]])
        return out


def _cat(parts: Sequence[IntArray]) -> IntArray:
    """``parts`` end to end (empty when none)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _cat_f(parts: Sequence[FloatArray]) -> FloatArray:
    """``parts`` end to end (empty when none)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)


def define_due_dates(m: PortfolioModel) -> None:
    """Due dates: ``sum_{l, b: start_b < D_j - tail_k} w[o, k, l, b] >= P_ok * sum_{i<=j} u[o, i]``.

    A share completed by tier ``j``'s deadline ``D_j`` has done step ``k`` before
    ``D_j - tail_k`` (later steps take at least ``tail_k``). Valid: for a plan's
    order completed in tier ``i``, all of step ``k`` lies before every ``D_j``, ``j >= i``.
    The last tier's row is the step-work row itself and is left out.
    """
    for oid, cols in m.tiers.items():
        shares = np.array([c for c, _ in cols], dtype=np.int64)
        edges = np.asarray(m.edges[m.windows[oid].plant_id], dtype=np.int64)
        for k, sw in enumerate(m.windows[oid].steps):
            work, buckets = m.work[(oid, k)]
            starts = edges[buckets]  # ascending: the columns are by bucket
            for j in range(len(cols) - 1):
                n = int(np.searchsorted(starts, cols[j][1] - sw.tail, side="left"))
                terms = np.concatenate((work[:n], shares[: j + 1]))
                coefs = np.concatenate((np.ones(n), np.full(j + 1, -sw.work)))
                m.lp.add_row_array(terms, coefs, lo=0.0)


def define_precedence(m: PortfolioModel) -> None:
    """Precedence: ``sum_j u[o, j] <= sum_j u[p, j]`` for each predecessor ``p`` of ``o``.

    An order has operations only if each predecessor has them (rule ``precedence``);
    its earliest start already waits for theirs (``OrderWindow``).
    """
    for oid, cols in m.tiers.items():
        for pred in m.portfolio.order(oid).predecessors:
            theirs = m.tiers.get(pred, [])
            m.lp.add_row([(c, 1.0) for c, _ in cols] + [(c, -1.0) for c, _ in theirs], hi=0.0)
