"""The KPI charts drawn on the server as inline SVG: no JavaScript in the page.

The web app serves the owner's contract report under a page budget (the script and
style a page loads stay under 1 MB) that plotly.js alone (4.9 MB) breaks, so that page
draws the same four charts as :mod:`ingenio.reports.enterprise_charts` with matplotlib
into SVG: where the planned production time went (waterfall), its shares per plant
(stacked bars), OEE over time (lines) and downtime by cause (stacked bars).

Text from files (plant names) stays text: matplotlib writes it XML-escaped in
``<text>`` elements (``svg.fonttype = none``) and does not read ``$…$`` as mathematics
here (``text.parse_math`` off). The SVG's ids get the chart's prefix, so that several
charts in one page never share an id.
"""

from __future__ import annotations

import math
import re
from io import StringIO

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ingenio.i18n import translator
from ingenio.operations.kpi import LOSS_CAUSES, KpiReport, KpiRow, Tally
from ingenio.reports.enterprise_charts import (
    CAUSE_COLOURS,
    OEE_COLOUR,
    split_names,
    time_split,
    waterfall_steps,
)
from ingenio.reports.html import dom_id, num, pct, word

__all__ = ["downtime_svg", "losses_svg", "svg_text", "trend_svg", "waterfall_svg"]

mpl.rcParams.update({
    "svg.fonttype": "none",  # text as <text>, not glyph paths: small, searchable
    "svg.hashsalt": "ingenio",  # the same chart gives the same SVG
    "text.parse_math": False,  # a "$" in a plant name is a dollar sign
    "font.size": 9,
})  # fmt: skip

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^")]+)')
_STYLE = re.compile(r"<style[^>]*>.*?</style>|<metadata>.*?</metadata>", re.S)
_SIZE = re.compile(r'<svg([^>]*?)\swidth="[^"]*"\sheight="[^"]*"')

_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")

WIDTH_IN = 9.0


def _plain(svg_id: str) -> str:
    """matplotlib's id (``matplotlib.axis_1``) with letters, digits, ``-`` and ``_`` only."""
    return _NOT_ID.sub("_", svg_id)


