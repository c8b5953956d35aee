"""Rich tables of the operations commands: KPIs and what a replan moved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from ingenio.cli.lang import N_, _, clock, num, pct, service_text, signed, word
from ingenio.cli.tables import fitted_table

if TYPE_CHECKING:
    from ingenio.services.kpi import KpiReport, KpiRow
    from ingenio.services.replan import ReplanResult, ReplanStage

CAUSES = ("grid", "generator", "fuel", "breakdown", "material", "labour")
CAUSE_HEADS = {
    "grid": N_("grid h"), "generator": N_("generator h"), "fuel": N_("fuel h"),
    "breakdown": N_("breakdown h"), "material": N_("material h"), "labour": N_("labour h"),
}  # fmt: skip
"""The loss columns of the OEE table, hours lost per cause."""


def _pct(x: float | None) -> str:
    return pct(x, 1)


def _num(x: float | None, digits: int = 0) -> str:
    return num(x, digits)


def _rows(report: KpiReport, with_lines: bool) -> list[KpiRow]:
    """Per bucket: enterprise, plants (and lines); then the period totals."""
    levels = ("enterprise", "plant", "line") if with_lines else ("enterprise", "plant")
    out: list[KpiRow] = []
    for period in (False, True):
        rows = [r for r in report.rows if r.level in levels and (r.bucket is None) == period]
        rank = {lv: i for i, lv in enumerate(levels)}
        labels = {b.label: i for i, b in enumerate(report.buckets)}
        rows.sort(key=lambda r: (labels.get(r.bucket.label, -1) if r.bucket else -1,
                                 rank[r.level]))  # fmt: skip
        out += rows
    return out


def kpi_tables(report: KpiReport, currency: str, with_lines: bool = False) -> list[Table]:
    """Two tables: OEE with its losses by cause, then energy, fuel, adherence and value."""
    rows = _rows(report, with_lines)

    def label(r: KpiRow) -> list[str]:
        indent = {"enterprise": "", "plant": "  ", "line": "    "}[r.level]
        return [r.bucket.label if r.bucket else _("period"), indent + r.name]

    oee = [
        [*label(r), _pct(r.tally.oee), _pct(r.tally.availability), _pct(r.tally.performance),
         _pct(r.tally.quality), _num(r.tally.planned_h, 1),
         *(_num(r.tally.losses_h[c], 1) for c in CAUSES)]
        for r in rows
    ]  # fmt: skip
    heads = [_("period"), _("who"), _("OEE"), _("A"), _("P"), _("Q"), _("planned h"),
             *(_(CAUSE_HEADS[c]) for c in CAUSES)]  # fmt: skip
    energy = [
        [*label(r), _num(r.tally.good), _num(r.tally.kwh), _num(r.tally.kwh_per_unit, 3),
         _num(r.tally.litres, 1), _num(r.tally.litres_per_unit, 4), _num(r.tally.planned_qty),
         _pct(r.tally.adherence), _pct(r.tally.on_time_share), _num(r.tally.value),
         _num(r.tally.planned_value)]
        for r in rows
    ]  # fmt: skip
    heads2 = [_("period"), _("who"), _("good"), _("kWh"), _("kWh/unit"), _("L"), _("L/unit"),
              _("planned"), _("adherence"), _("on time"),
              _("value %(currency)s", currency=currency),
              _("planned %(currency)s", currency=currency)]  # fmt: skip
    right = set(heads[2:]) | set(heads2[2:])
    who = (_("who"),)
    return [
        fitted_table(_("OEE = availability × performance × quality; losses in hours"), heads,
                     oee, wrap=who, right=right),
        fitted_table(_("Energy, fuel, plan adherence and value"), heads2, energy, wrap=who,
                     right=right),
    ]  # fmt: skip


def stage_line(label: str, stage: ReplanStage) -> str:
    """``first plan: plan v7 (replan:dispatch), value 1,234, in 0.40 s``."""
    version = f"v{stage.version.version}" if stage.version else _("not saved")
    return _("%(label)s: plan %(version)s (%(planner)s), value %(value)s, in %(seconds)s s",
             label=label, version=version, planner=stage.plan.planner,
             value=num(stage.plan.value), seconds=num(stage.seconds, 2))  # fmt: skip


def moves_table(result: ReplanResult) -> Table:
    """Orders whose status or completion moved, largest value change first."""
    world = result.portfolio

    def when(minute: int | None) -> str:
        return "–" if minute is None else clock(world.horizon.to_datetime(minute), "EEE dd HH:mm")

    rows = [
        [m.order_id,
         f"{word(m.before.status.value) if m.before else '–'} → {word(m.after.status.value)}",
         f"{when(m.before.completion if m.before else None)} → {when(m.after.completion)}",
         "–" if m.shift_minutes is None else signed(m.shift_minutes / 60, 1),
         signed(m.value_change), service_text(m.after.reason) if m.after.reason else ""]
        for m in result.moves
    ]  # fmt: skip
    heads = [_("order"), _("status"), _("completion"), _("shift h"), _("value"), _("reason")]
    title = _("What moved (%(count)s orders)", count=len(rows)) if rows else _("Nothing moved")
    return fitted_table(title, heads, rows, wrap=(heads[5],), right=(heads[3], heads[4]))
