"""Use case: a block's load-shedding stage schedule from an EskomSePush area file.

``ingenio outages stages FILE --portfolio P --block B [--forecast DATE=S:P,...]``: the
file's ``schedule.days[]`` become the block's ``load_shedding.schedule`` (dates of the
horizon, and the day before it, whose ranges may run past midnight into it), the
forecast rows are added, and the new portfolio is checked like any file and saved as a
new version (``docs/formats.md``, ``blocks[].load_shedding``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

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


def import_stage_schedule(
    ctx: Context,
    file: Path,
    ref: str,
    block_id: str,
    forecast: Sequence[str] = (),
    write_suffix: str | None = None,
) -> StageImport:
    """Set ``block_id``'s stage schedule from an EskomSePush file; save a new version."""
    from ingenio.formats.documents import document_text
    from ingenio.formats.outages.esp_stages import esp_stage_schedule
    from ingenio.formats.portfolio import parse_portfolio, portfolio_to_document
    from ingenio.limits import MAX_TEXT_BYTES, check_size

    if write_suffix is not None and write_suffix.lower() not in PORTFOLIO_SUFFIXES:
        raise IngenioError(
            said(
                N_("--write: unsupported file type %(suffix)s; use .yaml, .yml or .json"),
                suffix=repr(write_suffix),
            )
        )
    if not file.exists():
        raise IngenioError(said(N_("%(file)s: no such file"), file=str(file)), kind="not_found")
    check_size(file, MAX_TEXT_BYTES)
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
    area, days = esp_stage_schedule(file.read_text(encoding="utf-8-sig"), file.name)
    h = portfolio.horizon
    first = h.to_datetime(0).date() - timedelta(days=1)
    last = h.to_datetime(h.minutes - 1).date()
    kept = [d for d in days if first <= date.fromisoformat(d["date"]) <= last]
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
    rows = [*old.get("forecast", []), *parse_forecast(forecast)]
    block["load_shedding"] = {"schedule": kept, "forecast": rows}
    new = parse_portfolio(document, f"{label} with {file.name}")
    text = None if write_suffix is None else document_text(document, write_suffix)
    note = f"outages stages {file.name} ({area}) into block {block_id} of {label}"
    saved = ctx.store.get().save_portfolio(new.name, document, note=note, actor=ctx.actor.name)
    return StageImport(new, saved, area, tuple(d["date"] for d in kept), text)
