"""Outage schedules in the formats people have: parse and import.

``ingenio outages parse FILE --format F`` shows what a file holds, importing
nothing; ``ingenio outages import FILE --format F --portfolio P`` puts its
windows into the portfolio's blocks and saves a new portfolio version. Formats:
``csv``, ``ics``, ``esp-json``, ``eskom-calendar``, ``une`` (``docs/formats.md``).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ingenio.cli.errors import context_of, run_guarded
from ingenio.cli.lang import _, clock, figure, num, pct, service_text
from ingenio.services.files import write_text
from ingenio.services.portfolios import (
    OutageRequest,
    feed_document,
    hours_per_day,
    import_outages,
    parse_outages,
)

if TYPE_CHECKING:  # the readers import icalendar: loaded only when a command runs
    from ingenio.services.portfolios import OutageFeed

console = Console(markup=False)
T = TypeVar("T")

FORMAT_HELP = "File format: csv, ics, esp-json, eskom-calendar or une."

FormatOpt = Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)]
StageOpt = Annotated[
    int | None,
    typer.Option(
        "--stage",
        help="esp-json: read the schedule of this stage (1-8) instead of the events; "
        "eskom-calendar: keep only this stage.",
    ),
]
ZoneOpt = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        help="IANA zone of local times (default: the portfolio's; for parse America/Havana, "
        "or Africa/Johannesburg for esp-json and eskom-calendar).",
    ),
]
AreaOpt = Annotated[
    str | None,
    typer.Option(
        "--area-property",
        help="ics: event property naming the area (default LOCATION, else SUMMARY).",
    ),
]
DateOpt = Annotated[
    str | None,
    typer.Option("--date", help="une: the report's day (YYYY-MM-DD) when the text does not say."),
]
MappingOpt = Annotated[
    Path | None,
    typer.Option(
        "--mapping", "-m", help="Mapping file (YAML/JSON): areas -> blocks, une parameters."
    ),
]


def _feed_tables(feed: OutageFeed) -> list[Table | str]:
    """Per area: a row per local day with its windows, hours and expected hours."""
    zone = ZoneInfo(feed.timezone)
    out: list[Table | str] = []
    for area, windows in feed.areas.items():
        table = Table(title=_("%(area)s: %(count)s window(s)", area=area, count=len(windows)),
                      title_justify="left")  # fmt: skip
        heads = (_("day"), _("windows (local time)"), _("hours in windows"), _("expected hours"))
        for i, head in enumerate(heads):
            table.add_column(head, justify="left" if i < 2 else "right")
        texts: dict[date, list[str]] = {}
        for w in windows:
            s, e = w.start.astimezone(zone), w.end.astimezone(zone)
            days = (e.date() - s.date()).days
            if days == 1 and e.hour == e.minute == 0:
                end = "24:00"
            else:
                end = f"{e:%H:%M}" + (f"+{days}" if days else "")
            label = f"{s:%H:%M}-{end}"
            if w.probability < 1:
                label += f" (p {figure(w.probability, 2)})"
            texts.setdefault(s.date(), []).append(label)
        for day, (hours, expected) in hours_per_day(windows, zone).items():
            table.add_row(
                clock(day, "EEE yyyy-MM-dd"),
                ", ".join(texts.get(day, [])),
                num(hours, 1),
                num(expected, 1),
            )
        out.append(table)
    return out


def _une_tables(feed: OutageFeed) -> list[Table | str]:
    """The UNE figures and the rotation model's hours, when the feed has them."""
    report, plan = feed.forecast, feed.rotation
    if report is None or plan is None:
        return []
    derived = " " + _("(derived)") if report.afectacion_derived else ""
    lines: list[Table | str] = [
        _("UNE report for %(day)s: peak disponibilidad %(availability)s MW, demanda máxima "
          "%(demand)s MW, déficit %(deficit)s MW, afectación %(afectacion)s MW%(derived)s — "
          "%(share)s of the demand",
          day=report.day or _("an unknown day"), availability=figure(report.availability.mw),
          demand=figure(report.demand.mw), deficit=figure(report.deficit.mw),
          afectacion=figure(report.afectacion.mw), derived=derived,
          share=pct(report.share_dark, 0))
    ]  # fmt: skip
    if report.yesterday_max is not None:
        lines.append(
            _("yesterday's maximum afectación %(mw)s MW at %(time)s",
              mw=figure(report.yesterday_max.mw), time=report.yesterday_max_time)
        )  # fmt: skip
    table = Table(
        title=_("rotation over %(blocks)s (%(mw)s MW per block at the peak)",
                blocks=", ".join(plan.blocks), mw=num(plan.block_mw, 1)),
        title_justify="left",
    )  # fmt: skip
    for head in (_("hour"), _("national MW"), _("Havana MW"), _("blocks off"),
                 _("p(off) per block")):  # fmt: skip
        table.add_column(head, justify="right")
    for h in range(24):
        table.add_row(
            f"{h:02d}:00",
            num(plan.national_mw[h]),
            num(plan.havana_mw[h]),
            str(plan.blocks_off[h]),
            num(plan.probability[h], 2),
        )
    lines.append(table)
    lines.append(
        _("expected hours off per block and day: %(hours)s", hours=num(plan.hours_per_block, 1))
    )
    return lines