def svg_text(fig: Figure, prefix: str) -> str:
    """``fig`` as an ``<svg>`` element to inline in a page, its ids prefixed.

    Parameters
    ----------
    fig
        The figure (text from files in it as plain text).
    prefix
        Letters, digits, ``-``, ``_`` (a derived id, :func:`ingenio.reports.html.dom_id`).
    """
    dom_id(prefix, "")  # refuses a prefix that is not a plain id
    out = StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    text = text[text.index("<svg") :]
    # matplotlib's "*{…}" rule would apply to the whole page; its RDF metadata says nothing
    text = _STYLE.sub("", text)
    text = _ID.sub(lambda m: f'id="{prefix}-{_plain(m.group(1))}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{_plain(m.group(2))}", text)
    return _SIZE.sub(r'<svg\1 style="width:100%;max-width:60rem;height:auto"', text, count=1)


def _figure(
    height_in: float, title: str, left: float = 0.8, bottom: float = 0.6
) -> tuple[Figure, Axes]:
    """A figure with fixed margins (matplotlib's constrained layout doubles the drawing
    time): ``left`` and ``bottom`` in inches, the legend to the right."""
    fig = Figure(figsize=(WIDTH_IN, height_in))
    fig.subplots_adjust(left=left / WIDTH_IN, right=0.78, bottom=bottom / height_in,
                        top=1 - 0.45 / height_in)  # fmt: skip
    ax = fig.add_subplot()
    ax.set_title(title, loc="left", fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _share_axis(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: pct(v, lang).replace(",0", "").replace(".0", ""))


def _number_axis(lang: str, digits: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: num(v, digits, lang))


def waterfall_svg(t: Tally, title: str, lang: str = "en", prefix: str = "kpi-wf") -> str:
    """From 100 % of planned production time down, loss by loss, to the OEE."""
    _ = translator(lang).gettext
    planned = max(t.planned_h, 1e-9)
    steps = waterfall_steps(t, lang)
    names = [_("planned time"), *(s[0] for s in steps), _("OEE")]
    heights, bottoms, colours, shown = [1.0], [0.0], ["#1f77b4"], [1.0]
    level = 1.0
    for _name, hours in steps:
        share = hours / planned  # negative
        heights.append(-share)
        bottoms.append(level + share)
        colours.append("#d62728")
        shown.append(share)
        level += share
    heights.append(max(level, 0.0))
    bottoms.append(0.0)
    colours.append(OEE_COLOUR)
    shown.append(level)
    fig, ax = _figure(3.8, title, left=0.6, bottom=1.2)
    bars = ax.bar(range(len(names)), heights, bottom=bottoms, color=colours)
    for bar, height, bottom, value in zip(bars, heights, bottoms, shown, strict=True):
        ax.annotate(pct(value, lang), (bar.get_x() + bar.get_width() / 2, bottom + height),
                    ha="center", va="bottom", fontsize=8)  # fmt: skip
    ax.set_xticks(range(len(names)), names, rotation=20, ha="right")
    ax.yaxis.set_major_formatter(_share_axis(lang))
    ax.set_ylim(0, 1.12)
    return svg_text(fig, prefix)


def losses_svg(
    rows: list[KpiRow], title: str, lang: str = "en", prefix: str = "kpi-loss"
) -> str:
    """A stacked horizontal bar per plant: shares of planned production time."""
    fig, ax = _figure(1.4 + 0.45 * max(1, len(rows)), title, left=1.9, bottom=0.4)
    labels = [r.name for r in rows]
    splits = [time_split(r.tally) for r in rows]
    planned = [max(r.tally.planned_h, 1e-9) for r in rows]
    left = [0.0] * len(rows)
    for key, (name, colour) in split_names(lang).items():
        shares = [s[key] / p for s, p in zip(splits, planned, strict=True)]
        if not any(v > 1e-9 for v in shares):
            continue
        ax.barh(range(len(rows)), shares, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_share_axis(lang))
    _legend(ax)
    return svg_text(fig, prefix)


def trend_svg(
    report: KpiReport, level: str, title: str, lang: str = "en", prefix: str = "kpi-trend"
) -> str:
    """OEE per bucket, one line per plant (or line)."""
    fig, ax = _figure(3.4, title, left=0.8, bottom=0.9)
    keys = dict.fromkeys(r.key for r in report.level(level))
    labels: dict[str, int] = {}
    for key in keys:
        rows = [r for r in report.level(level) if r.key == key and r.bucket is not None]
        xs = [labels.setdefault(r.bucket.label, len(labels)) for r in rows if r.bucket]
        ys = [r.tally.oee if r.tally.oee is not None else float("nan") for r in rows]
        ax.plot(xs, ys, marker="o", markersize=3, label=rows[0].name if rows else key)
    step = max(1, math.ceil(len(labels) / 16))  # a month of days: every other label
    names = list(labels)[::step]
    ax.set_xticks([labels[n] for n in names], names, rotation=30, ha="right", fontsize=7)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(_share_axis(lang))
    ax.set_ylabel(translator(lang).gettext("OEE"))
    _legend(ax)
    return svg_text(fig, prefix)


def downtime_svg(
    rows: list[KpiRow], title: str, lang: str = "en", prefix: str = "kpi-down"
) -> str:
    """Hours of downtime by cause, a stacked bar per plant."""
    fig, ax = _figure(3.4, title, left=0.8, bottom=0.6)
    bottom = [0.0] * len(rows)
    for cause in LOSS_CAUSES:
        hours = [r.tally.losses_h[cause] for r in rows]
        if any(h > 1e-9 for h in hours):
            ax.bar(range(len(rows)), hours, bottom=bottom, color=CAUSE_COLOURS[cause],
                   label=word(cause, lang))  # fmt: skip
            bottom = [a + b for a, b in zip(bottom, hours, strict=True)]
    ax.set_xticks(range(len(rows)), [r.name for r in rows])
    ax.set_ylabel(translator(lang).gettext("hours"))
    ax.yaxis.set_major_formatter(_number_axis(lang, 1 if max(bottom, default=0) < 5 else 0))
    _legend(ax)
    return svg_text(fig, prefix)


def _legend(ax: Axes) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)

