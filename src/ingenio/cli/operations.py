"""What really happened: KPIs, the owner's report, replanning (and, from ``cli.actuals``,
recording actuals, plan versions and the audit log).

``ingenio kpi``, ``ingenio report enterprise`` and ``ingenio replan``; every command
reads the store of the global ``--db`` option.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from ingenio.cli import actuals
from ingenio.cli.errors import context_of
from ingenio.cli.guard import fail, guarded, moment, zone_of
from ingenio.cli.lang import _, clock, current, num, signed, word
from ingenio.cli.operations_render import kpi_tables, moves_table, stage_line
from ingenio.cli.out_dir import out_dir_problem

Granularity = Literal["day", "week", "month"]
_BY: dict[str, Granularity] = {"day": "day", "week": "week", "month": "month"}

console = Console(markup=False)
err = Console(markup=False, stderr=True)

report = typer.Typer(help="Reports for the owner of an enterprise.", no_args_is_help=True)

PortfolioName = Annotated[
    str | None,
    typer.Option("--portfolio", help="Portfolio name (default: the one that holds it)."),
]
By = Annotated[str, typer.Option("--by", help="Buckets: day, week or month.")]


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(_("%(option)s: not a date like 2026-04-01 (got %(text)s)", option=option,
               text=repr(text)))  # fmt: skip


def _by(text: str) -> Granularity:
    if text not in _BY:
        fail(_("--by: choose day, week or month (got %(text)s)", text=repr(text)))
    return _BY[text]


def kpi(
    ctx: typer.Context,
    enterprise: Annotated[str | None, typer.Option("--enterprise", help="Enterprise id.")] = None,
    start: Annotated[str, typer.Option("--from", help="First day, e.g. 2026-04-01.")] = "",
    end: Annotated[str, typer.Option("--to", help="Last day (included).")] = "",
    by: By = "day",
    plant: Annotated[str | None, typer.Option("--plant", help="Only this plant.")] = None,
    portfolio: PortfolioName = None,
    plan_version: Annotated[
        int | None, typer.Option("--plan-version", help="Plan to compare with (default: baseline).")
    ] = None,
) -> None:
    """OEE (A × P × Q), losses by cause, kWh and litres per unit, adherence and value."""
    from ingenio.services.kpi import kpis_between

    def work() -> None:
        if enterprise is None and plant is None:
            fail(_("give --enterprise or --plant"))
        if not start or not end:
            fail(_("give the period with --from and --to"))
        first, last = _day("--from", start), _day("--to", end)
        if last < first:
            fail(_("--to is before --from"))
        got = kpis_between(
            context_of(ctx), first, last, _by(by), enterprise_id=enterprise, plant_id=plant,
            portfolio_name=portfolio, plan_version=plan_version,
        )  # fmt: skip
        compared = (
            _("no plan")
            if got.plan_version is None
            else _("plan v%(version)s", version=got.plan_version.version)
        )
        console.print(
            _(
                "portfolio %(name)s v%(version)s, compared with %(plan)s; %(first)s to %(last)s "
                "by %(by)s",
                name=repr(got.portfolio_version.name), version=got.portfolio_version.version,
                plan=compared, first=clock(first, "yyyy-MM-dd"), last=clock(last, "yyyy-MM-dd"),
                by=word(by),
            ),
            highlight=False,
        )  # fmt: skip
        for table in kpi_tables(got.report, got.portfolio.currency, plant is not None):
            console.print(table)
        for note in got.report.notes:
            err.print(_("note: %(text)s", text=note), highlight=False, markup=False)

    guarded(ctx, work)


@report.command("enterprise")
def report_enterprise(
    ctx: typer.Context,
    enterprise: Annotated[str, typer.Argument(help="Enterprise id.")],
    period: Annotated[str, typer.Option("--period", help="Month, e.g. 2026-04.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the HTML and Excel files.")] = Path(
        "out"
    ),
    by: By = "day",
    portfolio: PortfolioName = None,
) -> None:
    """The owner's report of an enterprise for a month: HTML (offline) and Excel."""
    from ingenio.services.kpi import enterprise_report

    def work() -> None:
        got = enterprise_report(context_of(ctx), enterprise, period, out, _by(by), portfolio,
                                current())  # fmt: skip
        console.print(_("wrote %(html)s and %(xlsx)s", html=got.html, xlsx=got.xlsx))

    guarded(ctx, work)


