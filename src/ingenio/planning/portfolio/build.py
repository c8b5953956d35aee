"""Build the portfolio LP: buckets per plant, then one ``define_<family>()`` per family.

Private to :mod:`ingenio.planning.portfolio`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from ingenio.domain import Portfolio
from ingenio.planning.capacity import OrderWindow, order_windows, plant_minutes
from ingenio.planning.capacity import cut_points as _cut_points
from ingenio.planning.portfolio.battery import define_battery_storage
from ingenio.planning.portfolio.model import (
    BUCKET_LIMIT,
    FINE_COLUMN_LIMIT,
    PortfolioModel,
    define_due_dates,
    define_order_shares,
    define_precedence,
    define_step_work,
    grant_points,
)
from ingenio.planning.portfolio.peaks import define_peak_power, prepare_peaks
from ingenio.planning.portfolio.supply import (
    define_depot_stock,
    define_energy_balance,
    define_fuel_balance,
    define_line_capacity,
    define_resource_capacity,
)


def create_model(
    portfolio: Portfolio,
    coarse: bool | None = None,
    peaks: Literal["off", "all", "lazy"] = "off",
) -> PortfolioModel:
    """Build the portfolio LP: one ``define_<family>()`` per family, in this order.

    ``coarse``: buckets cut only at day starts, grant points and deliveries (not at
    grid-off edges, releases or due dates): a looser bound from a model several times
    smaller. ``None`` (default): coarse only when the fine model would have more than
    :data:`FINE_COLUMN_LIMIT` step-work columns (estimated before building it).
    ``peaks``: the peak-power rows (:mod:`.peaks`, fine models only): ``"all"`` every
    candidate; ``"lazy"`` their columns and candidates but no rows yet
    (:func:`.allocation.allocate` adds those its solution violates, round by round);
    ``"off"`` (default) neither, the LP of before them.
    """
    minutes = {p.id: plant_minutes(portfolio, p.id) for p in portfolio.plants}
    windows = order_windows(portfolio, minutes)
    points = grant_points(portfolio)
    edges = {}
    for plant in portfolio.plants:
        mine = [w.order for w in windows.values() if w.plant_id == plant.id]
        optional = [o.due for o in mine] + [o.release for o in mine]
        edges[plant.id] = _cut_points(portfolio, plant.id, points, optional, BUCKET_LIMIT)
    if coarse is None:
        coarse = _work_columns(windows, edges) > FINE_COLUMN_LIMIT
    if coarse:
        for plant in portfolio.plants:
            edges[plant.id] = _cut_points(portfolio, plant.id, points, (), 0, grid_edges=False)
    m = PortfolioModel(portfolio, minutes, windows, edges, points, coarse=coarse)
    define_order_shares(m)
    define_step_work(m)
    define_due_dates(m)
    define_precedence(m)
    define_line_capacity(m)
    define_resource_capacity(m)
    define_battery_storage(m)
    define_energy_balance(m)
    if peaks != "off" and not coarse:
        prepare_peaks(m)
        if peaks == "all":
            define_peak_power(m)
    define_fuel_balance(m)
    define_depot_stock(m)
    return m


def _work_columns(windows: Mapping[str, OrderWindow], edges: Mapping[str, Sequence[int]]) -> int:
    """Upper estimate of the step-work columns: every eligible line in every bucket."""
    return sum(
        len(set(sw.step.lines)) * (len(edges[w.plant_id]) - 1)
        for w in windows.values()
        for sw in w.steps
    )
