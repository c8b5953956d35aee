"""Actuals from Excel or CSV: the template, and reading a filled one back.

A workbook has one sheet per kind of actual (see
:data:`ingenio.formats.actuals.columns.SPECS`) and an ``Instructions`` sheet that
also holds the time zone of times written without an offset. A CSV file holds
one kind, recognised by its header. A file is accepted whole or refused whole:
:class:`~ingenio.domain.DomainError` lists every problem as
``actuals.xlsx: Downtime row 7, column cause: unknown cause (got 'lightning')``.
Rows whose first cell starts with ``#`` (the template's example rows) and
empty rows are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zipfile import BadZipFile
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from ingenio.domain import N_, DomainError, Issue, said
from ingenio.formats.actuals.columns import (
    SPECS,
    CellError,
    CellType,
    SheetSpec,
    normalise_header,
    parse_cell,
)
from ingenio.formats.atomic import atomic_write, atomic_write_text
from ingenio.formats.issues import shown
from ingenio.limits import (
    MAX_SHEET_BYTES,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_TEXT_BYTES,
    check_size,
)
from ingenio.operations.actuals import ActualsBatch, DowntimeCause

INSTRUCTIONS = "Instructions"
ZONE_LABEL = "time zone"
DEFAULT_TIMEZONE = "America/Havana"
MAX_ISSUES = 500
"""Problems listed per file at most; a last line counts the rest."""
_DATA_ROWS = 10_000
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

Row = Sequence[object]


# -- the template ---------------------------------------------------------------------------


def write_template(
    path: Path, fmt: Literal["xlsx", "csv"] = "xlsx", timezone: str = DEFAULT_TIMEZONE
) -> list[Path]:
    """Write an empty actuals template.

    Parameters
    ----------
    path : Path
        The workbook to write (``xlsx``), or the folder for one CSV file per kind (``csv``).
    fmt : {"xlsx", "csv"}
        Workbook or CSV files.
    timezone : str
        The zone written on the Instructions sheet, used for times without an offset.

    Returns
    -------
    list of Path
        The files written.
    """
    ZoneInfo(timezone)
    if fmt == "csv":
        path.mkdir(parents=True, exist_ok=True)
        return [atomic_write_text(path / s.csv_name, _csv_text(s)) for s in SPECS]
    return [atomic_write(path, lambda tmp: _template_workbook(timezone).save(tmp))]


def _example(spec: SheetSpec) -> list[object]:
    values: list[object] = [c.example for c in spec.columns]
    values[0] = f"#{values[0]}"
    return values


def _csv_text(spec: SheetSpec) -> str:
    def text(v: object) -> str:
        return v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else str(v)

    lines = [",".join(c.name for c in spec.columns), ",".join(map(text, _example(spec)))]
    return "\n".join(lines) + "\n"


def _template_workbook(timezone: str) -> Workbook:
    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = INSTRUCTIONS
    guide.append(["Ingenio actuals: what really happened"])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append([ZONE_LABEL, timezone])
    guide["A2"].font = Font(bold=True)
    guide.append([])
    for text in (
        "Fill one row per record in the sheet of its kind; keep the headers.",
        "Times are local to the time zone above unless written with an offset "
        "(2026-04-06T08:00-04:00).",
        "Rows whose first cell starts with # are ignored: row 2 of each sheet is an example.",
        "A file with any bad row is refused whole, every problem listed; fix and import again.",
        "Importing the same rows again adds nothing: each row is stored once.",
    ):
        guide.append([text])
    for spec in SPECS:
        guide.append([])
        guide.append([spec.title])
        guide.cell(guide.max_row, 1).font = Font(bold=True)
        for c in spec.columns:
            guide.append([c.name, "required" if c.required else "optional", c.help])
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 16
    for spec in SPECS:
        _template_sheet(wb, spec)
    return wb


def _template_sheet(wb: Workbook, spec: SheetSpec) -> None:
    ws = wb.create_sheet(spec.title)
    ws.append([c.name for c in spec.columns])
    ws.append(_example(spec))
    ws.freeze_panes = "A2"
    for i, c in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        ws.cell(1, i).font = Font(bold=True)
        ws.cell(2, i).font = Font(italic=True, color="808080")
        ws.column_dimensions[letter].width = max(14, len(c.name) + 4)
        if c.type is CellType.TIME:
            ws.column_dimensions[letter].width = 18
            ws.cell(2, i).number_format = "yyyy-mm-dd hh:mm"
        if c.type is CellType.CAUSE:
            causes = ",".join(v.value for v in DowntimeCause)
            rule = DataValidation(type="list", formula1=f'"{causes}"', allow_blank=True)
            rule.error, rule.errorTitle = f"choose one of {causes}", "unknown cause"
            rule.showErrorMessage = True
            ws.add_data_validation(rule)
            rule.add(f"{letter}3:{letter}{_DATA_ROWS}")


# -- reading --------------------------------------------------------------------------------


def read_actuals(path: Path, timezone: str | None = None) -> ActualsBatch:
    """Read a filled workbook, or one CSV file of one kind.

    Parameters
    ----------
    path : Path
        An ``.xlsx`` workbook or a ``.csv`` file.
    timezone : str, optional
        Zone of times written without an offset; overrides the workbook's
        Instructions sheet. With neither, such times are refused.

    Returns
    -------
    ActualsBatch
        Every record of the file; ``sources`` names the file and sheet of each kind.

    Raises
    ------
    DomainError
        Listing every problem (``source`` is the file name); nothing is returned then.
    """
    source = path.name
    suffix = path.suffix.lower()
    if suffix not in (*_WORKBOOK_SUFFIXES, ".csv"):
        msg = said(N_("must be an Excel workbook (.xlsx) or a CSV file (.csv)"))
        raise DomainError([Issue.of("(file)", msg, path.suffix)], source)
    zone = _zone(timezone, "--timezone", source) if timezone else None
    check_size(path, MAX_TEXT_BYTES if suffix == ".csv" else MAX_SHEET_BYTES)
    issues: list[Issue] = []
    found: dict[str, list[object]] = {}
    sources: dict[str, str] = {}
    try:
        if suffix == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as handle:
                rows: list[Row] = list(_csv_rows(handle))
            spec = _csv_spec(rows[0] if rows else [], source)
            found[spec.kind] = _read_rows(spec, rows, zone, issues)
            sources[spec.kind] = source
        else:
            for spec, rows, zone_here in _workbook_sheets(path, zone, source, issues):
                found[spec.kind] = _read_rows(spec, rows, zone_here, issues)
                sources[spec.kind] = f"{source}:{spec.title}"
    except DomainError:
        raise
    except (OSError, ValueError, KeyError, BadZipFile, InvalidFileException) as exc:
        msg = said(N_("cannot be read: %(error)s"), error=str(exc))
        raise DomainError([Issue.of("(file)", msg)], source) from exc
    if issues:
        if len(issues) > MAX_ISSUES:
            more = len(issues) - MAX_ISSUES
            msg = said(N_("%(count)s more problem(s) not shown"), count=more)
            issues = [*issues[:MAX_ISSUES], Issue.of("(file)", msg)]
        raise DomainError(issues, source)
    fields: dict[str, Any] = {kind: tuple(records) for kind, records in found.items()}
    return ActualsBatch(**fields, sources=sources)


def _zone(name: str, where: str, source: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        msg = said(N_("unknown time zone"))
        raise DomainError([Issue.of(where, msg, name)], source) from None


def _csv_rows(handle: Iterable[str]) -> Iterator[list[str]]:
    lines = list(handle)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(lines[0], ",;\t")
    except (csv.Error, IndexError):
        dialect = csv.excel
    yield from csv.reader(lines, dialect)


def _csv_spec(header: Row, source: str) -> SheetSpec:
    names = {normalise_header(h) for h in header} - {""}
    for spec in SPECS:
        meant = {_alias(spec, n) for n in names}
        required = {c.name for c in spec.columns if c.required}
        if required <= meant <= {c.name for c in spec.columns}:
            return spec
    kinds = "; ".join(f"{s.title}: {', '.join(c.name for c in s.columns)}" for s in SPECS)
    raise DomainError(
        [
            Issue.of(
                "row 1",
                said(N_("the header matches no kind of actuals (%(kinds)s)"), kinds=kinds),
                shown(list(header)),
            )
        ],
        source,
    )


def _alias(spec: SheetSpec, header: str) -> str:
    """The column name a header means: its own name, or its field name (``line_id``)."""
    by_field = spec.column(header)
    return by_field.name if by_field is not None else header


def _workbook_sheets(
    path: Path, zone: ZoneInfo | None, source: str, issues: list[Issue]
) -> Iterator[tuple[SheetSpec, list[Row], ZoneInfo | None]]:
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        titles = {s.title.casefold(): s for s in SPECS}
        sheets = {ws.title.casefold(): ws for ws in wb.worksheets}
        if zone is None and INSTRUCTIONS.casefold() in sheets:
            for row in sheets[INSTRUCTIONS.casefold()].iter_rows(max_col=2, values_only=True):
                if len(row) == 2 and normalise_header(row[0]) == normalise_header(ZONE_LABEL):
                    if row[1] is not None and str(row[1]).strip():
                        zone = _zone(str(row[1]), f"{INSTRUCTIONS} sheet, {ZONE_LABEL}", source)
                    break
        for ws in wb.worksheets:
            key = ws.title.casefold()
            if key == INSTRUCTIONS.casefold():
                continue
            spec = titles.get(key)
            if spec is None:
                expected = ", ".join(s.title for s in SPECS)
                msg = said(N_("unknown sheet (expected %(expected)s)"), expected=expected)
                issues.append(Issue.of(f"{ws.title} sheet", msg))
                continue
            yield spec, _bounded_rows(ws, source), zone
    finally:
        wb.close()


def _bounded_rows(ws: Any, source: str) -> list[Row]:
    """The sheet's rows, refusing a sheet that declares or holds more than the limits.

    A read-only sheet is iterated up to its declared dimension (``A1:XFD1048576``
    is 17 billion cells from a 10 KB file), so the dimension is checked first and
    the rows are counted as they are read.
    """
    declared_rows, declared_cols = ws.max_row or 0, ws.max_column or 0
    if declared_rows > MAX_SHEET_ROWS + 1 or declared_cols > MAX_SHEET_COLUMNS:
        msg = said(
            N_(
                "declares %(rows)s rows x %(columns)s columns; the limit is "
                "%(max_rows)s rows x %(max_columns)s columns (see docs/limits.md)"
            ),
            rows=f"{declared_rows:,}",
            columns=f"{declared_cols:,}",
            max_rows=f"{MAX_SHEET_ROWS:,}",
            max_columns=MAX_SHEET_COLUMNS,
        )
        raise DomainError([Issue.of(f"{ws.title} sheet", msg)], source)
    rows: list[Row] = []
    for row in ws.iter_rows(values_only=True, max_col=MAX_SHEET_COLUMNS):
        if len(rows) > MAX_SHEET_ROWS:
            msg = said(
                N_("has more than %(limit)s rows; the limit is %(limit)s"),
                limit=f"{MAX_SHEET_ROWS:,}",
            )
            raise DomainError([Issue.of(f"{ws.title} sheet", msg)], source)
        rows.append(list(row))
    return rows


def _read_rows(
    spec: SheetSpec, rows: Sequence[Row], zone: ZoneInfo | None, issues: list[Issue]
) -> list[object]:
    """The records of one sheet; problems are appended to ``issues``."""
    if not rows:
        return []
    columns: dict[int, str] = {}
    for i, header in enumerate(rows[0]):
        name = _alias(spec, normalise_header(header))
        if not name:
            continue
        if name not in {c.name for c in spec.columns}:
            msg = said(N_("unknown column"))
            issues.append(Issue.of(f"{spec.title} row 1, column {header}", msg))
        elif name in columns.values():
            msg = said(N_("appears twice"))
            issues.append(Issue.of(f"{spec.title} row 1, column {name}", msg))
        else:
            columns[i] = name
    for c in spec.columns:
        if c.required and c.name not in columns.values():
            msg = said(N_("missing column"))
            issues.append(Issue.of(f"{spec.title} row 1, column {c.name}", msg))
    records: list[object] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {name: row[i] if i < len(row) else None for i, name in columns.items()}
        if _skipped(row):
            continue
        values: dict[str, object] = {}
        where = f"{spec.title} row {number}, column"
        for c in spec.columns:
            try:
                values[c.field] = parse_cell(c, cells.get(c.name), zone)
            except CellError as exc:
                issues.append(Issue(f"{where} {c.name}", str(exc), _as_typed(cells.get(c.name))))
        if len(values) < len(spec.columns):
            start, end = values.get("start"), values.get("end")
            if isinstance(start, datetime) and isinstance(end, datetime) and end <= start:
                msg = said(N_("must be after the start"))
                issues.append(Issue.of(f"{where} end", msg, _as_typed(cells.get("end"))))
            continue
        try:
            records.append(spec.build(values))
        except DomainError as exc:
            for issue in exc.issues:
                column = spec.column(issue.path)
                name = column.name if column is not None else issue.path
                found = _as_typed(cells.get(name))
                issues.append(Issue(f"{where} {name}", issue.message, found, issue.said))
    return records


def _as_typed(value: object) -> object:
    """A cell's value as a user typed it, for messages (dates as ``2026-04-06 08:00``)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    return shown(value)


def _skipped(row: Row) -> bool:
    """True for an empty row or a comment row (first non-empty cell starts with ``#``)."""
    for value in row:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        return isinstance(value, str) and value.strip().startswith("#")
    return True
