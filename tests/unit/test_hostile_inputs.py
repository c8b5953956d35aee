"""Small hostile or careless files are refused quickly, with the limit named (issue 15)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingenio.domain import DomainError
from ingenio.io.actuals_sheet import read_actuals
from ingenio.io.documents import parse_text, read_document
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
    import ingenio.io.documents as documents

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
