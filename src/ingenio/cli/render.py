"""Rich renderings of plans and violations for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from ingenio.domain import MINUTES_PER_DAY, OrderStatus, Plan, Portfolio, Violation
from ingenio.services.plans import PlanSummary


def plan_table(portfolio: Portfolio, plan: Plan, summary: PlanSummary) -> Table:
    """Per plant: value, orders on time / late / unscheduled, grid and generator hours, fuel."""
    cur = portfolio.currency
    table = Table(title=f"{portfolio.name} — plan by {plan.planner}")
    for head in (
        "plant",
        f"value {cur}",
        "on time",
        "late",
        "unsched.",
        "grid h",
        "gen h",
        "fuel L",
    ):
        table.add_column(head, justify="left" if head == "plant" else "right")
    for s in summary.plants:
        table.add_row(
            portfolio.plant(s.plant_id).name,
            f"{s.value:,.0f}",
            str(s.on_time),
            str(s.late),
            str(s.unscheduled),
            f"{s.grid_hours:,.1f}",
            f"{s.generator_hours:,.1f}",
            f"{s.fuel_used_l:,.0f}",
        )
    table.add_section()
    table.add_row(
        "total",
        f"{plan.value:,.0f}",
        *(
            str(sum(getattr(s, k) for s in summary.plants))
            for k in ("on_time", "late", "unscheduled")
        ),
        f"{sum(s.grid_hours for s in summary.plants):,.1f}",
        f"{sum(s.generator_hours for s in summary.plants):,.1f}",
        f"{sum(s.fuel_used_l for s in summary.plants):,.0f}",
        style="bold",
    )
    return table


def violations_text(violations: Sequence[Violation]) -> str:
    """One line per violation."""
    return "\n".join(str(v) for v in violations)


def reasons_text(portfolio: Portfolio, plan: Plan, top: int = 10) -> list[str]:
    """Why orders are late or unscheduled: the ``top`` that lose most value, then a count."""
    lost = [
        (portfolio.order(o.order_id).value - o.value, o)
        for o in plan.outcomes
        if o.status is not OrderStatus.ON_TIME and portfolio.has("order", o.order_id)
    ]
    lost.sort(key=lambda item: (-item[0], item[1].order_id))
    lines = []
    for _, o in lost[:top]:
        state = (
            f"late {o.lateness_minutes / MINUTES_PER_DAY:.1f} d"
            if o.status is OrderStatus.LATE
            else "unscheduled"
        )
        lines.append(f"  {o.order_id} ({state}): {o.reason or 'no reason given'}")
    if lines:
        lines.insert(0, f"why {len(lost)} orders are late or unscheduled (most value lost first):")
    if len(lost) > top:
        lines.append(f"  ... and {len(lost) - top} more (reasons in plan.json and plan.xlsx)")
    return lines
