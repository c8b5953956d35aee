"""Excel workbooks, rendered to bytes: the plan's and an enterprise's KPIs.

The plan workbook has a Summary, one sheet per plant, Orders and Fuel; the
enterprise workbook the figures of :mod:`ingenio.reports.enterprise` as tables.
Every table has the same style (:func:`sheet_table`): a bold frozen header,
column widths, date and number formats, a filter. The caller writes the bytes
(``formats.atomic.atomic_write_bytes``).

Every workbook speaks es, ru or en (``lang``): its sheet names, headers, labels and the
code words of the data (status, priority, cause) are translated; numbers and dates stay
numeric cells with number formats, which the spreadsheet shows in its own locale.

No formula fires: every text cell is written as a string cell (:func:`append_row`), so
a name such as ``=HYPERLINK(...)`` or a DDE payload ``=cmd|' /C calc'!A0`` is shown as
written, never computed; numbers and dates stay numbers and dates. A text that starts
like a formula (``= + - @``, tab, CR) also gets Excel's "quote prefix" style, so editing
the cell in Excel keeps it text. Characters XML cannot hold become U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ingenio.domain import MINUTES_PER_HOUR, OrderStatus, Plan, Portfolio
from ingenio.i18n import translator
from ingenio.operations.kpi import LOSS_CAUSES, KpiReport, Tally
from ingenio.planning.summary import PlanSummary, tank_levels
from ingenio.reports.enterprise import late_reason, scope_rows
from ingenio.reports.html import N_, when, word
from ingenio.reports.plan_charts import local

__all__ = [
    "FORMULA_PREFIXES",
    "append_row",
    "build_enterprise_workbook",
    "build_plan_workbook",
    "csv_text",
    "render_enterprise_xlsx",
    "render_plan_xlsx",
    "sheet_names",
    "sheet_table",
    "tally_heads",
    "workbook_bytes",
]

Cell = str | int | float | datetime | None
DATE_FORMAT = "yyyy-mm-dd hh:mm"
NUMBER_FORMAT = "#,##0.00"
MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""How a cell text starts when a spreadsheet could read it as a formula (OWASP)."""


