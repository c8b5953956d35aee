"""Use case: a block's load-shedding stage schedule from an area file.

``ingenio outages stages FILE --portfolio P --block B [--forecast DATE=S:P,...]``: the
file's schedule becomes the block's ``load_shedding.schedule`` (dates of the horizon,
and the day before it, whose ranges may run past midnight into it), the forecast rows
are added, and the new portfolio is checked like any file and saved as a new version
(``docs/formats.md``, ``blocks[].load_shedding``). The file is an EskomSePush area
response (``--format esp-json``, its ``schedule.days[]``) or an eskom-calendar area
schedule (``--format eskom-calendar``, ``generated/<area>.csv``); ``--timeline`` reads
eskom-calendar's stage timeline (``manually_specified.yaml``) into the forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ingenio.domain import Portfolio
from ingenio.errors import N_, IngenioError, said
from ingenio.services.context import Context
from ingenio.services.portfolios import PORTFOLIO_SUFFIXES, load_portfolio_ref
from ingenio.store.repository import PortfolioVersion

__all__ = ["StageImport", "import_stage_schedule", "parse_forecast"]


@dataclass(frozen=True)
class StageImport:
    """The new portfolio, its stored version, the area and dates taken, the file text."""

    portfolio: Portfolio
    saved: PortfolioVersion
    area: str
    dates: tuple[str, ...]
    text: str | None


def parse_forecast(specs: Sequence[str]) -> list[dict[str, Any]]:
    """``2026-04-06=4:0.6,6:0.4`` -> forecast rows; errors name ``--forecast`` and the text."""
    rows: list[dict[str, Any]] = []
    for spec in specs:
        day, found, rest = spec.partition("=")
        try:
            date.fromisoformat(day.strip())
            if not found:
                raise ValueError
            for part in rest.split(","):
                stage, _, prob = part.partition(":")
                row = {"date": day.strip(), "stage": int(stage), "probability": float(prob)}
                rows.append(row)
        except ValueError:
            msg = f"--forecast {spec!r}: expected DATE=STAGE:PROBABILITY,..., e.g. 2026-04-06=4:0.6"
            raise IngenioError(msg) from None
    return rows


STAGE_FORMATS = ("esp-json", "eskom-calendar")
"""Formats of an area's stage schedule (``--format``)."""


@dataclass(frozen=True)
class Timeline:
    """An eskom-calendar stage timeline file and the region it is read for."""

    file: Path
    region: str | None = None


def import_stage_schedule(
    ctx: Context,
    file: Path,
    ref: str,
    block_id: str,
    forecast: Sequence[str] = (),
    write_suffix: str | None = None,
    fmt: str = "esp-json",
    timeline: Timeline | None = None,
) -> StageImport:
    """Set ``block_id``'s stage schedule from an area file (``fmt``), with the forecast
    of ``timeline`` and ``forecast`` (which wins on a date both give); save a new
    version."""
    from ingenio.formats.documents import document_text
    from ingenio.formats.portfolio import parse_portfolio, portfolio_to_document
    from ingenio.limits import MAX_TEXT_BYTES, check_size

    if write_suffix is not None and write_suffix.lower() not in PORTFOLIO_SUFFIXES:
        raise IngenioError(
            said(
                N_("--write: unsupported file type %(suffix)s; use .yaml, .yml or .json"),
                suffix=repr(write_suffix),
            )
        )
    if fmt not in STAGE_FORMATS:
        raise IngenioError(
            said(
                N_("--format %(fmt)s: choose from %(known)s"),
                fmt=repr(fmt),
                known=", ".join(STAGE_FORMATS),
            )
        )
    for path in (file, *(() if timeline is None else (timeline.file,))):
        if not path.exists():
            raise IngenioError(said(N_("%(file)s: no such file"), file=str(path)), kind="not_found")
        check_size(path, MAX_TEXT_BYTES)
    portfolio, label = load_portfolio_ref(ctx, ref)
    if not portfolio.has("block", block_id):
        known = ", ".join(b.id for b in portfolio.blocks)
        raise IngenioError(
            said(
                N_("--block %(block_id)s: no such block (known: %(known)s)"),
                block_id=repr(block_id),
                known=known,
            )
        )
    h = portfolio.horizon
    first = h.to_datetime(0).date() - timedelta(days=1)
    last = h.to_datetime(h.minutes - 1).date()
    dates = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    raw = file.read_text(encoding="utf-8-sig")
    if fmt == "esp-json":
        from ingenio.formats.outages.esp_stages import esp_stage_schedule

        area, days = esp_stage_schedule(raw, file.name)
    else:
        from ingenio.formats.outages.eskom_stages import eskom_area_schedule

        area, days = file.stem, eskom_area_schedule(raw, file.name, dates)
    kept = [d for d in days if first <= date.fromisoformat(str(d["date"])) <= last]
    if not kept:
        raise IngenioError(
            said(
                N_("%(name)s: schedule.days: no date between %(first)s and %(last)s, the horizon"),
                name=file.name,
                first=str(first),
                last=str(last),
            )
        )
    document = portfolio_to_document(portfolio)
    block = next(b for b in document["blocks"] if b["id"] == block_id)
    old = block.get("load_shedding") or {}
    rows = list(old.get("forecast", []))
    newer = [] if timeline is None else [_timeline_rows(timeline, portfolio, dates)]
    for fresh in [*newer, parse_forecast(forecast)]:
        # a date given again is replaced: the timeline over the file, --forecast over both
        told = {str(r["date"]) for r in fresh}
        rows = [r for r in rows if str(r["date"]) not in told] + fresh
    block["load_shedding"] = {"schedule": kept, "forecast": rows}
    new = parse_portfolio(document, f"{label} with {file.name}")
    text = None if write_suffix is None else document_text(document, write_suffix)
    note = f"outages stages {file.name} ({area}) into block {block_id} of {label}"
    saved = ctx.store.get().save_portfolio(new.name, document, note=note, actor=ctx.actor.name)
    return StageImport(new, saved, area, tuple(str(d["date"]) for d in kept), text)


def _timeline_rows(
    timeline: Timeline, portfolio: Portfolio, dates: Sequence[date]
) -> list[dict[str, Any]]:
    """Forecast rows of an eskom-calendar stage timeline (the schedule's dates)."""
    from ingenio.formats.outages.eskom_stages import eskom_stage_timeline, timeline_forecast

    zone = ZoneInfo(portfolio.horizon.timezone)
    text = timeline.file.read_text(encoding="utf-8-sig")
    changes = eskom_stage_timeline(text, timeline.file.name, zone, timeline.region)
    return timeline_forecast(changes, dates, zone)
