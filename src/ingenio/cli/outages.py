"""Outage schedules in the formats people have: parse and import.

``ingenio outages parse FILE --format F`` shows what a file holds, importing
nothing; ``ingenio outages import FILE --format F --portfolio P`` puts its
windows into the portfolio's blocks and saves a new portfolio version. Formats:
``csv``, ``ics``, ``esp-json``, ``eskom-calendar``, ``une`` (``docs/formats.md``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ingenio.domain import Portfolio

if TYPE_CHECKING:  # the readers import icalendar: loaded only when a command runs
    from ingenio.formats.outages import OutageFeed, OutageMapping, ParseOptions

console = Console(markup=False)
T = TypeVar("T")

FORMAT_HELP = "File format: csv, ics, esp-json, eskom-calendar or une."
PORTFOLIO_SUFFIXES = (".yaml", ".yml", ".json")

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


def _guarded(ctx: typer.Context, work: Callable[[], T]) -> T:
    """``run_guarded`` of the main app, with store errors as one clear line too."""
    from ingenio.cli.main import Failure, run_guarded
    from ingenio.store.errors import StoreError

    def inner() -> T:
        try:
            return work()
        except StoreError as exc:
            raise Failure(str(exc)) from exc

    return run_guarded(ctx, inner)


def _options(
    fmt: str,
    stage: int | None,
    timezone: str | None,
    area: str | None,
    day: str | None,
    mapping_file: Path | None,
    default_zone: str | None,
) -> tuple[ParseOptions, OutageMapping]:
    """The reader options and the mapping."""
    from ingenio.cli.main import Failure
    from ingenio.formats.outages import FORMATS, OutageMapping, ParseOptions, load_mapping

    if fmt not in FORMATS:
        raise Failure(f"--format: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if stage is not None and not 0 <= stage <= 8:
        raise Failure(f"--stage: must be 0 to 8, got {stage}")
    the_day = None
    if day is not None:
        try:
            the_day = date.fromisoformat(day)
        except ValueError:
            raise Failure(f"--date: expected YYYY-MM-DD, got {day!r}") from None
    if mapping_file is not None and not mapping_file.exists():
        raise Failure(f"{mapping_file}: no such file")
    mapping = load_mapping(mapping_file) if mapping_file is not None else OutageMapping()
    zone = timezone or default_zone
    if zone is None:
        zone = "Africa/Johannesburg" if fmt in ("esp-json", "eskom-calendar") else "America/Havana"
    options = ParseOptions(zone, stage, area, the_day, mapping.une)
    return options, mapping


def _read(file: Path, fmt: str, options: ParseOptions) -> OutageFeed:
    from ingenio.cli.main import Failure
    from ingenio.formats.outages import read_outages

    if not file.exists():
        raise Failure(f"{file}: no such file")
    return read_outages(file, fmt, options)


def _feed_tables(feed: OutageFeed) -> list[Table | str]:
    """Per area: a row per local day with its windows, hours and expected hours."""
    from ingenio.formats.outages import hours_per_day

    zone = ZoneInfo(feed.timezone)
    out: list[Table | str] = []
    for area, windows in feed.areas.items():
        table = Table(title=f"{area}: {len(windows)} window(s)", title_justify="left")
        for head in ("day", "windows (local time)", "hours in windows", "expected hours"):
            table.add_column(head, justify="left" if head[0] in "dw" else "right")
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
                label += f" (p {w.probability:.2g})"
            texts.setdefault(s.date(), []).append(label)
        for day, (hours, expected) in hours_per_day(windows, zone).items():
            table.add_row(
                f"{day:%a %Y-%m-%d}",
                ", ".join(texts.get(day, [])),
                f"{hours:.1f}",
                f"{expected:.1f}",
            )
        out.append(table)
    return out


def _une_tables(feed: OutageFeed) -> list[Table | str]:
    """The UNE figures and the rotation model's hours, when the feed has them."""
    report, plan = feed.forecast, feed.rotation
    if report is None or plan is None:
        return []
    lines: list[Table | str] = [
        f"UNE report for {report.day or 'an unknown day'}: peak disponibilidad "
        f"{report.availability.mw:g} MW, demanda máxima {report.demand.mw:g} MW, déficit "
        f"{report.deficit.mw:g} MW, afectación {report.afectacion.mw:g} MW"
        + (" (derived)" if report.afectacion_derived else "")
        + f" — {report.share_dark:.0%} of the demand"
    ]
    if report.yesterday_max is not None:
        lines.append(
            f"yesterday's maximum afectación {report.yesterday_max.mw:g} MW at "
            f"{report.yesterday_max_time}"
        )
    table = Table(
        title=f"rotation over {', '.join(plan.blocks)} "
        f"({plan.block_mw:.1f} MW per block at the peak)",
        title_justify="left",
    )
    for head in ("hour", "national MW", "Havana MW", "blocks off", "p(off) per block"):
        table.add_column(head, justify="right")
    for h in range(24):
        table.add_row(
            f"{h:02d}:00",
            f"{plan.national_mw[h]:.0f}",
            f"{plan.havana_mw[h]:.0f}",
            str(plan.blocks_off[h]),
            f"{plan.probability[h]:.2f}",
        )
    lines.append(table)
    lines.append(f"expected hours off per block and day: {plan.hours_per_block:.1f}")
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
            from ingenio.formats.outages import feed_document

            options, _ = _options(fmt, stage, timezone, area_property, day, mapping, None)
            feed = _read(file, fmt, options)
            if as_json:
                typer.echo(json.dumps(feed_document(feed), ensure_ascii=False, indent=2))
                return
            span = (
                ""
                if feed.span is None
                else (
                    f", {feed.span[0].astimezone(ZoneInfo(feed.timezone)):%Y-%m-%d %H:%M} to "
                    f"{feed.span[1].astimezone(ZoneInfo(feed.timezone)):%Y-%m-%d %H:%M}"
                )
            )
            console.print(
                f"[bold]{escape(file.name)}[/bold] ({feed.format}, {feed.timezone}): "
                f"{len(feed.areas)} area(s), {feed.window_count} window(s){span}",
                markup=True,
                highlight=False,
                soft_wrap=True,
            )
            for note in feed.notes:
                console.print(f"note: {note}", style="dim", highlight=False, soft_wrap=True)
            for item in _une_tables(feed) + _feed_tables(feed):
                console.print(item, highlight=False, soft_wrap=isinstance(item, str))

        _guarded(ctx, work)

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
        _guarded(
            ctx,
            lambda: _import(
                ctx, file, fmt, portfolio, mapping, stage, timezone, area_property, day, write
            ),
        )

    app.add_typer(outages_app, name="outages")