def csv_text(text: str) -> str:
    """``text`` for a CSV cell that a spreadsheet opens: a leading ``'`` when it would
    start a formula (OWASP "CSV injection"); a CSV cell has no type to say "text"."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def append_row(ws: Worksheet, values: Sequence[Cell]) -> None:
    """Append ``values`` as a row; every ``str`` becomes a text cell, never a formula.

    openpyxl makes a formula of any string starting with ``=``; here the cell type is
    set back to string (``t="s"`` in the file: Excel and LibreOffice show the text
    and never evaluate it), and a text starting with one of :data:`FORMULA_PREFIXES`
    gets the quote-prefix style too. The text itself is kept exactly, so a workbook
    read back gives the names as the portfolio has them (a leading ``'`` would not).
    """
    ws.append([ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v
               for v in values])  # fmt: skip
    row = ws.max_row
    for col, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = ws.cell(row=row, column=col)
            cell.data_type = "s"
            if value.startswith(FORMULA_PREFIXES):
                cell.quotePrefix = True


def sheet_names(names: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """Valid, unique Excel sheet names for ``names`` (in order), avoiding ``taken``.

    Parameters
    ----------
    names : iterable of str
        Wanted names (plant names).
    taken : iterable of str
        Names already used in the workbook.

    Returns
    -------
    list of str
        Names without ``[]:*?/\\``, at most 31 characters, unique ignoring case.
    """
    used = {t.casefold() for t in taken}
    out: list[str] = []
    for name in names:
        base = _BAD_SHEET_CHARS.sub("_", name).strip().strip("'") or "Plant"
        candidate, n = base[:MAX_SHEET_NAME], 1
        while candidate.casefold() in used:
            n += 1
            suffix = f" ({n})"
            candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        used.add(candidate.casefold())
        out.append(candidate)
    return out


def sheet_table(ws: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """Write a bold, frozen header row and the rows; set widths and date formats.

    Returns the number of data rows written.
    """
    append_row(ws, list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top")
    ws.freeze_panes = "A2"
    widths = [len(h) for h in headers]
    count = 0
    for row in rows:
        append_row(ws, row)
        count += 1
        for i, value in enumerate(row):
            if isinstance(value, datetime):
                ws.cell(row=count + 1, column=i + 1).number_format = DATE_FORMAT
                widths[i] = max(widths[i], 16)
            elif isinstance(value, float):
                ws.cell(row=count + 1, column=i + 1).number_format = NUMBER_FORMAT
                widths[i] = max(widths[i], min(14, len(f"{value:,.2f}")))
            elif value is not None:
                widths[i] = max(widths[i], min(60, len(str(value))))
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = w + 2
    if count:
        ws.auto_filter.ref = ws.dimensions
    return count


def _heads(names: Iterable[str], lang: str) -> list[str]:
    """Headers (marked with ``N_``) in the language."""
    t = translator(lang)
    return [t.gettext(n) for n in names]


def _sheet_title(wanted: str) -> str:
    """A translated sheet name made valid (31 characters, none of ``[]:*?/\\``)."""
    return sheet_names([wanted])[0]


def _summary_sheet(
    ws: Worksheet, portfolio: Portfolio, plan: Plan, s: PlanSummary, lang: str
) -> None:
    _ = translator(lang).gettext
    heads = [_("plant"), _("enterprise"), _("value %(currency)s", currency=s.currency),
             _("possible %(currency)s", currency=s.currency), _("orders"), _("on time"),
             _("late"), _("unscheduled"), _("line h"), _("grid h"), _("off-grid line h"),
             _("generator h"), _("fuel used L"), _("fuel received L"), _("lowest tank L"),
             _("lowest at"), _("reserve L"), _("grid-off h"), _("binding")]  # fmt: skip
    rows: list[list[Cell]] = [
        [p.plant_name, p.enterprise, p.value, p.potential_value, p.orders, p.on_time, p.late,
         p.unscheduled, p.line_hours, p.grid_hours, p.off_grid_line_hours, p.generator_hours,
         p.fuel_used_l, p.fuel_received_l, p.lowest_tank_l,
         None if p.lowest_tank_at is None else local(portfolio, p.lowest_tank_at),
         p.reserve_l, p.grid_off_hours, "; ".join(p.binding)]
        for p in s.plants
    ]  # fmt: skip
    rows.append(
        [_("total"), "", s.total_value, s.total_potential_value, s.total_orders, s.total_on_time,
         s.total_late, s.total_unscheduled, s.total_line_hours, s.total_grid_hours,
         s.total_line_hours - s.total_grid_hours, s.total_generator_hours, s.total_fuel_used_l,
         s.total_fuel_received_l, None, None, None, s.total_grid_off_hours, ""]
    )  # fmt: skip
    sheet_table(ws, heads, rows)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    h = portfolio.horizon
    ws.append([])
    horizon = _("%(start)s + %(days)s days (%(zone)s)", start=when(local(portfolio, 0), lang),
                days=h.days, zone=h.timezone)  # fmt: skip
    for key, value in (
        (_("portfolio"), portfolio.name),
        (_("planner"), plan.planner),
        (_("status"), plan.status),
        (_("horizon"), horizon),
        (_("solve seconds"), round(plan.seconds, 2)),
    ):
        append_row(ws, [key, value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([])
    append_row(ws, [_("binding")])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    for note in s.binding or (_("neither power nor fuel binds"),):
        append_row(ws, ["", note])


def _plant_rows(
    portfolio: Portfolio, plan: Plan, plant_id: str, lang: str
) -> list[list[Cell]]:
    plant = portfolio.plant(plant_id)
    rows: list[list[Cell]] = []
    for op in sorted(plan.operations, key=lambda o: (o.line_id, o.start, o.order_id)):
        if not plant.has_line(op.line_id) or not portfolio.has("order", op.order_id):
            continue
        order = portfolio.order(op.order_id)
        product = portfolio.product(order.product_id)
        step = product.routing[op.step].name if op.step < len(product.routing) else ""
        rows.append(
            [plant.line(op.line_id).name, order.id, product.name, op.step + 1, step,
             local(portfolio, op.start), local(portfolio, op.end),
             (op.end - op.start) / MINUTES_PER_HOUR, op.quantity, word(str(op.source), lang),
             word(order.priority.value, lang)]
        )  # fmt: skip
    return rows


def _order_rows(portfolio: Portfolio, plan: Plan, lang: str) -> list[list[Cell]]:
    _ = translator(lang).gettext
    outcomes = {o.order_id: o for o in plan.outcomes}
    rows: list[list[Cell]] = []
    for order in portfolio.orders:
        out = outcomes.get(order.id)
        status = out.status if out else OrderStatus.UNSCHEDULED
        done = out.completion if out else None
        rows.append(
            [order.id, portfolio.product(order.product_id).name,
             portfolio.product_plant(order.product_id).name, word(order.priority.value, lang),
             order.quantity, local(portfolio, order.release), local(portfolio, order.due),
             word(status.value, lang), None if done is None else local(portfolio, done),
             (out.lateness_minutes if out else 0) / MINUTES_PER_HOUR,
             out.value if out else 0.0, order.value, out.reason if out else _("no outcome")]
        )  # fmt: skip
    return rows


def _fuel_rows(portfolio: Portfolio, plan: Plan, lang: str) -> list[list[Cell]]:
    """Transfers, deliveries, generator runs and tank levels, one long table."""
    _ = translator(lang).gettext
    names = {p.id: p.name for p in portfolio.plants} | {d.id: d.name for d in portfolio.depots}
    rows: list[list[Cell]] = []
    for t in sorted(plan.fuel_transfers, key=lambda t: (t.at, t.plant_id)):
        rows.append([_("transfer"), names.get(t.plant_id, t.plant_id),
                     names.get(t.depot_id, t.depot_id), None,
                     local(portfolio, t.at), None, t.litres, None, None])  # fmt: skip
    for d in sorted(portfolio.deliveries, key=lambda d: (d.expected, d.id)):
        at_plant = portfolio.has("plant", d.destination)
        rows.append([_("delivery"), names[d.destination] if at_plant else None,
                     None if at_plant else names.get(d.destination, d.destination), d.id,
                     local(portfolio, d.expected), None, d.litres, None, None])  # fmt: skip
    for r in sorted(plan.generator_runs, key=lambda r: (r.start, r.generator_id)):
        if not portfolio.has("generator", r.generator_id):
            continue
        gen = portfolio.generator(r.generator_id)
        rows.append([_("generator run"), names[gen.plant_id], None, gen.name,
                     local(portfolio, r.start), local(portfolio, r.end),
                     gen.litres(r.output_kw, r.end - r.start), r.output_kw, None])  # fmt: skip
    for plant in portfolio.plants:
        for minute, level in tank_levels(portfolio, plan, plant.id):
            rows.append([_("tank level"), plant.name, None, None, local(portfolio, minute), None,
                         None, None, round(level, 3)])  # fmt: skip
    return rows


FUEL_HEADERS = (N_("kind"), N_("plant"), N_("depot"), N_("generator / delivery"), N_("start"),
                N_("end"), N_("litres"), N_("output kW"), N_("tank level L"))  # fmt: skip
PLANT_HEADERS = (N_("line"), N_("order"), N_("product"), N_("step"), N_("step name"),
                 N_("start"), N_("end"), N_("hours"), N_("quantity"), N_("source"),
                 N_("priority"))  # fmt: skip
ORDER_HEADERS = (N_("order"), N_("product"), N_("plant"), N_("priority"), N_("quantity"),
                 N_("release"), N_("due"), N_("status"), N_("completion"), N_("lateness h"),
                 N_("value"), N_("full value"), N_("reason"))  # fmt: skip
"""The headers of the plan workbook's sheets, in English (translated when written)."""

SUMMARY, ORDERS, FUEL = N_("Summary"), N_("Orders"), N_("Fuel")


def build_plan_workbook(
    portfolio: Portfolio, plan: Plan, summary: PlanSummary, lang: str = "en"
) -> Workbook:
    """The plan workbook (see :func:`render_plan_xlsx`), in memory.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    summary : PlanSummary
        ``summarise(portfolio, plan)``.
    lang : str
        The language of the sheet names, headers and labels (es, ru, en).

    Returns
    -------
    openpyxl.Workbook
        Sheets: Summary, one per plant, Orders, Fuel (named in the language).
    """
    t = translator(lang)
    summary_title, orders_title, fuel_title = (
        _sheet_title(t.gettext(n)) for n in (SUMMARY, ORDERS, FUEL)
    )
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = summary_title
    _summary_sheet(ws, portfolio, plan, summary, lang)
    titles = sheet_names(
        (p.name for p in portfolio.plants), taken=(summary_title, orders_title, fuel_title)
    )
    for plant, title in zip(portfolio.plants, titles, strict=True):
        sheet_table(wb.create_sheet(title), _heads(PLANT_HEADERS, lang),
                    _plant_rows(portfolio, plan, plant.id, lang))  # fmt: skip
    sheet_table(wb.create_sheet(orders_title), _heads(ORDER_HEADERS, lang),
                _order_rows(portfolio, plan, lang))  # fmt: skip
    sheet_table(wb.create_sheet(fuel_title), _heads(FUEL_HEADERS, lang),
                _fuel_rows(portfolio, plan, lang))  # fmt: skip
    return wb


def render_plan_xlsx(
    portfolio: Portfolio, plan: Plan, summary: PlanSummary, lang: str = "en"
) -> bytes:
    """The plan as an Excel workbook (the bytes of an ``.xlsx`` file).

    Sheets: "Summary" (per plant and total, then the portfolio and binding notes);
    one per plant with its operations (line, order, product, step, local start and
    end as Excel datetimes, quantity, power source); "Orders" (every order with its
    status, completion, lateness, value and reason); "Fuel" (transfers, deliveries,
    generator runs with litres burned, and each plant's tank level series). Header
    rows are bold and frozen.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    summary : PlanSummary
        ``summarise(portfolio, plan)``.
    lang : str
        The language (es, ru, en) of the sheet names, headers and labels.

    Returns
    -------
    bytes
        The workbook file.
    """
    return workbook_bytes(build_plan_workbook(portfolio, plan, summary, lang))


def workbook_bytes(wb: Workbook) -> bytes:
    """The ``.xlsx`` file of ``wb``."""
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _tally_cells(t: Tally) -> list[Cell]:
    return [t.oee, t.availability, t.performance, t.quality, t.shift_h, t.stop_h, t.planned_h,
            t.run_h, *t.losses_h.values(), t.ideal_h, t.good, t.scrap, t.planned_qty,
            t.adherence, t.value, t.planned_value, t.kwh, t.planned_kwh, t.litres,
            t.kwh_per_unit, t.litres_per_unit, t.orders_due, t.on_time_share]  # fmt: skip


def tally_heads(lang: str = "en") -> list[str]:
    """The headers of a tally's columns (:func:`_tally_cells`), in the language."""
    _ = translator(lang).gettext
    return [_("OEE"), _("availability"), _("performance"), _("quality"), _("shift h"),
            _("planned stop h"), _("planned h"), _("run h"),
            *(_("%(cause)s h", cause=word(c, lang)) for c in LOSS_CAUSES), _("ideal h"),
            _("good"), _("scrap"), _("planned qty"), _("adherence"), _("value"),
            _("planned value"), _("kWh"), _("planned kWh"), _("litres"), _("kWh/unit"),
            _("L/unit"), _("orders due"), _("on-time share")]  # fmt: skip


TALLY_HEADS = tally_heads()
"""The tally headers in English."""

ENTERPRISE_SHEETS = (N_("Summary"), N_("Buckets"), N_("Lines"), N_("Products"),
                     N_("Downtime"), N_("Orders"))  # fmt: skip


def build_enterprise_workbook(report: KpiReport, zone: str, lang: str = "en") -> Workbook:
    """The enterprise KPIs as a workbook (see :func:`render_enterprise_xlsx`), in memory.

    Sheets: Summary (plants and enterprise), Buckets, Lines, Products, Downtime, Orders,
    named in the language.
    """
    z = ZoneInfo(zone)
    _ = translator(lang).gettext
    heads = tally_heads(lang)
    names = sheet_names(_(n) for n in ENTERPRISE_SHEETS)

    def wall(d: datetime) -> datetime:
        return d.astimezone(z).replace(tzinfo=None)

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = names[0]
    sheet_table(
        ws,
        [_("level"), _("id"), _("name"), *heads],
        [[word(r.level, lang), r.key, r.name, *_tally_cells(r.tally)]
         for r in scope_rows(report)],
    )  # fmt: skip
    rows = [r for r in report.rows if r.level != "line" and r.bucket is not None]
    sheet_table(
        wb.create_sheet(names[1]),
        [_("level"), _("id"), _("name"), word(report.by, lang), *heads],
        [
            [word(r.level, lang), r.key, r.name, r.bucket.label if r.bucket else "",
             *_tally_cells(r.tally)]
            for r in rows
        ],
    )  # fmt: skip
    sheet_table(
        wb.create_sheet(names[2]),
        [_("id"), _("name"), *heads],
        [[r.key, r.name, *_tally_cells(r.tally)] for r in report.level("line", True)],
    )
    sheet_table(
        wb.create_sheet(names[3]),
        [_("plant"), _("product"), _("name"), _("finished units"), _("kWh"), _("kWh/unit"),
         _("litres"), _("L/unit")],
        [
            [
                p.plant_id,
                p.product_id,
                p.name,
                p.good,
                p.kwh,
                p.kwh_per_unit,
                p.litres,
                p.litres_per_unit,
            ]
            for p in report.products
        ],
    )
    sheet_table(
        wb.create_sheet(names[4]),
        [_("line"), _("plant"), _("cause"), _("start"), _("end"), _("hours in period"),
         _("note")],
        [
            [d.line_id, d.plant_id, word(d.cause.value, lang), wall(d.start), wall(d.end),
             d.hours, d.note]
            for d in report.downtime
        ],
    )  # fmt: skip
    sheet_table(wb.create_sheet(names[5]),
                [_("order"), _("product"), _("plant"), _("quantity"), _("due"),
                 _("planned in period"), _("made in period"), _("made to date"),
                 _("completed"), _("status"), _("value"), _("plan status"), _("why")],
                [[o.order_id, o.product_id, o.plant_id, o.quantity, wall(o.due), o.planned_qty,
                  o.made_qty, o.made_to_date, None if o.completed is None else wall(o.completed),
                  word(o.status, lang), o.value,
                  word(o.planned_status, lang) if o.planned_status else "",
                  late_reason(o, report, lang) if o.status in ("late", "overdue") else ""]
                 for o in report.orders])  # fmt: skip
    return wb


def render_enterprise_xlsx(report: KpiReport, zone: str, lang: str = "en") -> bytes:
    """The enterprise KPIs as an Excel workbook (the bytes of an ``.xlsx`` file).

    Parameters
    ----------
    report
        The KPIs of the enterprise over the period.
    zone
        The time zone to show times in (written as local times without a zone).
    lang
        The language (es, ru, en) of the sheet names, headers and labels.
    """
    return workbook_bytes(build_enterprise_workbook(report, zone, lang))
