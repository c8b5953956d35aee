"""Put the windows of an outage feed into a portfolio's blocks (pure: no file, no store).

The feed and the area mapping are any objects of the shapes :class:`OutageSource` and
:class:`AreaMapping` (what :mod:`ingenio.formats.outages` reads), so this module needs no
file format.

Rules (also in ``docs/formats.md``):

* Every area of the feed must map to a block of the portfolio (the mapping's
  ``areas``, or an area named exactly like a block). Unmapped areas and
  mapped blocks the portfolio lacks are errors, all listed at once; then
  nothing is imported.
* The **imported range** is the feed's span (for a file of windows: from its
  first start to its last end; for a schedule or a forecast: its whole days),
  widened to cover every imported window. In each block that an area of the
  feed maps to, the old windows inside that range are replaced: a window
  wholly inside is dropped, one that straddles a boundary keeps its part
  outside. Windows outside the range, and blocks no area maps to, are kept.
* Imported windows of one block that overlap (several areas mapped to one
  block) are **merged**: each minute takes the highest probability of the
  windows covering it, and neighbouring pieces of equal probability join.
* Windows that do not reach into the horizon are left out (and counted).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ingenio.domain import Block, DomainError, Issue, OutageWindow, Portfolio, Window

__all__ = [
    "AreaMapping",
    "ImportResult",
    "OutageSource",
    "TimedWindow",
    "apply_outages",
    "import_outages",
    "merge_max",
]


class TimedWindow(Protocol):
    """An outage window of an external area, in aware datetimes."""

    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def probability(self) -> float: ...


class OutageSource(Protocol):
    """What an outage reader returns (:class:`ingenio.formats.outages.OutageFeed`)."""

    @property
    def source(self) -> str: ...
    @property
    def areas(self) -> Mapping[str, Sequence[TimedWindow]]: ...
    @property
    def span(self) -> tuple[datetime, datetime] | None: ...


class AreaMapping(Protocol):
    """External area name -> block id (:class:`ingenio.formats.outages.OutageMapping`)."""

    @property
    def source(self) -> str: ...

    def block_of(self, area: str, block_ids: frozenset[str]) -> str | None:
        """The block of ``area``, or None when it has none."""
        ...


@dataclass(frozen=True)
class _SameNames:
    """The default mapping: every area is the block of the same name."""

    source: str = "--mapping"

    def block_of(self, area: str, block_ids: frozenset[str]) -> str | None:
        return area if area in block_ids else None


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes
    ----------
    portfolio
        The new portfolio.
    added
        Block id -> windows it now has from the feed.
    replaced
        Block id -> old windows dropped or cut inside the imported range.
    outside
        Imported windows left out because they miss the horizon.
    span
        The imported range in minutes from the origin (``None``: empty feed).
    """

    portfolio: Portfolio
    added: Mapping[str, int]
    replaced: Mapping[str, int]
    outside: int
    span: Window | None


