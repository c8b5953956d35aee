"""Use cases around a plan: make one, check one, write its files, keep its versions."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingenio.domain import Plan, Portfolio, Violation
from ingenio.formats.atomic import atomic_write_bytes, atomic_write_text
from ingenio.formats.plan_file import plan_to_document, read_plan_json, write_plan_json
from ingenio.formats.portfolio import portfolio_to_document
from ingenio.planning.dispatch import dispatch
from ingenio.planning.explain import with_explanations
from ingenio.planning.optimise import OptimiseProgress, optimise
from ingenio.planning.schedule import SolveParams
from ingenio.planning.summary import PlanSummary, summarise
from ingenio.reports.excel import render_plan_xlsx
from ingenio.reports.plan import render_plan_report
from ingenio.store.repository import PlanVersion, PortfolioVersion, Store
from ingenio.validate import validate

Planner = Callable[[Portfolio], Plan]


@dataclass(frozen=True)
class OptimisePlanner:
    """The two-level optimiser as a plain ``Planner`` (picklable, for scenario runs)."""

    params: SolveParams = field(default_factory=SolveParams)
    processes: int | None = 1

    def __call__(self, portfolio: Portfolio) -> Plan:
        """Plan ``portfolio`` with :func:`ingenio.planning.optimise.optimise`."""
        return optimise(portfolio, self.params, processes=self.processes)


PLANNERS: dict[str, Planner] = {"optimise": OptimisePlanner(), "dispatch": dispatch}
"""Planners by name; ``optimise`` (the default) plans plants one after another here."""


class PlanningError(RuntimeError):
    """A planner produced a plan that breaks the rules (a bug, never hidden)."""


@dataclass(frozen=True)
class PlanOutcome:
    """A plan with its summary and the validator's verdict."""

    portfolio: Portfolio
    plan: Plan
    summary: PlanSummary
    violations: tuple[Violation, ...]
    seconds: float


@dataclass(frozen=True)
class PlanFiles:
    """Paths of the files written for a plan."""

    plan_json: Path
    plan_xlsx: Path
    report_html: Path


def make_plan(
    portfolio: Portfolio,
    planner: str = "optimise",
    params: SolveParams | None = None,
    progress: Callable[[OptimiseProgress], None] | None = None,
    processes: int | None = None,
    time_budget_s: float | None = None,
) -> PlanOutcome:
    """Plan ``portfolio`` with the named planner, explain, validate and summarise it.

    ``params``, ``progress``, ``processes`` and ``time_budget_s`` go to the ``optimise``
    planner (plants in parallel processes by default); every plan gets the binding reason of each
    late or unscheduled order (:func:`ingenio.planning.explain.with_explanations`).

    Raises
    ------
    KeyError
        If the planner name is unknown.
    """
    began = time.perf_counter()
    if planner == "optimise":
        plan = optimise(
            portfolio,
            params or SolveParams(),
            processes=processes,
            progress=progress,
            time_budget_s=time_budget_s,
        )
    else:
        plan = PLANNERS[planner](portfolio)
    plan = with_explanations(portfolio, plan)
    seconds = time.perf_counter() - began
    violations = tuple(validate(portfolio, plan))
    return PlanOutcome(portfolio, plan, summarise(portfolio, plan), violations, seconds)


def write_plan_files(outcome: PlanOutcome, out_dir: Path) -> PlanFiles:
    """Write ``plan.json``, ``plan.xlsx`` and ``report.html`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    p, plan, summary = outcome.portfolio, outcome.plan, outcome.summary
    return PlanFiles(
        plan_json=write_plan_json(plan, p, out_dir / "plan.json"),
        plan_xlsx=atomic_write_bytes(out_dir / "plan.xlsx", render_plan_xlsx(p, plan, summary)),
        report_html=atomic_write_text(
            out_dir / "report.html", render_plan_report(p, plan, summary)
        ),
    )


def save_versions(
    store: Store, outcome: PlanOutcome, note: str = ""
) -> tuple[PortfolioVersion, PlanVersion]:
    """Save the portfolio (a new version) and its plan (a new version) in the store.

    Both documents are built before anything is written, and both versions are
    saved in one transaction: no portfolio version is left without its plan.
    """
    p, plan, summary = outcome.portfolio, outcome.plan, outcome.summary
    portfolio_doc = portfolio_to_document(p)
    plan_doc = plan_to_document(plan, p)
    summary_doc = summary_document(summary)
    plan_fields: dict[str, Any] = {
        "planner": plan.planner,
        "status": plan.status,
        "value": plan.value,
        "bound": plan.bound,
        "seconds": outcome.seconds,
        "document": plan_doc,
        "summary": summary_doc,
    }
    return store.save_portfolio_and_plan(p.name, portfolio_doc, plan_fields, note=note)


def summary_document(summary: PlanSummary) -> dict[str, object]:
    """The summary as plain JSON-ready data (for the store and plan.json readers)."""
    return {
        "plants": [
            {
                "plant": s.plant_id,
                "value": s.value,
                "on_time": s.on_time,
                "late": s.late,
                "unscheduled": s.unscheduled,
                "grid_hours": s.grid_hours,
                "generator_hours": s.generator_hours,
                "fuel_used_l": s.fuel_used_l,
                "binding": list(s.binding),
            }
            for s in summary.plants
        ],
        "binding": list(summary.binding),
    }


def check_plan_file(portfolio: Portfolio, plan_path: Path) -> list[Violation]:
    """Read a plan file and return every violation of the plan rules."""
    return validate(portfolio, read_plan_json(plan_path, portfolio))
