"""One status enum for solver outcomes; stored plans keep their strings."""

from __future__ import annotations

import json

from conftest import build_portfolio

from ingenio.planning import PlanStatus
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams, schedule_plant


def test_statuses_are_the_strings_plans_stored_before() -> None:
    assert [str(s) for s in PlanStatus] == [
        "optimal",
        "feasible",
        "fallback",
        "time_limit",
        "infeasible",
        "error",
        "cancelled",
    ]
    assert json.dumps({"status": PlanStatus.TIME_LIMIT}) == '{"status": "time_limit"}'
    assert PlanStatus("fallback") is PlanStatus.FALLBACK
    assert PlanStatus.OPTIMAL == "optimal"


def test_the_plant_scheduler_reports_a_plan_status() -> None:
    p = plant_portfolio(build_portfolio(), "P1")
    result = schedule_plant(p, SolveParams(time_limit_s=1.0, workers=1, deterministic=True))
    assert isinstance(result.status, PlanStatus)
    assert result.plan.status == result.status
