"""The HTML page shell and the table and figure pieces every report shares.

A page is self-contained and works offline: plotly.js is inlined once in its head
and every figure ``div`` refers to that one copy.

Text from files (names, ids, notes) never reaches a page as markup: element text and
attributes go through :func:`html.escape`; DOM ids are derived (:func:`dom_id`), never
copied from a file; figures' JSON is escaped by plotly (``<``, ``>``, ``/`` as
``\\u003c``…, and here U+2028/U+2029), and text shown inside a chart goes through
:func:`chart_text` because plotly draws a few tags (``<a href>``, ``<b>``) in its labels.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from html import escape

import plotly.graph_objects as go
import plotly.offline

from ingenio.reports.style import CSS

__all__ = [
    "FIGURE_CONFIG",
    "cells",
    "chart_text",
    "dom_id",
    "figure_div",
    "num",
    "page",
    "pct",
    "table",
]

_DOM_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

FIGURE_CONFIG = {"displaylogo": False, "responsive": True}
"""Plotly options of every figure: no logo, resizes with the page."""


def num(value: float | None, digits: int = 0) -> str:
    """``value`` with thousands separators and ``digits`` decimals; ``–`` for None."""
    return "–" if value is None else f"{value:,.{digits}f}"


def pct(value: float | None) -> str:
    """``value`` as a percentage with one decimal; ``–`` for None."""
    return "–" if value is None else f"{value:.1%}"


def cells(values: Sequence[str], text_cols: int = 1) -> str:
    """Table cells of a row: the first ``text_cols`` left-aligned text, the rest numbers.

    The values are HTML already (escape text before).
    """
    return "".join(
        f'<td class="t">{v}</td>' if i < text_cols else f"<td>{v}</td>"
        for i, v in enumerate(values)
    )


def table(heads: Sequence[str], rows: Sequence[Sequence[str]], text_cols: int = 1) -> str:
    """A scrolling table: escaped headings, rows of HTML cells (see :func:`cells`)."""
    head = "".join(
        f'<th class="t">{escape(h)}</th>' if i < text_cols else f"<th>{escape(h)}</th>"
        for i, h in enumerate(heads)
    )
    body = "".join(f"<tr>{cells(row, text_cols)}</tr>" for row in rows)
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        "</table></div>"
    )


def dom_id(prefix: str, key: str) -> str:
    """A DOM id for the thing with id ``key`` (from a file): ``prefix-`` and a hash of it.

    The same key gives the same id (links within the page work), different keys
    different ids, and nothing of the key reaches the page's markup or scripts.

    Parameters
    ----------
    prefix : str
        Letters, digits, ``-`` or ``_``, starting with a letter (``"plant"``).
    key : str
        The id as the file gives it.
    """
    if not _DOM_ID.fullmatch(prefix):
        raise ValueError(f"DOM id prefix {prefix!r}: letters, digits, - and _ only")
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{prefix}-{digest}"


def chart_text(text: str) -> str:
    """``text`` to show literally inside a plotly chart (a label, legend entry, hover).

    Plotly draws ``<b>``, ``<br>``, ``<a href>``… in chart text and decodes ``&lt;``
    and its kin: escaping ``&``, ``<`` and ``>`` shows the text as written.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def figure_div(fig: go.Figure, div_id: str) -> str:
    """The figure as an HTML ``div`` that uses the page's one copy of plotly.js.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure; text from files in it already through :func:`chart_text`.
    div_id : str
        A derived id (``"fig-value"``, :func:`dom_id`): plotly writes it unescaped
        into an attribute and a script, so anything else is refused.
    """
    if not _DOM_ID.fullmatch(div_id):
        raise ValueError(f"figure div id {div_id!r}: letters, digits, - and _ only")
    out: str = fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config=FIGURE_CONFIG
    )
    # plotly escapes <, > and / in its JSON; these two end a line in older JavaScript
    return out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page(title: str, body: str) -> str:
    """A complete HTML document: the shared stylesheet, plotly.js inlined once, ``body``.

    Parameters
    ----------
    title
        The page title (escaped here).
    body
        The page's content, HTML.
    """
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>'
        f"</head><body>{body}</body></html>\n"
    )
