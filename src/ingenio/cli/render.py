"""Rich renderings of plans and violations for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from ingenio.cli.lang import _, num, service_text
from ingenio.domain import MINUTES_PER_DAY, OrderStatus, Plan, Portfolio, Violation
from ingenio.services.plans import PlanSummary


def plan_table(portfolio: Portfolio, plan: Plan, summary: PlanSummary) -> Table:
    """Per plant: value, orders on time / late / unscheduled, grid and generator hours, fuel."""
    cur = portfolio.currency
    table = Table(
        title=_("%(portfolio)s — plan by %(planner)s", portfolio=portfolio.name,
                planner=plan.planner)
    )  # fmt: skip
    heads = (
        _("plant"),
        _("value %(currency)s", currency=cur),
        _("on time"),
        _("late"),
        _("unsched."),
        _("grid h"),
        _("gen h"),
        _("fuel L"),
    )
    for i, head in enumerate(heads):
        table.add_column(head, justify="left" if i == 0 else "right")
    for s in summary.plants:
        table.add_row(
            portfolio.plant(s.plant_id).name,
            num(s.value),
            num(s.on_time),
            num(s.late),
            num(s.unscheduled),
            num(s.grid_hours, 1),
            num(s.generator_hours, 1),
            num(s.fuel_used_l),
        )
    table.add_section()
    table.add_row(
        _("total"),
        num(plan.value),
        *(
            num(sum(getattr(s, k) for s in summary.plants))
            for k in ("on_time", "late", "unscheduled")
        ),
        num(sum(s.grid_hours for s in summary.plants), 1),
        num(sum(s.generator_hours for s in summary.plants), 1),
        num(sum(s.fuel_used_l for s in summary.plants)),
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
    for _lost, o in lost[:top]:
        state = (
            _("late %(days)s d", days=num(o.lateness_minutes / MINUTES_PER_DAY, 1))
            if o.status is OrderStatus.LATE
            else _("unscheduled")
        )
        reason = service_text(o.reason) if o.reason else _("no reason given")
        lines.append(f"  {o.order_id} ({state}): {reason}")
    if lines:
        lines.insert(
            0, _("why %(count)s orders are late or unscheduled (most value lost first):",
                 count=len(lost))
        )  # fmt: skip
    if len(lost) > top:
        more = _("... and %(count)s more (reasons in plan.json and plan.xlsx)",
                 count=len(lost) - top)  # fmt: skip
        lines.append(f"  {more}")
    return lines
