"""Plan, save, load, list and compare plans through the services, without the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingenio.errors import IngenioError
from ingenio.services.context import Context
from ingenio.services.plans import (
    PlanningError,
    PlanRequest,
    check_plan,
    default_request,
    diff_plans,
    list_plans,
    load_plan,
    load_portfolio_file,
    plan_and_save,
    plan_stages,
    validate_file,
)
from ingenio.settings import Settings

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "small.yaml"


def test_plan_and_save_writes_files_saves_versions_and_reports_stages(
    ctx: Context, tmp_path: Path
) -> None:
    seen: list[tuple[str, bool]] = []
    request = PlanRequest("dispatch", note="service test")
    saved = plan_and_save(
        ctx, lambda: load_portfolio_file(SMALL), request, tmp_path / "out",
        progress=lambda label, detail: seen.append((label, detail)),
    )  # fmt: skip
    assert saved.outcome.violations == ()
    assert saved.files.plan_json.exists() and saved.files.report_html.exists()
    assert saved.portfolio_version is not None and saved.portfolio_version.name == "Small"
    assert saved.plan_version is not None and saved.plan_version.version == 1
    assert [label for label, detail in seen if not detail] == [
        "reading the portfolio",
        "planning with dispatch",
        "writing plan.json, plan.xlsx and report.html",
        "saving versions in the database",
    ]
    assert plan_stages(request) == 4
    assert set(saved.timings) == {"read", "plan", "write"}
    entries = ctx.store.get().audit_entries()
    assert [(e.actor, e.entity) for e in entries] == [("tester", "portfolio"), ("tester", "plan")]


def test_plan_without_saving_leaves_the_store_closed(ctx: Context, tmp_path: Path) -> None:
    request = PlanRequest("dispatch", save=False)
    saved = plan_and_save(ctx, lambda: load_portfolio_file(SMALL), request, tmp_path)
    assert saved.plan_version is None and not ctx.store.opened
    assert plan_stages(request) == 3


def test_an_unknown_planner_is_invalid(ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(IngenioError, match="unknown planner 'magic'") as caught:
        plan_and_save(ctx, lambda: load_portfolio_file(SMALL), PlanRequest("magic"), tmp_path)
    assert caught.value.kind == "invalid"


def test_a_plan_that_breaks_a_rule_is_refused(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingenio.domain import Violation
    from ingenio.services import plans

    broken = Violation("capacity", "line P1-MIX runs two operations at once")
    real = plans.make_plan

    def breaking(*args: object, **kwargs: object) -> plans.PlanOutcome:
        import dataclasses

        return dataclasses.replace(real(*args, **kwargs), violations=(broken,))  # type: ignore[arg-type]

    monkeypatch.setattr(plans, "make_plan", breaking)
    with pytest.raises(PlanningError, match="breaks 1 rule") as caught:
        plan_and_save(ctx, lambda: load_portfolio_file(SMALL), PlanRequest("dispatch"), tmp_path)
    assert caught.value.kind == "rule_broken"
    assert not ctx.store.opened  # nothing saved


def test_load_list_and_diff_saved_plans(ctx: Context, tmp_path: Path) -> None:
    for run in ("a", "b"):
        plan_and_save(
            ctx, lambda: load_portfolio_file(SMALL), PlanRequest("dispatch"), tmp_path / run
        )
    listed = list_plans(ctx, "Small")
    assert [p.version for p in listed] == [1, 2]
    stored = load_plan(ctx, listed[0].id)
    assert stored.portfolio.name == "Small" and stored.plan.planner == "dispatch"
    got = diff_plans(ctx, listed[0].id, listed[1].id)
    assert got.diff.value_change == pytest.approx(0.0)
    assert got.old.version.id == listed[0].id and got.new.version.id == listed[1].id
    with pytest.raises(IngenioError, match="no plan with id 99") as caught:
        load_plan(ctx, 99)
    assert caught.value.kind == "not_found"


def test_validate_and_check_files(tmp_path: Path, ctx: Context) -> None:
    check = validate_file(SMALL)
    assert (check.plants, check.lines, check.products, check.orders, check.days) == (2, 3, 2, 3, 7)
    with pytest.raises(IngenioError, match="no such file") as caught:
        validate_file(tmp_path / "none.yaml")
    assert caught.value.kind == "not_found"
    saved = plan_and_save(
        ctx, lambda: load_portfolio_file(SMALL), PlanRequest("dispatch", save=False), tmp_path
    )
    assert check_plan(SMALL, saved.files.plan_json) == []


def test_default_request_takes_the_solve_settings() -> None:
    request = default_request(Settings(time_limit_s=3.0, workers=2, seed=9), "dispatch")
    assert (request.params.time_limit_s, request.params.workers, request.params.seed) == (
        3.0, 2, 9,
    )  # fmt: skip
