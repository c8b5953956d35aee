"""Small hostile or careless files are refused quickly, with the limit named (issue 15)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingenio.domain import DomainError
from ingenio.formats.actuals.sheet import read_actuals
from ingenio.formats.documents import parse_text, read_document
from ingenio.limits import MAX_DOCUMENT_NODES, MAX_NESTING, MAX_SHEET_ROWS


def _alias_bomb(levels: int = 12) -> str:
    text = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, levels):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    return text


def test_yaml_alias_bomb_is_refused_without_expanding_it() -> None:
    bomb = _alias_bomb()
    assert len(bomb) < 3000  # 9**12 strings once expanded
    with pytest.raises(DomainError) as exc:
        parse_text(bomb, ".yaml", "bomb.yaml")
    message = str(exc.value)
    assert f"the limit is {MAX_DOCUMENT_NODES:,}" in message and "bomb.yaml" in message
    assert len(message) < 300  # not built from the expanded value


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(DomainError, match="line 1: an alias refers to itself"):
        parse_text("a: &a [1, *a]\n", ".yaml", "loop.yaml")


def test_aliases_of_reasonable_size_still_load() -> None:
    data = parse_text("p: &p {days: [mon, tue]}\nq: *p\nr: [*p, *p]\n", ".yaml", "ok.yaml")
    assert data == {"p": {"days": ["mon", "tue"]}, "q": {"days": ["mon", "tue"]}, "r": [
        {"days": ["mon", "tue"]}, {"days": ["mon", "tue"]}
    ]}  # fmt: skip


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 5000, 200_000])
def test_deep_nesting_is_a_clear_error(suffix: str, depth: int) -> None:
    with pytest.raises(DomainError) as exc:
        parse_text("[" * depth + "]" * depth, suffix, f"deep{suffix}")
    assert f"deep{suffix}" in str(exc.value)
    assert re.search(r"nest(ed|ing)", str(exc.value))


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_5001_digit_integer_names_its_line(suffix: str) -> None:
    text = (
        '{"a": 1,\n "b":\n ' + "7" * 5001 + "}" if suffix == ".json" else "a: 1\nb: " + "7" * 5001
    )
    with pytest.raises(DomainError) as exc:
        parse_text(text, suffix, f"big{suffix}")
    message = str(exc.value)
    assert f"big{suffix}" in message and "5001 digits" in message and "at most 4300" in message
    assert ("line 3" if suffix == ".json" else "line 2") in message and len(message) < 300


def test_a_document_beyond_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingenio.formats.documents as documents

    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 1000)
    path = tmp_path / "huge.yaml"
    path.write_text("name: x\n" + "# padding\n" * 200, encoding="utf-8")
    with pytest.raises(
        DomainError, match=r"huge.yaml: \(file\): the file is 2008 bytes; the limit"
    ):
        read_document(path)


def _with_dimension(path: Path, ref: str) -> None:
    """Rewrite the declared ``<dimension ref=...>`` of every sheet of an xlsx."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data)
            dst.writestr(item, data)
    tmp.replace(path)


