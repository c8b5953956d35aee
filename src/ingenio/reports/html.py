"""The HTML page shell, the table and figure pieces and the words every report shares.

A page is self-contained and works offline: plotly.js is inlined once in its head
and every figure ``div`` refers to that one copy; a page served by the web app has
no plotly.js (its charts are inline SVG, :mod:`ingenio.reports.svg_charts`).

Every report speaks es, ru or en (``lang``): its sentences go through the ``reports``
catalogue (:func:`ingenio.i18n.translator`), its numbers, percentages and times are
written in the locale (:func:`num`, :func:`pct`, :func:`when`), and the code words of
the data (status, priority, cause) are shown as words (:func:`word`).

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
from datetime import datetime
from functools import cache
from html import escape

import plotly.graph_objects as go
import plotly.offline
from babel import Locale
from babel.numbers import format_decimal, format_percent

from ingenio.i18n import translator
from ingenio.reports.style import CSS

__all__ = [
    "FIGURE_CONFIG",
    "N_",
    "SEPARATORS",
    "WORDS",
    "cells",
    "chart_text",
    "dom_id",
    "el",
    "figure_div",
    "num",
    "page",
    "pct",
    "qty",
    "table",
    "when",
    "word",
]

_DOM_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

FIGURE_CONFIG = {"displaylogo": False, "responsive": True}
"""Plotly options of every figure: no logo, resizes with the page."""


def N_(message: str) -> str:
    """Mark ``message`` for the ``reports`` catalogue where it is defined; translated
    where it is shown (``translator(lang).gettext(message)``)."""
    return message


WORDS: dict[str, str] = {
    # order status (plan and actuals)
    "on_time": N_("on time"), "late": N_("late"), "unscheduled": N_("unscheduled"),
    "overdue": N_("overdue"), "open": N_("open"),
    # priority classes
    "essential": N_("essential"), "export": N_("export"), "domestic": N_("domestic"),
    # power sources and loss causes
    "grid": N_("grid"), "generator": N_("generator"), "solar": N_("solar"),
    "mixed": N_("mixed"), "battery": N_("battery"), "fuel": N_("fuel"),
    "breakdown": N_("breakdown"), "material": N_("material"), "labour": N_("labour"),
    # downtime causes as recorded
    "grid_outage": N_("grid outage"), "generator_failure": N_("generator failure"),
    "no_fuel": N_("no fuel"), "no_material": N_("no material"), "no_labour": N_("no labour"),
    "planned_stop": N_("planned stop"),
    # KPI levels
    "plant": N_("plant"), "enterprise": N_("enterprise"), "line": N_("line"),
    "day": N_("day"), "week": N_("week"), "month": N_("month"),
}  # fmt: skip
"""The code words of the data (statuses, priorities, sources, causes, levels) and the
English word each is shown as; :func:`word` translates them."""


def word(code: str, lang: str = "en") -> str:
    """The code word ``code`` (``"on_time"``, ``"grid_outage"``) as a word of ``lang``;
    an unknown code (text from a file) is returned as it is."""
    english = WORDS.get(code)
    return code if english is None else translator(lang).gettext(english)


def num(value: float | None, digits: int = 0, lang: str = "en") -> str:
    """``value`` with the locale's separators and ``digits`` decimals; ``–`` for None
    (en ``1,234.5``, es ``1.234,5``, ru ``1 234,5``)."""
    return "–" if value is None else translator(lang).number(value, digits)


def qty(value: float, lang: str = "en") -> str:
    """A quantity with up to four decimals, in the locale (``1,234.5``, ``40``)."""
    return format_decimal(value, format="#,##0.####", locale=translator(lang).lang)


def pct(value: float | None, lang: str = "en") -> str:
    """``value`` as a percentage with one decimal in the locale; ``–`` for None
    (en ``78.6%``, es and ru ``78,6 %``)."""
    if value is None:
        return "–"
    code = translator(lang).lang
    return format_percent(value, format=_percent_pattern(code), locale=code)


@cache
def _percent_pattern(lang: str) -> str:
    """The locale's percent pattern (es ``#,##0 %``) with one decimal."""
    pattern: str = Locale.parse(lang).percent_formats[None].pattern
    return pattern.replace("#,##0", "#,##0.0", 1)


def when(moment: datetime | None, lang: str = "en") -> str:
    """A local date-time in the locale's short form; ``–`` for None."""
    return "–" if moment is None else translator(lang).when(moment)


def cells(values: Sequence[str], text_cols: int = 1) -> str:
    """Table cells of a row: the first ``text_cols`` left-aligned text, the rest numbers.

    The values are HTML already (escape text before).
    """
    return "".join(
        f'<td class="t">{v}</td>' if i < text_cols else f"<td>{v}</td>"
        for i, v in enumerate(values)
    )


def el(tag: str, text: str, attrs: str = "") -> str:
    """An element with ``text`` (escaped) inside: ``el("h2", _("Plants"))``.

    ``attrs`` is markup (`` id="missed"``), never text from a file.
    """
    return f"<{tag}{attrs}>{escape(text)}</{tag}>"


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


SEPARATORS = {"en": ".,", "es": ",.", "ru": ",\u00a0"}
"""Plotly's decimal and thousands separators of each language."""


def figure_div(fig: go.Figure, div_id: str, lang: str = "en") -> str:
    """The figure as an HTML ``div`` that uses the page's one copy of plotly.js.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure; text from files in it already through :func:`chart_text`.
    div_id : str
        A derived id (``"fig-value"``, :func:`dom_id`): plotly writes it unescaped
        into an attribute and a script, so anything else is refused.
    lang : str
        The numbers' separators on the axes and in the hover texts.
    """
    if not _DOM_ID.fullmatch(div_id):
        raise ValueError(f"figure div id {div_id!r}: letters, digits, - and _ only")
    fig.update_layout(separators=SEPARATORS[translator(lang).lang])
    out: str = fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config=FIGURE_CONFIG
    )
    # plotly escapes <, > and / in its JSON; these two end a line in older JavaScript
    return out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page(title: str, body: str, lang: str = "en", plotly_js: bool = True) -> str:
    """A complete HTML document: the shared stylesheet, plotly.js inlined once, ``body``.

    Parameters
    ----------
    title
        The page title (escaped here).
    body
        The page's content, HTML.
    lang
        The page's language (its ``<html lang>``).
    plotly_js
        Inline plotly.js (4.9 MB, for an offline file); False for a page whose charts
        are inline SVG (the web app's, under its page-weight budget).
    """
    script = (
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>'
        if plotly_js
        else ""
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{translator(lang).lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style>{script}"
        f"</head><body>{body}</body></html>\n"
    )
