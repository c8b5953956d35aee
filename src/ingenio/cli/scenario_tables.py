"""Rich tables of the scenario commands: what-if differences, Monte Carlo figures,
(the robust command's tables are in :mod:`ingenio.cli.robust_tables`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from ingenio.domain import MINUTES_PER_HOUR, Portfolio

if TYPE_CHECKING:
    from ingenio.services.scenarios import MonteCarloResult, WhatIfDiff

__all__ = ["orders_table", "risk_table", "summary_table", "whatif_table"]


def whatif_table(base: Portfolio, diff: WhatIfDiff, title: str) -> Table:
    """Per plant: value and diesel burned before and after, and the differences."""
    cur = base.currency
    table = Table(title=title)
    for head in ("plant", f"value {cur}", "variant", "Δ value", "fuel L", "variant", "Δ fuel L"):
        table.add_column(head, justify="left" if head == "plant" else "right")
    for p in diff.plants:
        table.add_row(base.plant(p.plant_id).name, f"{p.value_before:,.0f}",
                      f"{p.value_after:,.0f}", f"{p.value_delta:+,.0f}", f"{p.fuel_before_l:,.0f}",
                      f"{p.fuel_after_l:,.0f}", f"{p.fuel_delta_l:+,.0f}")  # fmt: skip
    table.add_section()
    fuel_b = sum(p.fuel_before_l for p in diff.plants)
    fuel_a = sum(p.fuel_after_l for p in diff.plants)
    table.add_row("total", f"{diff.base_value:,.0f}", f"{diff.variant_value:,.0f}",
                  f"{diff.value_delta:+,.0f}", f"{fuel_b:,.0f}", f"{fuel_a:,.0f}",
                  f"{fuel_a - fuel_b:+,.0f}", style="bold")  # fmt: skip
    return table


def orders_table(base: Portfolio, diff: WhatIfDiff, limit: int = 30) -> Table:
    """The orders whose outcome changes, largest value change first."""
    changes = sorted(diff.orders, key=lambda c: (-abs(c.value_delta), c.order_id))[:limit]
    table = Table(title=f"Orders that change ({len(diff.orders)}; largest {len(changes)} shown)")
    for head in ("order", "plant", "change", "before", "after", "Δ late h", "Δ value"):
        table.add_column(head, justify="right" if head.startswith("Δ") else "left")
    for c in changes:
        table.add_row(c.order_id, c.plant_id, str(c.kind), str(c.before.status),
                      str(c.after.status), f"{c.lateness_delta_minutes / MINUTES_PER_HOUR:+,.1f}",
                      f"{c.value_delta:+,.0f}")  # fmt: skip
    return table


def summary_table(result: MonteCarloResult, currency: str) -> Table:
    """Value figures of a Monte Carlo run."""
    table = Table(title=f"{result.n} scenarios — planner {result.planner}, seed {result.seed}")
    table.add_column("figure")
    table.add_column(f"value {currency}", justify="right")
    for label, value in (("published plan", result.base_value), ("expected (mean)", result.mean),
                         ("std", result.std), ("P10", result.p10), ("P50", result.p50),
                         ("P90", result.p90)):  # fmt: skip
        table.add_row(label, f"{value:,.0f}")
    table.add_section()
    table.add_row("samples planned / failed", f"{len(result.samples)} / {len(result.failures)}")
    table.add_row("wall time", f"{result.seconds:,.1f} s ({result.executor})")
    return table


def risk_table(portfolio: Portfolio, result: MonteCarloResult, limit: int = 10) -> Table:
    """The orders most likely to miss their due date, leaving out the certain misses."""
    certain = sum(r.certain for r in result.order_risks)
    table = Table(title="Orders most at risk", caption=f"{certain} orders missed in the "
                  "published plan and in every sample are not shown")  # fmt: skip
    for head in ("order", "plant", "planned", "P(late)", "P(unscheduled)", "mean late h"):
        table.add_column(head, justify="left" if head in ("order", "plant", "planned") else "right")
    for r in [r for r in result.order_risks if r.p_missed > 0 and not r.certain][:limit]:
        table.add_row(r.order_id, r.plant_id, r.planned.value, f"{r.p_late:.0%}",
                      f"{r.p_unscheduled:.0%}", f"{r.mean_late_hours:,.1f}")  # fmt: skip
    return table