def merge_max(pieces: Iterable[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Union of ``(start, end, probability)`` windows, each minute at its highest probability.

    Parameters
    ----------
    pieces
        Windows in minutes, possibly overlapping.

    Returns
    -------
    list
        Disjoint, sorted windows; touching pieces of equal probability are joined.
    """
    items = [p for p in pieces if p[1] > p[0]]
    cuts = sorted({t for s, e, _ in items for t in (s, e)})
    best: list[float | None] = [None] * max(0, len(cuts) - 1)
    for s, e, p in items:
        for i in range(bisect.bisect_left(cuts, s), bisect.bisect_left(cuts, e)):
            current = best[i]
            best[i] = p if current is None or p > current else current
    out: list[tuple[int, int, float]] = []
    for i, top in enumerate(best):
        if top is None:
            continue
        if out and out[-1][1] == cuts[i] and out[-1][2] == top:
            out[-1] = (out[-1][0], cuts[i + 1], top)
        else:
            out.append((cuts[i], cuts[i + 1], top))
    return out


def _targets(portfolio: Portfolio, feed: OutageSource, mapping: AreaMapping) -> dict[str, str]:
    """Area -> block, or ``DomainError`` listing every unmapped area and unknown block."""
    ids = frozenset(b.id for b in portfolio.blocks)
    issues: list[Issue] = []
    out: dict[str, str] = {}
    for area in feed.areas:
        block = mapping.block_of(area, ids)
        if block is None:
            msg = f"area of {feed.source} has no block: add it to the mapping's areas"
            issues.append(Issue(f"areas.{area}", msg))
        elif block not in ids:
            msg = (
                f"unknown block of portfolio {portfolio.name!r} (blocks: {', '.join(sorted(ids))})"
            )
            issues.append(Issue(f"areas.{area}", msg, block))
        else:
            out[area] = block
    if issues:
        raise DomainError(issues, mapping.source)
    return out


def import_outages(
    portfolio: Portfolio, feed: OutageSource, mapping: AreaMapping | None = None
) -> ImportResult:
    """Apply ``feed`` to ``portfolio`` (module docstring) and say what changed.

    Parameters
    ----------
    portfolio
        The portfolio to change (it is not modified).
    feed
        What a reader returned.
    mapping
        Area names to block ids; by default areas must be named like blocks.

    Returns
    -------
    ImportResult
        The new portfolio and counts.

    Raises
    ------
    DomainError
        When an area has no block or maps to a block the portfolio lacks.
    """
    targets = _targets(portfolio, feed, mapping or _SameNames())
    horizon = portfolio.horizon
    imported: dict[str, list[tuple[int, int, float]]] = {}
    for area, windows in feed.areas.items():
        for w in windows:
            imported.setdefault(targets[area], []).append(
                (horizon.to_minute(w.start), horizon.to_minute(w.end), w.probability)
            )
        imported.setdefault(targets[area], [])
    every = [p for ps in imported.values() for p in ps]
    if feed.span is None and not every:
        return ImportResult(portfolio, {}, {}, 0, None)
    bounds = [p[0] for p in every] + [p[1] for p in every]
    if feed.span is not None:
        bounds += [horizon.to_minute(feed.span[0]), horizon.to_minute(feed.span[1])]
    lo, hi = min(bounds), max(bounds)
    added: dict[str, int] = {}
    replaced: dict[str, int] = {}
    outside = 0
    blocks: list[Block] = []
    for block in portfolio.blocks:
        if block.id not in imported:
            blocks.append(block)
            continue
        kept: list[OutageWindow] = []
        dropped = 0
        for o in block.outages:
            old = o.window
            if old.end <= lo or old.start >= hi:
                kept.append(o)
                continue
            dropped += 1
            for s, e in ((old.start, min(old.end, lo)), (max(old.start, hi), old.end)):
                if e > s and e > 0 and s < horizon.minutes:
                    kept.append(OutageWindow(Window(s, e), o.probability))
        new: list[OutageWindow] = []
        for s, e, p in merge_max(imported[block.id]):
            if e <= 0 or s >= horizon.minutes:
                outside += 1
            else:
                new.append(OutageWindow(Window(s, e), p))
        added[block.id], replaced[block.id] = len(new), dropped
        outages = tuple(sorted(kept + new, key=lambda o: o.window))
        blocks.append(dataclasses.replace(block, outages=outages))
    result = dataclasses.replace(portfolio, blocks=tuple(blocks))
    return ImportResult(result, added, replaced, outside, Window(lo, hi) if hi > lo else None)


def apply_outages(
    portfolio: Portfolio, feed: OutageSource, mapping: AreaMapping | None = None
) -> Portfolio:
    """The portfolio whose blocks carry the feed's windows (see :func:`import_outages`).

    Parameters
    ----------
    portfolio
        The portfolio (not modified).
    feed
        What a reader returned.
    mapping
        Area names to block ids; by default areas must be named like blocks.

    Returns
    -------
    Portfolio
        A new portfolio; imported windows replace the old ones in the imported range.

    Raises
    ------
    DomainError
        When an area has no block or maps to a block the portfolio lacks.
    """
    return import_outages(portfolio, feed, mapping).portfolio
