"""File formats: read and write documents, nothing else.

Every reader checks a file whole and raises :class:`~ingenio.domain.DomainError`
listing every problem with its path; every writer replaces its file atomically
(:mod:`.atomic`).

================  ==================================================================
:mod:`.portfolio` the portfolio file (YAML/JSON): load, parse, dump, JSON Schema
:mod:`.plan_file` ``plan.json``: a plan as a document and back
:mod:`.actuals`   actuals sheets (Excel/CSV): template and reader
:mod:`.outages`   outage schedules (csv, ics, esp-json, eskom-calendar, une)
:mod:`.documents` YAML/JSON text and files; :mod:`.issues` Pydantic errors as issues
================  ==================================================================

Rendering (HTML pages, Excel workbooks) lives in :mod:`ingenio.reports`.
"""

from ingenio.formats.atomic import atomic_write, atomic_write_bytes, atomic_write_text
from ingenio.formats.documents import document_text, parse_text, read_document
from ingenio.formats.plan_file import (
    plan_from_document,
    plan_to_document,
    read_plan_json,
    write_plan_json,
)
from ingenio.formats.portfolio import (
    dump_portfolio,
    load_portfolio,
    parse_portfolio,
    portfolio_to_document,
)

__all__ = [
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "document_text",
    "dump_portfolio",
    "load_portfolio",
    "parse_portfolio",
    "parse_text",
    "plan_from_document",
    "plan_to_document",
    "portfolio_to_document",
    "read_document",
    "read_plan_json",
    "write_plan_json",
]
