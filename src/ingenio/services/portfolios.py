"""Use cases around portfolios: the latest stored version, and importing outage schedules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingenio.domain import Portfolio
from ingenio.errors import N_, IngenioError, said
from ingenio.services.context import Context
from ingenio.store.repository import PortfolioVersion

if TYPE_CHECKING:  # the readers import icalendar: loaded only when a use case runs
    from ingenio.energy.outage_import import ImportResult
    from ingenio.formats.outages import OutageFeed, OutageMapping, ParseOptions
    from ingenio.formats.outages.feed import FeedWindow

__all__ = [
    "PORTFOLIO_SUFFIXES",
    "OutageFeed",
    "OutageImport",
    "OutageRequest",
    "feed_document",
    "hours_per_day",
    "import_outages",
    "latest",
    "load_portfolio_ref",
    "parse_outages",
]

PORTFOLIO_SUFFIXES = (".yaml", ".yml", ".json")
"""File types a portfolio is read from and written to."""


def latest(ctx: Context, name: str) -> tuple[PortfolioVersion, Portfolio]:
    """The latest stored version of the portfolio ``name``, parsed.

    Raises
    ------
    ingenio.store.StoreError
        ``not_found`` when no portfolio has that name.
    """
    from ingenio.formats.portfolio import parse_portfolio

    pv, doc = ctx.store.get().load_portfolio(name)
    return pv, parse_portfolio(doc, f"portfolio {name!r} version {pv.version}")


def load_portfolio_ref(ctx: Context, ref: str) -> tuple[Portfolio, str]:
    """A portfolio file, or the latest stored version of a name; and how it is called."""
    from ingenio.formats.portfolio import load_portfolio, parse_portfolio

    path = Path(ref)
    if path.exists():
        return load_portfolio(path), str(path)
    if path.suffix.lower() in PORTFOLIO_SUFFIXES:
        raise IngenioError(said(N_("%(ref)s: no such file"), ref=ref), kind="not_found")
    version, document = ctx.store.get().load_portfolio(ref)
    label = f"{version.name} v{version.version}"
    return parse_portfolio(document, label), label


@dataclass(frozen=True)
class OutageRequest:
    """How to read an outage file (the ``outages`` options)."""

    fmt: str
    stage: int | None = None
    timezone: str | None = None
    area: str | None = None
    day: str | None = None
    mapping_file: Path | None = None


def _options(
    request: OutageRequest, default_zone: str | None
) -> tuple[ParseOptions, OutageMapping]:
    """The reader options and the mapping."""
    from ingenio.formats.outages import FORMATS, OutageMapping, ParseOptions, load_mapping

    fmt, stage, day, mapping_file = request.fmt, request.stage, request.day, request.mapping_file
    if fmt not in FORMATS:
        raise IngenioError(
            said(
                N_("--format: unknown format %(format)s (choose from %(choices)s)"),
                format=repr(fmt),
                choices=", ".join(FORMATS),
            )
        )
    if stage is not None and not 0 <= stage <= 8:
        raise IngenioError(said(N_("--stage: must be 0 to 8, got %(stage)s"), stage=stage))
    the_day = None
    if day is not None:
        try:
            the_day = date.fromisoformat(day)
        except ValueError:
            raise IngenioError(
                said(N_("--date: expected YYYY-MM-DD, got %(day)s"), day=repr(day))
            ) from None
    if mapping_file is not None and not mapping_file.exists():
        raise IngenioError(
            said(N_("%(file)s: no such file"), file=str(mapping_file)),
            kind="not_found",
        )
    mapping = load_mapping(mapping_file) if mapping_file is not None else OutageMapping()
    zone = request.timezone or default_zone
    if zone is None:
        zone = "Africa/Johannesburg" if fmt in ("esp-json", "eskom-calendar") else "America/Havana"
    options = ParseOptions(zone, stage, request.area, the_day, mapping.une)
    return options, mapping


def _read(file: Path, fmt: str, options: ParseOptions) -> OutageFeed:
    from ingenio.formats.outages import read_outages

    if not file.exists():
        raise IngenioError(said(N_("%(file)s: no such file"), file=str(file)), kind="not_found")
    return read_outages(file, fmt, options)


def parse_outages(file: Path, request: OutageRequest) -> OutageFeed:
    """What an outage file holds, importing nothing."""
    options, _ = _options(request, None)
    return _read(file, request.fmt, options)


def hours_per_day(windows: Iterable[FeedWindow], zone: tzinfo) -> dict[date, tuple[float, float]]:
    """Per local day of a feed's windows: (hours off, expected hours)."""
    from ingenio.formats.outages import hours_per_day as per_day

    return per_day(windows, zone)


def feed_document(feed: OutageFeed) -> dict[str, Any]:
    """A parsed feed as one JSON-ready document."""
    from ingenio.formats.outages import feed_document as document

    return document(feed)


@dataclass(frozen=True)
class OutageImport:
    """What an import did: the feed read, the change, the version saved, and the new
    portfolio as text when asked for (``write_suffix``)."""

    feed: OutageFeed
    result: ImportResult
    saved: PortfolioVersion
    text: str | None


def import_outages(
    ctx: Context, file: Path, ref: str, request: OutageRequest, write_suffix: str | None = None
) -> OutageImport:
    """Put an outage file's windows into a portfolio's blocks; save a new portfolio version.

    ``ref`` is a portfolio file or the name of a stored portfolio (its latest version).
    With ``write_suffix`` (``.yaml``, ``.yml`` or ``.json``) the new portfolio is also
    returned as text, for the caller to write.
    """
    from ingenio.energy.outage_import import import_outages as apply_outages
    from ingenio.formats.documents import document_text
    from ingenio.formats.portfolio import portfolio_to_document

    if write_suffix is not None and write_suffix.lower() not in PORTFOLIO_SUFFIXES:
        raise IngenioError(
            said(
                N_("--write: unsupported file type %(suffix)s; use .yaml, .yml or .json"),
                suffix=repr(write_suffix),
            )
        )
    portfolio, label = load_portfolio_ref(ctx, ref)
    options, mapping = _options(request, portfolio.horizon.timezone)
    feed = _read(file, request.fmt, options)
    result = apply_outages(portfolio, feed, mapping)
    document = portfolio_to_document(result.portfolio)  # raises before anything is written
    text = None if write_suffix is None else document_text(document, write_suffix)
    note = f"outages import {file.name} ({request.fmt}) into {label}"
    saved = ctx.store.get().save_portfolio(
        result.portfolio.name, document, note=note, actor=ctx.actor.name
    )
    return OutageImport(feed, result, saved, text)