def _load_portfolio(ctx: typer.Context, ref: str) -> tuple[Portfolio, str]:
    """A portfolio file, or the latest stored version of a name; and how it is called."""
    from ingenio.cli.main import Failure, _opts
    from ingenio.formats.portfolio import load_portfolio, parse_portfolio
    from ingenio.store.repository import Store
    from ingenio.store.settings import resolve_url

    path = Path(ref)
    if path.exists():
        return load_portfolio(path), str(path)
    if path.suffix.lower() in PORTFOLIO_SUFFIXES:
        raise Failure(f"{ref}: no such file")
    with Store.open(resolve_url(_opts(ctx).db)) as store:
        version, document = store.load_portfolio(ref)
    label = f"{version.name} v{version.version}"
    return parse_portfolio(document, label), label


def _import(
    ctx: typer.Context,
    file: Path,
    fmt: str,
    ref: str,
    mapping_file: Path | None,
    stage: int | None,
    timezone: str | None,
    area: str | None,
    day: str | None,
    write: Path | None,
) -> None:
    from ingenio.cli.main import Failure, _opts
    from ingenio.energy.outage_import import import_outages
    from ingenio.formats.atomic import atomic_write_text
    from ingenio.formats.documents import document_text
    from ingenio.formats.portfolio import portfolio_to_document
    from ingenio.store.repository import Store
    from ingenio.store.settings import resolve_url

    if write is not None and write.suffix.lower() not in PORTFOLIO_SUFFIXES:
        raise Failure(f"--write: unsupported file type {write.suffix!r}; use .yaml, .yml or .json")
    portfolio, label = _load_portfolio(ctx, ref)
    options, mapping = _options(
        fmt, stage, timezone, area, day, mapping_file, portfolio.horizon.timezone
    )
    feed = _read(file, fmt, options)
    result = import_outages(portfolio, feed, mapping)
    document = portfolio_to_document(result.portfolio)  # raises before anything is written
    text = None if write is None else document_text(document, write.suffix)
    note = f"outages import {file.name} ({fmt}) into {label}"
    with Store.open(resolve_url(_opts(ctx).db)) as store:
        saved = store.save_portfolio(result.portfolio.name, document, note=note)
    if write is not None and text is not None:
        atomic_write_text(write, text)
    for note_text in feed.notes:
        console.print(f"note: {note_text}", style="dim", highlight=False, soft_wrap=True)
    for block_id in sorted(result.added):
        console.print(
            f"block {block_id}: {result.added[block_id]} window(s) imported, "
            f"{result.replaced[block_id]} old window(s) replaced",
            highlight=False,
        )
    if result.outside:
        console.print(f"{result.outside} window(s) outside the horizon left out", highlight=False)
    console.print(
        f"saved portfolio {saved.name!r} version {saved.version} ({file.name}, {fmt})",
        highlight=False,
    )
    if write is not None:
        console.print(f"wrote {write}", highlight=False)