def register(app: typer.Typer) -> None:
    """Add the ``outages`` command group to the main ``ingenio`` app."""
    outages_app = typer.Typer(
        help="Outage schedules: show what a file holds, import it into a portfolio.",
        no_args_is_help=True,
    )

    @outages_app.command("parse")
    def parse(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="The outage file.")],
        fmt: FormatOpt,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
        stage: StageOpt = None,
        timezone: ZoneOpt = None,
        area_property: AreaOpt = None,
        day: DateOpt = None,
        mapping: MappingOpt = None,
    ) -> None:
        """Show the windows a file holds per area (or the UNE figures); import nothing."""

        def work() -> None:
            request = OutageRequest(fmt, stage, timezone, area_property, day, mapping)
            feed = parse_outages(file, request)
            if as_json:
                typer.echo(json.dumps(feed_document(feed), ensure_ascii=False, indent=2))
                return
            zone = ZoneInfo(feed.timezone)
            span = (
                ""
                if feed.span is None
                else ", " + _("%(start)s to %(end)s", start=clock(feed.span[0].astimezone(zone)),
                              end=clock(feed.span[1].astimezone(zone)))
            )  # fmt: skip
            said = _("(%(format)s, %(zone)s): %(areas)s area(s), %(windows)s window(s)%(span)s",
                     format=feed.format, zone=feed.timezone, areas=len(feed.areas),
                     windows=feed.window_count, span=span)  # fmt: skip
            console.print(
                f"[bold]{escape(file.name)}[/bold] {escape(said)}",
                markup=True,
                highlight=False,
                soft_wrap=True,
            )
            for note in feed.notes:
                console.print(_("note: %(text)s", text=service_text(note)), style="dim",
                              highlight=False, soft_wrap=True)  # fmt: skip
            for item in _une_tables(feed) + _feed_tables(feed):
                console.print(item, highlight=False, soft_wrap=isinstance(item, str))

        run_guarded(ctx, work)

    @outages_app.command("import")
    def import_(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="The outage file.")],
        fmt: FormatOpt,
        portfolio: Annotated[
            str,
            typer.Option(
                "--portfolio",
                "-p",
                help="A portfolio file, or the name of a stored portfolio (its latest version).",
            ),
        ],
        mapping: MappingOpt = None,
        stage: StageOpt = None,
        timezone: ZoneOpt = None,
        area_property: AreaOpt = None,
        day: DateOpt = None,
        write: Annotated[
            Path | None, typer.Option("--write", help="Also write the new portfolio to this file.")
        ] = None,
    ) -> None:
        """Put a file's windows into the portfolio's blocks; save a new portfolio version."""
        request = OutageRequest(fmt, stage, timezone, area_property, day, mapping)
        run_guarded(ctx, lambda: _import(ctx, file, portfolio, request, write))

    @outages_app.command("stages")
    def stages(
        ctx: typer.Context,
        file: Annotated[
            Path,
            typer.Argument(
                help="An area's stage schedule: EskomSePush area JSON, or an eskom-calendar "
                "area CSV (generated/<area>.csv) with --format eskom-calendar."
            ),
        ],
        portfolio: Annotated[
            str, typer.Option("--portfolio", "-p", help="A portfolio file or stored name.")
        ],
        block: Annotated[str, typer.Option("--block", help="The block the area's cuts hit.")],
        forecast: Annotated[
            list[str] | None,
            typer.Option("--forecast", help="DATE=STAGE:PROBABILITY,..., e.g. 2026-04-06=4:0.6"),
        ] = None,
        write: Annotated[
            Path | None, typer.Option("--write", help="Also write the new portfolio to this file.")
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="esp-json (default) or eskom-calendar.")
        ] = "esp-json",
        timeline: Annotated[
            Path | None,
            typer.Option(
                "--timeline",
                help="eskom-calendar's stage timeline (manually_specified.yaml): per date "
                "the highest stage in force becomes the forecast.",
            ),
        ] = None,
        region: Annotated[
            str | None,
            typer.Option(
                "--region",
                help="With --timeline: the region the block is in (e.g. coct), for changes "
                "that include or exclude it.",
            ),
        ] = None,
    ) -> None:
        """Set a block's load-shedding stage schedule from a file; save a new version."""

        def work() -> None:
            from ingenio.services.stages import Timeline, import_stage_schedule

            line = None if timeline is None else Timeline(timeline, region)
            done = import_stage_schedule(
                context_of(ctx), file, portfolio, block, forecast or [],
                None if write is None else write.suffix, fmt, line,
            )  # fmt: skip
            if write is not None and done.text is not None:
                write_text(write, done.text)
            console.print(
                _("block %(block)s: stage schedule of %(area)s for %(count)s date(s) "
                  "(%(first)s to %(last)s)", block=block, area=done.area, count=len(done.dates),
                  first=done.dates[0], last=done.dates[-1]),
                highlight=False,
            )  # fmt: skip
            console.print(
                _("saved portfolio %(name)s version %(version)s", name=repr(done.saved.name),
                  version=done.saved.version),
                highlight=False,
            )  # fmt: skip

        run_guarded(ctx, work)

    app.add_typer(outages_app, name="outages")