def test_a_declared_dimension_alone_is_checked(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Production"
    ws.append(["line", "product", "start", "end", "good_qty"])
    path = tmp_path / "declared.xlsx"
    wb.save(path)
    _with_dimension(path, "A1:ZZ900000")
    with pytest.raises(DomainError, match="declares 900,000 rows x 702 columns; the limit is"):
        read_actuals(path, "America/Havana")


def test_xlsx_declaring_a_maximum_size_sheet_is_refused(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Production"
    ws.append(["line", "product", "start", "end", "good_qty"])
    ws["XFD1048576"] = "x"  # one far cell: read row by row, 17 billion empty cells
    path = tmp_path / "tiny.xlsx"
    wb.save(path)
    assert path.stat().st_size < 10_000
    with pytest.raises(DomainError) as exc:
        read_actuals(path, "America/Havana")
    message = str(exc.value)
    assert "Production sheet" in message and "1,048,576 rows x 16,384 columns" in message
    assert f"the limit is {MAX_SHEET_ROWS:,} rows" in message


# -- item 8: a named field instead of a raw Python error -----------------------------------

OUTAGES = Path(__file__).parents[1] / "fixtures" / "outages"


def _year_9999(fmt: str) -> str:
    if fmt == "csv":
        text = (OUTAGES / "havana-blocks.csv").read_text("utf-8")
        return text.replace("B5,2026-04-06T22:00,02:00", "B5,9999-12-31T22:00,02:00", 1)
    if fmt == "eskom-calendar":
        text = (OUTAGES / "eskom-calendar.csv").read_text("utf-8")
        return text.replace("2023-05-16T02:00:00+02:00", "9999-12-31T22:00:00", 1)
    if fmt == "esp-json":
        text = (OUTAGES / "esp-soweto.json").read_text("utf-8")
        return text.replace('"2023-05-15T08:00:00+02:00"', '"9999-12-31T22:00:00"', 1)
    if fmt == "ics":
        text = (OUTAGES / "havana-week.ics").read_text("utf-8")
        return text.replace("DTEND;TZID=America/Havana:20260406T140000", "DTEND:99991231T233000", 1)
    return (
        "viernes 31 de diciembre de 9999. Se estima una disponibilidad de 1 950 MW y una "
        "demanda máxima de 3 250 MW, para un déficit de 1 300 MW."
    )


@pytest.mark.parametrize("fmt", ["csv", "eskom-calendar", "esp-json", "ics", "une"])
def test_year_9999_in_any_outage_format_is_a_named_problem(fmt: str) -> None:
    from ingenio.formats.outages import ParseOptions, parse_outages

    zone = "Africa/Johannesburg" if fmt in ("eskom-calendar", "esp-json") else "America/Havana"
    with pytest.raises(DomainError) as exc:
        parse_outages(_year_9999(fmt), fmt, f"feed.{fmt}", ParseOptions(timezone=zone))
    message = str(exc.value)
    assert re.search(rf"feed\.{fmt}: line \d+.*year 9999 is outside 1900\.\.2200", message)


def test_a_cycle_in_after_names_the_orders() -> None:
    from ingenio.formats.portfolio import parse_portfolio

    small = Path(__file__).parents[1] / "fixtures" / "small.yaml"
    data = parse_text(small.read_text("utf-8"), ".yaml", "small.yaml")
    assert isinstance(data, dict)
    ids = [o["id"] for o in data["orders"]]
    for i, order in enumerate(data["orders"]):
        order["after"] = [ids[(i + 1) % len(ids)]]
    with pytest.raises(DomainError) as exc:
        parse_portfolio(data, "cycle.yaml")
    pairs = ", ".join(f"{a} after {b}" for a, b in zip(ids, [*ids[1:], ids[0]], strict=True))
    assert f"cycle.yaml: orders[0].after: after forms a cycle: {pairs}" in str(exc.value)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=DAILY;INTERVAL=0;COUNT=3", "INTERVAL must be 1 or more"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be 1 or more"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", "the rule never occurs"),
    ],
)
def test_an_ics_rule_that_cannot_repeat_or_occur_is_refused(rule: str, message: str) -> None:
    from ingenio.formats.outages import ParseOptions, parse_outages

    text = (OUTAGES / "havana-week.ics").read_text("utf-8")
    text = text.replace("DTSTAMP:20260405T180000Z", f"DTSTAMP:20260405T180000Z\nRRULE:{rule}", 1)
    with pytest.raises(DomainError) as exc:
        parse_outages(text, "ics", "week.ics", ParseOptions(timezone="America/Havana"))
    assert re.search(rf"week\.ics: line \d+, RRULE: {message}", str(exc.value))


# -- item 5: refuse at validate what cannot be planned or stored ----------------------------

SMALL = Path(__file__).parents[1] / "fixtures" / "small.yaml"


def _small() -> dict[str, object]:
    data = parse_text(SMALL.read_text("utf-8"), ".yaml", "small.yaml")
    assert isinstance(data, dict)
    return data


def test_absurd_magnitudes_long_names_and_control_characters_are_refused_with_paths() -> None:
    from ingenio.formats.portfolio import parse_portfolio

    data: dict[str, object] = _small()
    deliveries = data["deliveries"]
    plants = data["plants"]
    enterprises = data["enterprises"]
    assert isinstance(deliveries, list) and isinstance(plants, list)
    assert isinstance(enterprises, list)
    deliveries[0]["litres"] = 1e308
    data["name"] = "N" * 5000
    plants[0]["name"] = "Planta \x1b]8;;https://evil/\x07uno"
    enterprises[0]["name"] = "Ali\u202emirp"
    with pytest.raises(DomainError) as exc:
        parse_portfolio(data, "hostile.yaml")
    message = str(exc.value)
    assert "hostile.yaml: deliveries[0].litres: magnitude beyond 1e+12" in message
    assert "hostile.yaml: name: is 5,000 characters long; the limit is 200" in message
    assert "hostile.yaml: plants[0].name: contains the control character U+001B" in message
    assert "hostile.yaml: enterprises[0].name: contains the control character U+202E" in message
    assert len(message) < 2000  # the 5,000 characters are not repeated


def test_ordinary_text_still_validates() -> None:
    from ingenio.formats.portfolio import parse_portfolio

    data = _small()
    data["name"] = "Planta Nº 2 — Café [línea] 'A' & <B>"
    assert parse_portfolio(data, "ok.yaml").name == data["name"]
