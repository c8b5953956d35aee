"""Outage import, what-if, Monte Carlo, robust policy, KPIs and actuals through the
services, without the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from scenario_portfolios import starving_portfolio

from ingenio.errors import IngenioError
from ingenio.services import actuals, kpi, portfolios, scenarios
from ingenio.services.context import Context
from ingenio.services.plans import PlanRequest, load_portfolio_file, plan_and_save

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SMALL = FIXTURES / "small.yaml"
OUT = FIXTURES / "outages"


def _saved(ctx: Context, tmp_path: Path) -> None:
    plan_and_save(ctx, lambda: load_portfolio_file(SMALL), PlanRequest("dispatch"), tmp_path)


def test_import_outages_saves_a_new_version_and_returns_the_text(
    ctx: Context, tmp_path: Path
) -> None:
    _saved(ctx, tmp_path)
    request = portfolios.OutageRequest("csv", mapping_file=OUT / "mapping-small.yaml")
    done = portfolios.import_outages(ctx, OUT / "havana-blocks.csv", "Small", request, ".yaml")
    assert done.saved.name == "Small" and done.saved.version == 2
    assert sum(done.result.added.values()) > 0
    assert done.text is not None and done.text.startswith("ingenio: 1")
    version, latest = portfolios.latest(ctx, "Small")
    assert version.version == 2 and latest.name == "Small"
    assert ctx.store.get().audit_entries()[-1].actor == "tester"


@pytest.mark.parametrize(
    ("request_", "ref", "message", "kind"),
    [
        (portfolios.OutageRequest("pdf"), str(SMALL), "--format: unknown format 'pdf'", "invalid"),
        (
            portfolios.OutageRequest("csv", stage=9),
            str(SMALL),
            "--stage: must be 0 to 8",
            "invalid",
        ),
        (portfolios.OutageRequest("csv"), "none.yaml", "none.yaml: no such file", "not_found"),
        (portfolios.OutageRequest("csv"), "Nobody", "no portfolio named 'Nobody'", "not_found"),
    ],
)
def test_import_outages_refuses_bad_requests_with_their_kind(
    ctx: Context, request_: portfolios.OutageRequest, ref: str, message: str, kind: str
) -> None:
    with pytest.raises(IngenioError, match=message) as caught:
        portfolios.import_outages(ctx, OUT / "havana-blocks.csv", ref, request_)
    assert caught.value.kind == kind
    assert ctx.store.get().portfolio_versions() == []  # nothing saved


def test_parse_outages_reads_a_file_without_a_store(ctx: Context) -> None:
    feed = portfolios.parse_outages(OUT / "havana-blocks.csv", portfolios.OutageRequest("csv"))
    assert feed.window_count > 0 and not ctx.store.opened
    assert portfolios.feed_document(feed)["format"] == "csv"


def test_what_if_returns_the_difference_and_the_sentences(ctx: Context) -> None:
    stages: list[str] = []
    got = scenarios.what_if(
        ctx,
        starving_portfolio(with_p2=True),
        scenarios.WhatIfRequest(tanker_delays=["T1=12h"], planner="dispatch"),
        progress=lambda label, done, total: stages.append(label),
    )
    assert got.title == "What-if: T1 arrives 12h later"
    assert any("stops after 2026-04-06 10:00" in s for s in got.resumptions)
    assert any("if T1 arrives by" in s for s in got.tanker_sentences)
    assert stages[0] == "planning base and variant with dispatch"
    assert "searching tanker arrivals" in stages


def test_what_if_without_a_perturbation_is_invalid(ctx: Context) -> None:
    with pytest.raises(IngenioError, match="give at least one perturbation") as caught:
        scenarios.what_if(ctx, starving_portfolio(), scenarios.WhatIfRequest(planner="dispatch"))
    assert caught.value.kind == "invalid"


def test_monte_carlo_is_reproducible_and_writes_its_files(ctx: Context, tmp_path: Path) -> None:
    p = load_portfolio_file(SMALL)
    ticks: list[tuple[int | None, int | None]] = []
    first = scenarios.monte_carlo(ctx, p, 3, seed=5, planner="dispatch", processes=1,
                                  progress=lambda label, d, t: ticks.append((d, t)))  # fmt: skip
    again = scenarios.monte_carlo(ctx, p, 3, seed=5, planner="dispatch", processes=1)
    assert first.planner == "dispatch" and len(first.samples) == 3
    assert [s.value for s in first.samples] == [s.value for s in again.samples]
    assert ticks[0] == (None, None) and ticks[-1] == (3, 3)
    files = scenarios.write_scenario_files(p, first, tmp_path)
    assert files.csv.read_text().splitlines()[0] == "sample,value,fuel_l,late,unscheduled,error"
    assert len(files.csv.read_text().splitlines()) == 4 and files.html.exists()


def test_robust_policy_returns_the_portfolio_with_the_policy(ctx: Context) -> None:
    p = starving_portfolio(depot=True)
    got = scenarios.robust_policy(ctx, p, "dispatch", 2, 2, seed=1, processes=1, batches=2)
    assert got.decision.recommended == "plain"  # one plant: the grants are forced
    assert got.portfolio is p  # plain is already robust: the published portfolio stays
    assert got.failures == ()
    with pytest.raises(IngenioError, match="--batches"):
        scenarios.robust_policy(ctx, p, "dispatch", 2, 2, batches=0)


def test_unknown_planner_and_missing_portfolio_file(tmp_path: Path) -> None:
    with pytest.raises(IngenioError, match="--planner: unknown planner 'x'"):
        scenarios.planner_named("x")
    with pytest.raises(IngenioError, match="no such file") as caught:
        scenarios.load_portfolio_arg(str(tmp_path / "none.yaml"))
    assert caught.value.kind == "not_found"
    assert scenarios.load_portfolio_arg("demo").plants


def test_actuals_kpis_and_audit(ctx: Context, tmp_path: Path) -> None:
    _saved(ctx, tmp_path)
    at = datetime(2026, 4, 6, 10, 0, tzinfo=UTC)
    rec = actuals.ProductionRecord(
        "P1-MIX", "BREAD", "O1", 500.0, 0.0, at, datetime(2026, 4, 6, 12, 0, tzinfo=UTC)
    )
    assert actuals.record_production(ctx, rec) == 1
    assert actuals.record_production(ctx, rec) == 0  # stored once
    got = kpi.kpis_between(ctx, date(2026, 4, 6), date(2026, 4, 6), enterprise_id="ALI")
    assert got.portfolio_version.name == "Small" and got.plan_version is not None
    assert got.report is not None
    with pytest.raises(IngenioError, match="no saved portfolio holds enterprise 'NOPE") as caught:
        kpi.kpis_between(ctx, date(2026, 4, 6), date(2026, 4, 6), enterprise_id="NOPE")
    assert caught.value.kind == "not_found"
    kinds = [e.entity for e in actuals.audit_entries(ctx)]
    assert kinds == ["portfolio", "plan", "production_records"]
    assert [e.entity for e in actuals.audit_entries(ctx, entity="plan")] == ["plan"]


def test_actuals_template_and_a_missing_sheet(ctx: Context, tmp_path: Path) -> None:
    written = actuals.write_actuals_template(tmp_path / "a.xlsx", "xlsx", "America/Havana")
    assert written == [tmp_path / "a.xlsx"] and written[0].exists()
    with pytest.raises(IngenioError, match="no such file") as caught:
        actuals.import_actuals(ctx, tmp_path / "none.xlsx", None)
    assert caught.value.kind == "not_found"


def test_replan_then_kpis_since_origin(ctx: Context, tmp_path: Path) -> None:
    from ingenio.services.replan import replan_in

    _saved(ctx, tmp_path)
    start = datetime(2026, 4, 6, 10, 0, tzinfo=UTC)
    actuals.record_production(ctx, actuals.ProductionRecord(
        "P1-MIX", "BREAD", "O1", 500.0, 0.0, start, datetime(2026, 4, 6, 12, 0, tzinfo=UTC)
    ))  # fmt: skip
    result = replan_in(ctx, "Small", "P1", 2040, "test", "dispatch", 5.0)
    # the audit names the context's actor (not the process's user)
    assert [e.actor for e in actuals.audit_entries(ctx, entity="plan")][-1] == "tester"
    assert {e.actor for e in actuals.audit_entries(ctx) if e.action == "replan"} == {"tester"}
    found = kpi.kpis_since_origin(ctx, result, 2040)
    assert found is not None
    files = kpi.write_replan_files(ctx, result, tmp_path / "re", 2040)
    assert files.report_html.exists() and files.plan_json.exists()
