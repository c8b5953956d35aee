"""Reports: plans, enterprise KPIs and scenario runs rendered as HTML pages and workbooks.

Every ``render_*`` function returns the document as ``str`` (HTML) or ``bytes``
(``.xlsx``) and never touches a file: the command line writes the result with
:mod:`ingenio.formats.atomic`, a web app can send it as a response.

=========================  ===========================================================
:mod:`.plan`               the plan page (:func:`render_plan_report`), charts in
                           :mod:`.plan_charts`
:mod:`.enterprise`         an enterprise's KPIs over a period
                           (:func:`render_enterprise_report`), charts in
                           :mod:`.enterprise_charts`
:mod:`.scenarios`          a Monte Carlo run (:func:`render_scenarios_report`)
:mod:`.excel`              the plan and enterprise workbooks (:func:`render_plan_xlsx`,
                           :func:`render_enterprise_xlsx`) in one table style
:mod:`.html`, :mod:`.style` the page shell and table pieces, the words and number
                           formats of each language, the one stylesheet
:mod:`.svg_charts`         the KPI charts drawn on the server as inline SVG (the page
                           the web app serves, without plotly.js)
=========================  ===========================================================

Every function takes ``lang`` (es, ru, en; default en): the texts come from the
``reports`` catalogue of :mod:`ingenio.i18n`.
"""

from ingenio.reports.enterprise import kpi_section, render_enterprise_report
from ingenio.reports.excel import render_enterprise_xlsx, render_plan_xlsx
from ingenio.reports.plan import render_plan_report
from ingenio.reports.scenarios import render_scenarios_report

__all__ = [
    "kpi_section",
    "render_enterprise_report",
    "render_enterprise_xlsx",
    "render_plan_report",
    "render_plan_xlsx",
    "render_scenarios_report",
]
