"""Issue 15, property: hostile text in every name and id of a portfolio.

Generated text (console markup, control characters, HTML and script, formula prefixes,
path pieces, very long strings) replaces the ids and names of ``fixtures/small.yaml``.
The loader answers with a portfolio or a :class:`DomainError`, never another exception;
a portfolio is planned (dispatch) and its page and workbook written into a folder: no
live script, no formula, no file outside it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hostile import files_under, formula_cells, hostile_doc, live_script_problems, page_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingenio.domain import DomainError
from ingenio.formats.atomic import atomic_write_bytes, atomic_write_text, out_path
from ingenio.formats.portfolio import parse_portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.summary import summarise
from ingenio.reports.excel import render_plan_xlsx
from ingenio.reports.plan import render_plan_report

PIECES = (
    "[/bold]", "[link=http://x]", "[/link]", "[red]", "</script>", "<script>", "<!--",
    "-->", '"><img src=x onerror=alert(1)>', "javascript:", "&amp;", "&#60;", "\u2028",
    "=", "+", "-", "@", "\t", "\r", "\n", "=HYPERLINK(\"http://x\")", "=cmd|' /C calc'!A0",
    "../", "..\\", "/", "//", "con", ".", "'", '"', "<", ">", "\x00", "\x1b[31m", "\x7f",
    "é", "名",
)  # fmt: skip

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=4)  # UTF-8 can hold it
hostile_text = st.one_of(
    st.lists(st.one_of(st.sampled_from(PIECES), _TEXT), min_size=1, max_size=6)
    .map("".join)
    .filter(bool),
    st.builds(lambda piece, n: piece * n, st.sampled_from(PIECES), st.integers(50, 400)),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(hostile_text, min_size=20, max_size=20),
    names=st.lists(hostile_text, min_size=20, max_size=20),
    spoil=st.sampled_from([None, None, None, "", "\ud800"]),
)
def test_hostile_names_and_ids_are_refused_or_planned_and_written_safely(
    ids: list[str], names: list[str], spoil: str | None
) -> None:
    renamed = iter(names * 3)
    doc = hostile_doc(lambda i, old: ids[i % len(ids)] + old, lambda n: next(renamed))
    if spoil is not None:  # an empty name, a lone surrogate: refused, with a message
        doc["plants"][0]["name"] = spoil
    try:
        portfolio = parse_portfolio(doc, "hostile.yaml")
    except DomainError as exc:
        assert "hostile.yaml" in str(exc)  # a message naming the file
        return
    plan = dispatch(portfolio)
    summary = summarise(portfolio, plan)
    html = render_plan_report(portfolio, plan, summary)
    xlsx = render_plan_xlsx(portfolio, plan, summary)
    assert live_script_problems(html) == []
    assert formula_cells(xlsx) == []
    assert portfolio.name in page_text(html) or not portfolio.name.strip()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        out = root / "out"
        atomic_write_text(out / "report.html", html)
        atomic_write_bytes(out / "plan.xlsx", xlsx)
        for enterprise in portfolio.enterprises:  # the enterprise report's names
            stem = f"enterprise-{enterprise.id}-2026-04"
            atomic_write_text(out_path(out, stem, ".html"), "page")
            atomic_write_bytes(out_path(out, stem, ".xlsx"), b"book")
        written = files_under(root)
        assert written and all(p.parent == out for p in written)
        assert len(written) == 2 + 2 * len(portfolio.enterprises)