def replan(
    ctx: typer.Context,
    plant: Annotated[str, typer.Option("--plant", help="Plant to replan.")],
    at: Annotated[
        str, typer.Option("--at", help="From when: 2026-04-07T10:00 (portfolio zone) or now.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the versions).")] = "",
    portfolio: PortfolioName = None,
    outage_hours: Annotated[
        float | None,
        typer.Option("--outage-hours", help="An unannounced grid outage from --at, hours."),
    ] = None,
    planner: Annotated[
        str, typer.Option("--planner", help="optimise (CP-SAT after a first plan) or dispatch.")
    ] = "optimise",
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the optimised plan.")
    ] = 20.0,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="Zone of --at (default: the portfolio's).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the new plan's files and report here.")
    ] = None,
) -> None:
    """Replan a plant from a moment: a first valid plan at once, then the optimised one."""
    from ingenio.domain import Window
    from ingenio.services.kpi import holding_portfolio, write_replan_files
    from ingenio.services.replan import ReplanStage, replan_in

    def work() -> None:
        if planner not in ("optimise", "dispatch"):
            fail(_("--planner: choose optimise or dispatch (got %(text)s)", text=repr(planner)))
        if outage_hours is not None and not (math.isfinite(outage_hours) and outage_hours > 0):
            fail(_("--outage-hours must be a positive number of hours (got %(value)s)",
                   value=outage_hours))  # fmt: skip
        if outage_hours is not None and outage_hours > 24 * 366:
            fail(_("--outage-hours must be at most %(most)s (a year; got %(value)s)",
                   most=24 * 366, value=format(outage_hours, "g")))  # fmt: skip
        if not (math.isfinite(time_limit) and time_limit > 0):
            fail(_("--time-limit must be a positive number of seconds (got %(value)s)",
                   value=time_limit))  # fmt: skip
        if out is not None:
            bad_out = out_dir_problem(out)
            if bad_out:
                fail(bad_out)
        started = time.perf_counter()
        c = context_of(ctx)
        pv, found = holding_portfolio(c, plant_id=plant, name=portfolio)
        zone = zone_of(timezone) or found.horizon.zone
        when = datetime.now(UTC) if at.strip() == "now" else moment("--at", at, zone)
        minute = found.horizon.to_minute(when)
        if not 0 < minute < found.horizon.minutes:
            fail(_("--at %(when)s is outside the plan's horizon",
                   when=when.astimezone(zone).strftime("%Y-%m-%d %H:%M")))  # fmt: skip
        outage = None
        if outage_hours is not None:
            outage = Window(minute, minute + max(1, round(outage_hours * 60)))

        def first(stage: ReplanStage) -> None:
            console.print(stage_line(_("first plan"), stage), highlight=False)

        result = replan_in(c, pv.name, plant, minute, reason, planner, time_limit,
                           outage, on_first=first)  # fmt: skip
        line = stage_line(_("final plan"), result.final)
        if result.final.version == result.first.version:
            line += " " + _("(nothing better found: the first plan stands)")
        console.print(line, highlight=False)
        if out is not None:
            files = write_replan_files(c, result, out, minute, current())
            console.print(
                _("wrote %(plan_json)s, %(plan_xlsx)s, %(report)s", plan_json=files.plan_json,
                  plan_xlsx=files.plan_xlsx, report=files.report_html)
            )  # fmt: skip
        console.print(
            _(
                "replanned %(plants)s: value %(before)s → %(after)s (%(change)s %(currency)s); "
                "took %(seconds)s s in all",
                plants=", ".join(result.plants), before=num(result.previous_plan.value),
                after=num(result.final.plan.value), change=signed(result.value_change),
                currency=result.portfolio.currency,
                seconds=num(time.perf_counter() - started, 1),
            ),
            highlight=False,
        )  # fmt: skip
        console.print(moves_table(result))

    guarded(ctx, work)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main ``ingenio`` app."""
    actuals.register(app)  # record, template, import-actuals, plans, audit
    app.command("kpi")(kpi)
    app.command("replan")(replan)
    app.add_typer(report, name="report")
