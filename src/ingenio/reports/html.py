"""The HTML page shell and the table and figure pieces every report shares.

A page is self-contained and works offline: plotly.js is inlined once in its head
and every figure ``div`` refers to that one copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import plotly.graph_objects as go
import plotly.offline

from ingenio.reports.style import CSS

__all__ = ["FIGURE_CONFIG", "cells", "figure_div", "num", "page", "pct", "table"]

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


def figure_div(fig: go.Figure, div_id: str) -> str:
    """The figure as an HTML ``div`` that uses the page's one copy of plotly.js."""
    out: str = fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config=FIGURE_CONFIG
    )
    return out


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
