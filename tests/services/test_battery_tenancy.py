"""A plan document cut to the plants a user may see keeps only their battery flows."""

from __future__ import annotations


def test_a_plan_cut_to_some_plants_keeps_only_their_battery_flows() -> None:
    from battery_portfolios import build

    from ingenio.formats.plan_file import plan_to_document
    from ingenio.formats.portfolio import portfolio_to_document
    from ingenio.planning.dispatch import dispatch
    from ingenio.services.tenancy import cut_document, structure_of

    p = build(120)
    doc = plan_to_document(dispatch(p), p)
    structure = structure_of(portfolio_to_document(p), "battery-cut-test")
    assert len(cut_document(doc, structure, frozenset({"P"}))["battery_flows"]) == 8
    assert cut_document(doc, structure, frozenset({"OTHER"}))["battery_flows"] == []