def _import(
    ctx: typer.Context,
    file: Path,
    ref: str,
    request: OutageRequest,
    write: Path | None,
) -> None:
    done = import_outages(
        context_of(ctx), file, ref, request, None if write is None else write.suffix
    )
    result, saved, fmt = done.result, done.saved, request.fmt
    if write is not None and done.text is not None:
        write_text(write, done.text)
    for note_text in done.feed.notes:
        console.print(_("note: %(text)s", text=service_text(note_text)), style="dim",
                      highlight=False, soft_wrap=True)  # fmt: skip
    for block_id in sorted(result.added):
        console.print(
            _("block %(block)s: %(added)s window(s) imported, %(replaced)s old window(s) "
              "replaced", block=block_id, added=result.added[block_id],
              replaced=result.replaced[block_id]),
            highlight=False,
        )  # fmt: skip
    if result.outside:
        console.print(_("%(count)s window(s) outside the horizon left out",
                        count=result.outside), highlight=False)  # fmt: skip
    console.print(
        _("saved portfolio %(name)s version %(version)s (%(file)s, %(format)s)",
          name=repr(saved.name), version=saved.version, file=file.name, format=fmt),
        highlight=False,
    )  # fmt: skip
    if write is not None:
        console.print(_("wrote %(path)s", path=write), highlight=False)
