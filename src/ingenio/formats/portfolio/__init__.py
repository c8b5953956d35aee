"""The portfolio file (YAML or JSON, format version 1): load, check, build, write.

A file is accepted whole or refused whole: ``DomainError`` lists every problem
found, each as ``file: path.to.field: message (got VALUE)``. The format is
described in ``docs/formats.md``; its JSON Schema is ``docs/portfolio.schema.json``.

Modules: :mod:`.schema` (the Pydantic models of the file), :mod:`.checks` (the
cross-field and time checks), :mod:`.build` (document <-> domain objects).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from ingenio.domain import N_, DomainError, Issue, Portfolio, said
from ingenio.errors import IngenioError
from ingenio.formats.atomic import atomic_write_text
from ingenio.formats.documents import (
    JSON_SUFFIXES,
    YAML_SUFFIXES,
    document_text,
    read_document,
)
from ingenio.formats.issues import sort_issues, validate_document
from ingenio.formats.portfolio.build import build_portfolio, document_of
from ingenio.formats.portfolio.checks import reference_issues, time_frame, time_issues
from ingenio.formats.portfolio.sanity import sanity_issues
from ingenio.formats.portfolio.schema import FORMAT_VERSION, SECTIONS, PortfolioDoc
from ingenio.formats.portfolio.stages import stage_issues

__all__ = [
    "FORMAT_VERSION",
    "JSON_SCHEMA_DIALECT",
    "dump_portfolio",
    "load_portfolio",
    "parse_portfolio",
    "portfolio_json_schema",
    "portfolio_json_schema_text",
    "portfolio_to_document",
    "write_portfolio_json_schema",
]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def load_portfolio(path: Path) -> Portfolio:
    """Read, check and build the portfolio in a ``.yaml``, ``.yml`` or ``.json`` file.

    Parameters
    ----------
    path
        The portfolio file; its suffix chooses the syntax.

    Returns
    -------
    Portfolio
        The validated domain portfolio.

    Raises
    ------
    DomainError
        With every problem of the file (``source`` is the file name).
    """
    return parse_portfolio(read_document(path), path.name)


def parse_portfolio(data: object, source: str) -> Portfolio:
    """Check a parsed document (plain dicts and lists) and build the portfolio.

    Parameters
    ----------
    data
        What ``yaml.safe_load`` or ``json.load`` returned, or a stored document.
    source
        Name used in the messages, usually the file name.

    Returns
    -------
    Portfolio
        The domain portfolio, built only when no problem was found.

    Raises
    ------
    DomainError
        Listing every problem: types and ranges (Pydantic), duplicate ids,
        unknown references, windows and times that cannot be.
    """
    if data is None:
        raise DomainError([Issue.of("(file)", said(N_("the file is empty")))], source)
    fields, doc, issues = validate_document(data, "ingenio", FORMAT_VERSION, PortfolioDoc, source)
    issues.extend(sanity_issues(data))
    issues.extend(reference_issues(fields))
    issues.extend(time_issues(fields, time_frame(fields)))
    if doc is not None:
        issues.extend(stage_issues(doc))
    if issues or doc is None:
        raise DomainError(sort_issues(issues, SECTIONS), source)
    try:
        return build_portfolio(doc)
    except ValueError as e:  # a rule the checks missed: still an issue, never a crash
        sentence = e.said if isinstance(e, IngenioError) else None
        raise DomainError([Issue("(portfolio)", str(e), None, sentence)], source) from e


def portfolio_to_document(p: Portfolio, *, verify: bool = True) -> dict[str, Any]:
    """The file document of ``p``: plain data, times as local wall-clock text.

    Lines are written as their weekly shift patterns (``Line.pattern``); a
    line without a pattern is written as explicit 24/7 shifts.

    Parameters
    ----------
    p
        The portfolio.
    verify
        Parse the document again and require it to give back ``p`` exactly, so
        that every document written can be read (default True).

    Returns
    -------
    dict
        JSON-ready data in the structure of the portfolio file.

    Raises
    ------
    DomainError
        If the file format cannot hold ``p`` exactly (shift windows that are
        not a weekly pattern, values the file rules refuse, ...).
    """
    document, issues = document_of(p)
    source = f"portfolio {p.name!r}"
    if issues:
        raise DomainError(issues, source)
    if verify:
        again = parse_portfolio(document, source)
        if again != p:
            differ = [
                f.name
                for f in dataclasses.fields(p)
                if f.compare and getattr(again, f.name) != getattr(p, f.name)
            ]
            msg = said(
                N_("the file format cannot hold this portfolio exactly (%(fields)s differ)"),
                fields=", ".join(differ),
            )
            raise DomainError([Issue.of("(portfolio)", msg)], source)
    return document


def dump_portfolio(p: Portfolio, path: Path) -> Path:
    """Write ``p`` as YAML (``.yaml``/``.yml``) or JSON (``.json``), atomically.

    The text is made and checked first, then written to a temporary file that
    is renamed over ``path``: a failure never leaves a half-written file.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    DomainError
        If the suffix is not supported or the format cannot hold ``p``.
    """
    if path.suffix.lower() not in YAML_SUFFIXES + JSON_SUFFIXES:
        msg = said(N_("unsupported file type; use .yaml, .yml or .json"))
        raise DomainError([Issue.of("(file)", msg, path.suffix)], path.name)
    return atomic_write_text(path, document_text(portfolio_to_document(p), path.suffix))


def portfolio_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the portfolio file, from the Pydantic models.

    It describes the JSON form; a YAML file has the same structure. Rules that
    need more than one field (references, windows, the horizon) are not in it.
    """
    return {"$schema": JSON_SCHEMA_DIALECT, **PortfolioDoc.model_json_schema()}


def portfolio_json_schema_text() -> str:
    """``portfolio_json_schema()`` as the text of ``docs/portfolio.schema.json``."""
    return json.dumps(portfolio_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_portfolio_json_schema(path: Path) -> Path:
    """Write the JSON Schema of the portfolio file to ``path`` (atomically).

    Regenerate the committed copy with ``python -m ingenio.formats.portfolio``.
    """
    return atomic_write_text(path, portfolio_json_schema_text())
