"""Rich tables of the operations commands: KPIs and what a replan moved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from ingenio.cli.tables import fitted_table

if TYPE_CHECKING:
    from ingenio.services.kpi import KpiReport, KpiRow
    from ingenio.services.replan import ReplanResult, ReplanStage

CAUSES = ("grid", "generator", "fuel", "breakdown", "material", "labour")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def _num(x: float | None, digits: int = 0) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


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
        return [r.bucket.label if r.bucket else "period", indent + r.name]

    oee = [
        [*label(r), _pct(r.tally.oee), _pct(r.tally.availability), _pct(r.tally.performance),
         _pct(r.tally.quality), _num(r.tally.planned_h, 1),
         *(_num(r.tally.losses_h[c], 1) for c in CAUSES)]
        for r in rows
    ]  # fmt: skip
    heads = ["period", "who", "OEE", "A", "P", "Q", "planned h", *(f"{c} h" for c in CAUSES)]
    energy = [
        [*label(r), _num(r.tally.good), _num(r.tally.kwh), _num(r.tally.kwh_per_unit, 3),
         _num(r.tally.litres, 1), _num(r.tally.litres_per_unit, 4), _num(r.tally.planned_qty),
         _pct(r.tally.adherence), _pct(r.tally.on_time_share), _num(r.tally.value),
         _num(r.tally.planned_value)]
        for r in rows
    ]  # fmt: skip
    heads2 = ["period", "who", "good", "kWh", "kWh/unit", "L", "L/unit", "planned",
              "adherence", "on time", f"value {currency}", f"planned {currency}"]  # fmt: skip
    right = set(heads[2:]) | set(heads2[2:])
    return [
        fitted_table("OEE = availability × performance × quality; losses in hours", heads, oee,
                     wrap=("who",), right=right),
        fitted_table("Energy, fuel, plan adherence and value", heads2, energy, wrap=("who",),
                     right=right),
    ]  # fmt: skip


def stage_line(label: str, stage: ReplanStage) -> str:
    """``first plan: v7 (replan:dispatch), value 1,234 USD, in 0.4 s``."""
    version = f"v{stage.version.version}" if stage.version else "not saved"
    return (f"{label}: plan {version} ({stage.plan.planner}), value {stage.plan.value:,.0f}, "
            f"in {stage.seconds:.2f} s")  # fmt: skip


def moves_table(result: ReplanResult) -> Table:
    """Orders whose status or completion moved, largest value change first."""
    world = result.portfolio

    def when(minute: int | None) -> str:
        return "–" if minute is None else f"{world.horizon.to_datetime(minute):%a %d %H:%M}"

    rows = [
        [m.order_id,
         f"{m.before.status.value if m.before else '–'} → {m.after.status.value}",
         f"{when(m.before.completion if m.before else None)} → {when(m.after.completion)}",
         "–" if m.shift_minutes is None else f"{m.shift_minutes / 60:+,.1f}",
         f"{m.value_change:+,.0f}", m.after.reason]
        for m in result.moves
    ]  # fmt: skip
    heads = ["order", "status", "completion", "shift h", "value", "reason"]
    title = f"What moved ({len(rows)} orders)" if rows else "Nothing moved"
    return fitted_table(title, heads, rows, wrap=("reason",), right=("shift h", "value"))
