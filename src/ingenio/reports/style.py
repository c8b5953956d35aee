"""The one stylesheet of every HTML report (plan, enterprise KPIs, scenarios)."""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem;
       color: #222; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.meta { color: #555; margin-bottom: 1rem; } p.note { color: #555; max-width: 60rem; }
.kpi { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.kpi div { background: #f4f6f8; border-radius: 6px; padding: .6rem 1rem; }
.kpi b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; font-size: .88rem; margin: .5rem 0 1rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e3e3e3; text-align: right; }
th { background: #f4f6f8; position: sticky; top: 0; }
td.t, th.t { text-align: left; }
tr.total td { font-weight: bold; border-top: 2px solid #999; }
ul.binding li { margin: .2rem 0; }
.late { color: #b35c00; } .unscheduled, .bad { color: #b00020; }
.scroll { max-height: 36rem; overflow: auto; }
td { white-space: nowrap; } td.t { white-space: normal; }
nav a { margin-right: .8rem; }
"""
"""Page styles: KPI boxes, tables with a sticky header, text columns (``class="t"``),
late and unscheduled rows, notes (``p.note``) and failures (``.bad``)."""
