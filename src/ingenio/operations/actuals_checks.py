"""Checks of actuals before they are stored: overlaps and unknown references (issue 15).

Pure: the caller gives the records and what the stored portfolios know.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple

from ingenio.operations.actuals import ActualsBatch, ProductionRecord


def _span(r: ProductionRecord) -> str:
    return f"{r.start:%Y-%m-%d %H:%M}-{r.end:%H:%M} UTC"


def production_overlaps(
    new: Sequence[ProductionRecord], stored: Iterable[ProductionRecord] = ()
) -> list[str]:
    """Messages for production records of one line whose periods overlap.

    Two records of the same line over the same minutes would count the line's
    output twice in ``kpi``. A new record equal to a stored one is a re-import,
    not an overlap.
    """
    stored_list = list(stored)
    known = {astuple(r) for r in stored_list}
    out: list[str] = []
    by_line: dict[str, list[tuple[ProductionRecord, str]]] = {}
    for r in new:
        if astuple(r) not in known:
            by_line.setdefault(r.line_id, []).append((r, "in the file"))
    for r in stored_list:
        if r.line_id in by_line:
            by_line[r.line_id].append((r, "already stored"))
    for line, records in sorted(by_line.items()):
        records.sort(key=lambda x: (x[0].start, x[0].end))
        reach: tuple[ProductionRecord, str] | None = None
        for r, where in records:
            if reach is not None and r.start < reach[0].end and "in the file" in (where, reach[1]):
                out.append(
                    f"line {line}: production {_span(r)} ({where}) overlaps "
                    f"{_span(reach[0])} ({reach[1]}); its output would be counted twice"
                )
            if reach is None or r.end > reach[0].end:
                reach = (r, where)
    return out


def unknown_references(batch: ActualsBatch, known: Mapping[str, set[str]]) -> list[str]:
    """Messages for lines, products and orders no stored portfolio has.

    ``known`` maps ``"line"``, ``"product"`` and ``"order"`` to the ids of the
    stored portfolios.
    """
    named: dict[str, set[str]] = {"line": set(), "product": set(), "order": set()}
    for r in batch.production:
        named["line"].add(r.line_id)
        named["product"].add(r.product_id)
        if r.order_id is not None:
            named["order"].add(r.order_id)
    for d in batch.downtime:
        named["line"].add(d.line_id)
    out = []
    for kind, ids in named.items():
        missing = sorted(ids - known.get(kind, set()))
        if missing:
            shown = ", ".join(repr(m) for m in missing[:5]) + (", ..." if len(missing) > 5 else "")
            out.append(f"{len(missing)} {kind}(s) no stored portfolio has: {shown}")
    return out
