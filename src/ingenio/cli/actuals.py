"""Commands for what really happened: ``record``, ``template``, ``import-actuals``, ``audit``.

``plans list`` and ``plans diff`` live in :mod:`ingenio.cli.plan_versions`;
:func:`register` adds both to the ``ingenio`` app.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from ingenio.cli import plan_versions
from ingenio.cli.errors import context_of
from ingenio.cli.guard import fail, guarded, moment, since_option, zone_of
from ingenio.cli.lang import N_, _, clock, num, service_text, word
from ingenio.cli.options import Timezone
from ingenio.cli.tables import fitted_table
from ingenio.services import actuals as service
from ingenio.services.actuals import (
    ActualsBatch,
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    FuelReceipt,
    ProductionRecord,
)

console = Console(markup=False)
err = Console(markup=False, stderr=True)

record = typer.Typer(
    help="Record what really happened: production, downtime, fuel.", no_args_is_help=True
)
template = typer.Typer(help="Write empty templates to fill in.", no_args_is_help=True)

Line = Annotated[str, typer.Option("--line", help="Line id.")]
Start = Annotated[str, typer.Option("--start", help="Start, e.g. 2026-04-06T08:00.")]
End = Annotated[str, typer.Option("--end", help="End, e.g. 2026-04-06T14:30.")]


def _zone(ctx: typer.Context, timezone: str | None) -> str | None:
    """``--timezone``, else the ``INGENIO_TIMEZONE`` setting."""
    return timezone if timezone is not None else context_of(ctx).settings.timezone


RECORDED = {
    "production record": (N_("recorded %(count)s production record"),
                          N_("production record already recorded: nothing new")),
    "downtime event": (N_("recorded %(count)s downtime event"),
                       N_("downtime event already recorded: nothing new")),
    "fuel receipt": (N_("recorded %(count)s fuel receipt"),
                     N_("fuel receipt already recorded: nothing new")),
    "fuel draw": (N_("recorded %(count)s fuel draw"),
                  N_("fuel draw already recorded: nothing new")),
}  # fmt: skip
"""What ``record`` says of each kind: stored, or already there."""


def _said(new: int, what: str) -> None:
    stored, known = RECORDED[what]
    console.print(_(stored, count=new) if new else _(known))


@record.command("production")
def record_production(
    ctx: typer.Context,
    line: Line,
    product: Annotated[str, typer.Option("--product", help="Product id.")],
    good: Annotated[float, typer.Option("--good", help="Good units made.")],
    start: Start,
    end: End,
    order: Annotated[str | None, typer.Option("--order", help="Order id (none: stock).")] = None,
    scrap: Annotated[float, typer.Option("--scrap", help="Units scrapped.")] = 0.0,
    timezone: Timezone = None,
) -> None:
    """Record units a line made in a period."""

    def work() -> None:
        zone = zone_of(_zone(ctx, timezone))
        rec = ProductionRecord(
            line,
            product,
            order,
            good,
            scrap,
            moment("--start", start, zone),
            moment("--end", end, zone),
        )
        _said(service.record_production(context_of(ctx), rec), "production record")

    guarded(ctx, work)


@record.command("downtime")
def record_downtime(
    ctx: typer.Context,
    line: Line,
    cause: Annotated[DowntimeCause, typer.Option("--cause", help="Why the line stood still.")],
    start: Start,
    end: End,
    note: Annotated[str, typer.Option("--note", help="Free text.")] = "",
    timezone: Timezone = None,
) -> None:
    """Record a line standing still, and why."""

    def work() -> None:
        zone = zone_of(_zone(ctx, timezone))
        event = DowntimeEvent(
            line, cause, moment("--start", start, zone), moment("--end", end, zone), note
        )
        _said(service.record_downtime(context_of(ctx), event), "downtime event")

    guarded(ctx, work)


@record.command("fuel")
def record_fuel(
    ctx: typer.Context,
    litres: Annotated[float, typer.Option("--litres", help="Litres.")],
    at: Annotated[str, typer.Option("--at", help="When, e.g. 2026-04-06T09:30.")],
    receipt: Annotated[bool, typer.Option("--receipt", help="Diesel received.")] = False,
    draw: Annotated[bool, typer.Option("--draw", help="Diesel drawn by a generator.")] = False,
    site: Annotated[
        str | None,
        typer.Option("--site", "--plant", "--depot", help="Plant or depot receiving (--receipt)."),
    ] = None,
    generator: Annotated[
        str | None, typer.Option("--generator", help="Generator drawing (--draw).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Free text (--receipt).")] = "",
    timezone: Timezone = None,
) -> None:
    """Record diesel received (--receipt --site S) or drawn (--draw --generator G)."""

    def work() -> None:
        if receipt == draw:
            fail(_("give exactly one of --receipt and --draw"))
        if receipt and site is None:
            fail(_("--receipt needs --site (the plant or depot receiving)"))
        if draw and generator is None:
            fail(_("--draw needs --generator"))
        when = moment("--at", at, zone_of(_zone(ctx, timezone)))
        c = context_of(ctx)
        if site is not None and receipt:
            _said(service.record_fuel_receipt(c, FuelReceipt(site, litres, when, note)),
                  "fuel receipt")  # fmt: skip
        elif generator is not None:
            _said(service.record_fuel_draw(c, FuelDraw(generator, litres, when)), "fuel draw")

    guarded(ctx, work)


@template.command("actuals")
def template_actuals(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Workbook to write (default actuals.xlsx), or folder for --format csv."
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="xlsx: one workbook; csv: one file per kind.")
    ] = "xlsx",
    timezone: Annotated[
        str, typer.Option("--timezone", help="Zone written on the Instructions sheet.")
    ] = "America/Havana",
) -> None:
    """Write an actuals template: a sheet per kind, with headers and an example row."""

    def work() -> None:
        if fmt not in ("xlsx", "csv"):
            fail(_("--format: choose xlsx or csv (got %(text)s)", text=repr(fmt)))
        zone_of(timezone)
        kind: Literal["xlsx", "csv"] = "csv" if fmt == "csv" else "xlsx"
        target = out if out is not None else Path("actuals" if kind == "csv" else "actuals.xlsx")
        for path in service.write_actuals_template(target, kind, timezone):
            console.print(_("wrote %(path)s", path=path))

    guarded(ctx, work)


def _import_table(batch: ActualsBatch, new: dict[str, int]) -> Table:
    table = Table(title=_("actuals imported"))
    for i, head in enumerate((_("kind"), _("in file"), _("new"))):
        table.add_column(head, justify="left" if i == 0 else "right")
    for kind, count in batch.counts().items():
        if count:
            table.add_row(word(kind), num(count), num(new.get(kind, 0)))
    return table


def import_actuals(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A filled actuals workbook (.xlsx) or CSV file.")],
    timezone: Timezone = None,
) -> None:
    """Import actuals from Excel or CSV; rows already stored are not added again."""

    def work() -> None:
        if not file.exists():
            fail(_("%(file)s: no such file", file=file))
        zone = _zone(ctx, timezone)
        zone_of(zone)
        got = service.import_actuals(context_of(ctx), file, zone)
        batch, new = got.batch, got.new
        for warning in got.warnings:
            err.print(_("warning: %(text)s", text=service_text(warning)), markup=False,
                      highlight=False)  # fmt: skip
        if batch.empty:
            console.print(_("%(file)s: no rows to import; nothing new", file=file))
            return
        console.print(_import_table(batch, new))
        total = sum(new.values())
        if total:
            console.print(_("%(count)s new row(s) stored from %(file)s", count=total,
                            file=file.name))  # fmt: skip
        else:
            console.print(_("nothing new: every row of %(file)s was already stored",
                            file=file.name))  # fmt: skip

    guarded(ctx, work)


def audit(
    ctx: typer.Context,
    entity: Annotated[
        str | None,
        typer.Option("--entity", help="Only this kind: portfolio, plan, downtime_events, ..."),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="From this date or time (UTC unless offset).")
    ] = None,
) -> None:
    """Show the audit log: who changed what, and when (times in UTC)."""

    def work() -> None:
        entries = service.audit_entries(context_of(ctx), entity, since_option(since))
        if not entries:
            console.print(_("no audit entries"))
            return
        rows = []
        for e in entries:
            detail = json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
            when = clock(e.at, "yyyy-MM-dd HH:mm:ss")
            rows.append([when, e.actor, e.action, e.entity, e.entity_id, detail])
        heads = (_("at (UTC)"), _("actor"), _("action"), _("entity"), _("id"), _("detail"))
        table = fitted_table(_("audit log"), heads, rows, wrap=(heads[4], heads[5]))
        console.print(table)

    guarded(ctx, work)


def register(app: typer.Typer) -> None:
    """Add ``record``, ``template``, ``import-actuals``, ``plans`` and ``audit`` to ``app``."""
    app.add_typer(record, name="record")
    app.add_typer(template, name="template")
    app.command("import-actuals")(import_actuals)
    app.command("audit")(audit)
    plan_versions.register(app)
