"""Rich tables of the scenario commands: what-if differences, Monte Carlo figures,
(the robust command's tables are in :mod:`ingenio.cli.robust_tables`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from ingenio.cli.lang import _, num, pct, signed, word
from ingenio.domain import MINUTES_PER_HOUR, Portfolio

if TYPE_CHECKING:
    from ingenio.services.scenarios import MonteCarloResult, WhatIfDiff

__all__ = ["orders_table", "risk_table", "summary_table", "whatif_table"]


def whatif_table(base: Portfolio, diff: WhatIfDiff, title: str) -> Table:
    """Per plant: value and diesel burned before and after, and the differences."""
    cur = base.currency
    table = Table(title=title)
    heads = (_("plant"), _("value %(currency)s", currency=cur), _("variant"), _("Δ value"),
             _("fuel L"), _("variant"), _("Δ fuel L"))  # fmt: skip
    for i, head in enumerate(heads):
        table.add_column(head, justify="left" if i == 0 else "right")
    for p in diff.plants:
        table.add_row(base.plant(p.plant_id).name, num(p.value_before), num(p.value_after),
                      signed(p.value_delta), num(p.fuel_before_l), num(p.fuel_after_l),
                      signed(p.fuel_delta_l))  # fmt: skip
    table.add_section()
    fuel_b = sum(p.fuel_before_l for p in diff.plants)
    fuel_a = sum(p.fuel_after_l for p in diff.plants)
    table.add_row(_("total"), num(diff.base_value), num(diff.variant_value),
                  signed(diff.value_delta), num(fuel_b), num(fuel_a), signed(fuel_a - fuel_b),
                  style="bold")  # fmt: skip
    return table


def orders_table(base: Portfolio, diff: WhatIfDiff, limit: int = 30) -> Table:
    """The orders whose outcome changes, largest value change first."""
    changes = sorted(diff.orders, key=lambda c: (-abs(c.value_delta), c.order_id))[:limit]
    table = Table(title=_("Orders that change (%(count)s; largest %(shown)s shown)",
                          count=len(diff.orders), shown=len(changes)))  # fmt: skip
    heads = (_("order"), _("plant"), _("change"), _("before"), _("after"), _("Δ late h"),
             _("Δ value"))  # fmt: skip
    for i, head in enumerate(heads):
        table.add_column(head, justify="right" if i >= 5 else "left")
    for c in changes:
        table.add_row(c.order_id, c.plant_id, word(c.kind), word(c.before.status),
                      word(c.after.status), signed(c.lateness_delta_minutes / MINUTES_PER_HOUR, 1),
                      signed(c.value_delta))  # fmt: skip
    return table


def summary_table(result: MonteCarloResult, currency: str) -> Table:
    """Value figures of a Monte Carlo run."""
    table = Table(title=_("%(count)s scenarios — planner %(planner)s, seed %(seed)s",
                          count=result.n, planner=result.planner, seed=result.seed))  # fmt: skip
    table.add_column(_("figure"))
    table.add_column(_("value %(currency)s", currency=currency), justify="right")
    for label, value in ((_("published plan"), result.base_value),
                         (_("expected (mean)"), result.mean), (_("std"), result.std),
                         ("P10", result.p10), ("P50", result.p50), ("P90", result.p90)):
        table.add_row(label, num(value))
    table.add_section()
    table.add_row(_("samples planned / failed"), f"{len(result.samples)} / {len(result.failures)}")
    table.add_row(_("wall time"), _("%(seconds)s s (%(executor)s)", seconds=num(result.seconds, 1),
                                    executor=result.executor))  # fmt: skip
    return table


def risk_table(portfolio: Portfolio, result: MonteCarloResult, limit: int = 10) -> Table:
    """The orders most likely to miss their due date, leaving out the certain misses."""
    certain = sum(r.certain for r in result.order_risks)
    table = Table(title=_("Orders most at risk"),
                  caption=_("%(count)s orders missed in the published plan and in every sample "
                            "are not shown", count=certain))  # fmt: skip
    heads = (_("order"), _("plant"), _("planned"), _("P(late)"), _("P(unscheduled)"),
             _("mean late h"))  # fmt: skip
    for i, head in enumerate(heads):
        table.add_column(head, justify="left" if i < 3 else "right")
    for r in [r for r in result.order_risks if r.p_missed > 0 and not r.certain][:limit]:
        table.add_row(r.order_id, r.plant_id, word(r.planned.value), pct(r.p_late, 0),
                      pct(r.p_unscheduled, 0), num(r.mean_late_hours, 1))  # fmt: skip
    return table
