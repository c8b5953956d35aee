"""Use cases around a plan: make one, check one, write its files, keep its versions."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from ingenio.domain import Plan, Portfolio, Violation
from ingenio.errors import N_, ErrorKind, IngenioError, said
from ingenio.formats.atomic import atomic_write_bytes, atomic_write_text
from ingenio.formats.plan_file import (
    plan_from_document,
    plan_to_document,
    read_plan_json,
    write_plan_json,
)
from ingenio.formats.portfolio import load_portfolio, parse_portfolio, portfolio_to_document
from ingenio.operations.plandiff import Change, OrderChange, Placement, PlanDiff
from ingenio.operations.plandiff import diff_plans as compare_plans
from ingenio.planning.dispatch import dispatch
from ingenio.planning.explain import with_explanations
from ingenio.planning.optimise import OptimiseProgress, optimise, plant_fuel_needs
from ingenio.planning.schedule import SolveParams
from ingenio.planning.summary import PlanSummary, idle_fuel, summarise
from ingenio.reports.excel import render_plan_xlsx
from ingenio.reports.plan import render_plan_report
from ingenio.services.cluster import check_scheduler, plant_cluster
from ingenio.services.context import Context
from ingenio.settings import Settings
from ingenio.store.repository import PlanVersion, PortfolioVersion, Store
from ingenio.validate import validate

__all__ = [
    "PLANNERS",
    "Change",
    "FileCheck",
    "OptimisePlanner",
    "OrderChange",
    "Placement",
    "PlanComparison",
    "PlanDiff",
    "PlanFiles",
    "PlanOutcome",
    "PlanRequest",
    "PlanSummary",
    "PlanVersion",
    "Planner",
    "PlanningError",
    "PortfolioVersion",
    "SavedPlan",
    "SolveParams",
    "StageProgress",
    "StoredPlan",
    "check_plan",
    "check_plan_file",
    "default_request",
    "demo_portfolio",
    "diff_plans",
    "list_plans",
    "load_plan",
    "load_portfolio_file",
    "make_plan",
    "plan_and_save",
    "plan_stages",
    "save_versions",
    "summary_document",
    "validate_file",
    "write_plan_files",
    "write_portfolio_file",
]

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


class PlanningError(IngenioError, RuntimeError):
    """A planner produced a plan that breaks the rules (a bug, never hidden)."""

    default_kind: ClassVar[ErrorKind] = "rule_broken"


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
    dask_scheduler: str | None = None,
) -> PlanOutcome:
    """Plan ``portfolio`` with the named planner, explain, validate and summarise it.

    ``params``, ``progress``, ``processes`` and ``time_budget_s`` go to the ``optimise``
    planner (plants in parallel processes by default); every plan gets the binding reason of each
    late or unscheduled order (:func:`ingenio.planning.explain.with_explanations`).
    ``dask_scheduler`` (``tcp://HOST:PORT``) plans the plants on that Dask cluster instead
    of local processes, with the same plan for the same seed (:mod:`ingenio.services.cluster`).

    Raises
    ------
    KeyError
        If the planner name is unknown.
    IngenioError
        ``unavailable`` when ``dask_scheduler`` does not answer (``invalid`` when it is
        not an address).
    """
    began = time.perf_counter()
    if planner == "optimise":
        solve = params or SolveParams()
        if dask_scheduler is not None:
            with plant_cluster(dask_scheduler, solve.workers) as cluster:
                plan = optimise(
                    portfolio,
                    solve,
                    processes=processes or cluster.slots,
                    progress=progress,
                    time_budget_s=time_budget_s,
                    executor=cluster.executor,
                )
        else:
            plan = optimise(
                portfolio,
                solve,
                processes=processes,
                progress=progress,
                time_budget_s=time_budget_s,
            )
    else:
        plan = PLANNERS[planner](portfolio)
    plan = with_explanations(portfolio, plan)
    # The same needs as explain.fuel_needs, read plant by plant: linear in the plants.
    needs = plant_fuel_needs(portfolio, plan)
    if portfolio.depots:  # every plan says how much depot diesel it leaves idle
        plan = replace(plan, notes=(*plan.notes, idle_fuel(portfolio, plan, needs).note()))
    seconds = time.perf_counter() - began
    violations = tuple(validate(portfolio, plan))
    return PlanOutcome(portfolio, plan, summarise(portfolio, plan, needs), violations, seconds)


def write_plan_files(outcome: PlanOutcome, out_dir: Path, lang: str = "en") -> PlanFiles:
    """Write ``plan.json``, ``plan.xlsx`` and ``report.html`` (in ``lang``) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    p, plan, summary = outcome.portfolio, outcome.plan, outcome.summary
    return PlanFiles(
        plan_json=write_plan_json(plan, p, out_dir / "plan.json"),
        plan_xlsx=atomic_write_bytes(
            out_dir / "plan.xlsx", render_plan_xlsx(p, plan, summary, lang=lang)
        ),
        report_html=atomic_write_text(
            out_dir / "report.html", render_plan_report(p, plan, summary, lang=lang)
        ),
    )


def save_versions(
    store: Store, outcome: PlanOutcome, note: str = "", actor: str | None = None
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
    return store.save_portfolio_and_plan(
        p.name, portfolio_doc, plan_fields, note=note, actor=actor
    )


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


StageProgress = Callable[[str, bool], None]
"""``progress(label, detail)``: enter the stage ``label``, or (``detail``) only update it."""


@dataclass(frozen=True)
class PlanRequest:
    """What to plan with and whether to keep the versions."""

    planner: str = "optimise"
    params: SolveParams = field(default_factory=SolveParams)
    time_budget_s: float | None = None
    save: bool = True
    note: str = ""
    lang: str = "en"
    """The language (es, ru, en) of plan.xlsx and report.html."""
    stage: int | None = None
    """Plan against this load-shedding stage (0..8) for certain, not the expected one."""
    stage_days: int | None = None
    """With ``stage``: on the first this many dates of each schedule (None: all)."""
    dask_scheduler: str | None = None
    """Plan the plants on this Dask cluster (``tcp://HOST:PORT``); None: local processes."""


def with_chosen_stage(portfolio: Portfolio, stage: int, days: int | None = None) -> Portfolio:
    """The portfolio with load-shedding stage ``stage`` certain on the first ``days``
    dates of every block's schedule (all its dates when ``days`` is None): a **chosen
    stage**, next to the expected stage the forecast gives (``docs/formats.md``).

    Raises
    ------
    IngenioError
        ``--stage``/``--stage-days`` out of range, or no block has a stage schedule.
    """
    from ingenio.scenarios.stages import MAX_STAGE_DAYS, ForceStage

    if days is None:
        dates = {d.day for b in portfolio.blocks if b.load_shedding for d in b.load_shedding.days}
        days = max(1, min(MAX_STAGE_DAYS, len(dates)))
    return ForceStage(stage, days).apply(portfolio)


@dataclass(frozen=True)
class SavedPlan:
    """A validated plan, the files written and the versions saved (None when not saved)."""

    outcome: PlanOutcome
    files: PlanFiles
    portfolio_version: PortfolioVersion | None
    plan_version: PlanVersion | None
    timings: dict[str, float]


def plan_stages(request: PlanRequest) -> int:
    """How many stages :func:`plan_and_save` reports for ``request``."""
    return 4 if request.save else 3


def plan_and_save(
    ctx: Context,
    source: Callable[[], Portfolio],
    request: PlanRequest,
    out_dir: Path,
    progress: StageProgress | None = None,
) -> SavedPlan:
    """Read a portfolio, plan it, refuse a plan that breaks a rule, write its files, save both.

    Raises
    ------
    IngenioError
        ``invalid`` for an unknown planner; ``rule_broken`` (:class:`PlanningError`) when
        the plan breaks a plan rule; ``unavailable`` when the store fails.
    """
    planner = request.planner
    if planner not in PLANNERS:
        raise IngenioError(
            said(
                N_("--planner: unknown planner %(planner)s (choose from %(planners)s)"),
                planner=repr(planner),
                planners=", ".join(PLANNERS),
            ),
            kind="invalid",
        )
    if request.dask_scheduler is not None:
        check_scheduler(request.dask_scheduler)  # before the file is read: fail fast
    step = progress or (lambda label, detail: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    step("reading the portfolio", False)
    portfolio = source()
    if request.stage is not None:
        portfolio = with_chosen_stage(portfolio, request.stage, request.stage_days)
    timings["read"] = time.perf_counter() - t0
    step(f"planning with {planner}", False)

    def live(e: OptimiseProgress) -> None:
        if e.stage == "allocate":
            step(f"planning with {planner}: fuel across plants (LP)", True)
            return
        step(
            f"planning with {planner}: {e.stage}, plants {e.plants_done}/{e.plants}, "
            f"value {e.value:,.0f} / bound {e.bound:,.0f}",
            True,
        )

    outcome = make_plan(
        portfolio, planner, params=request.params, progress=live,
        time_budget_s=request.time_budget_s, dask_scheduler=request.dask_scheduler,
    )  # fmt: skip
    timings["plan"] = outcome.seconds
    if outcome.violations:
        raise PlanningError(
            said(
                N_("the %(planner)s plan breaks %(count)s rule(s); first: %(violation)s"),
                planner=planner,
                count=len(outcome.violations),
                violation=outcome.violations[0].sentence(),
            )
        )
    step("writing plan.json, plan.xlsx and report.html", False)
    t1 = time.perf_counter()
    files = write_plan_files(outcome, out_dir, request.lang)
    timings["write"] = time.perf_counter() - t1
    pv = plan_v = None
    if request.save:
        step("saving versions in the database", False)
        pv, plan_v = save_versions(ctx.store.get(), outcome, request.note, ctx.actor.name)
    return SavedPlan(outcome, files, pv, plan_v, timings)


def load_portfolio_file(path: Path) -> Portfolio:
    """Read and validate a portfolio file.

    Raises
    ------
    IngenioError
        ``not_found`` when there is no such file; a ``DomainError`` (``invalid``) listing
        every issue when it is not a valid portfolio.
    """
    if not path.exists():
        raise IngenioError(said(N_("%(path)s: no such file"), path=str(path)), kind="not_found")
    return load_portfolio(path)


@dataclass(frozen=True)
class FileCheck:
    """What ``validate`` found in a valid portfolio file."""

    portfolio: Portfolio
    plants: int
    lines: int
    products: int
    orders: int
    days: int


def validate_file(path: Path) -> FileCheck:
    """Check a portfolio file; raise with every issue when it is not valid."""
    p = load_portfolio_file(path)
    n_lines = sum(len(pl.lines) for pl in p.plants)
    return FileCheck(p, len(p.plants), n_lines, len(p.products), len(p.orders), p.horizon.days)


def check_plan(portfolio_path: Path, plan_path: Path) -> list[Violation]:
    """Every violation of the plan rules by a plan file made for a portfolio file."""
    portfolio = load_portfolio_file(portfolio_path)
    if not plan_path.exists():
        raise IngenioError(
            said(N_("%(path)s: no such file"), path=str(plan_path)), kind="not_found"
        )
    return check_plan_file(portfolio, plan_path)


@dataclass(frozen=True)
class StoredPlan:
    """A saved plan rebuilt from its document, with the portfolio version it was made for."""

    version: PlanVersion
    portfolio: Portfolio
    plan: Plan


def list_plans(ctx: Context, portfolio: str | None = None) -> list[PlanVersion]:
    """Saved plans, of one portfolio or of all."""
    return ctx.store.existing().plans(portfolio)


def load_plan(ctx: Context, plan_id: int) -> StoredPlan:
    """A saved plan by id.

    Raises
    ------
    StoreError
        ``not_found`` if there is no such plan.
    DomainError
        If a stored document no longer reads (written by another Ingenio version).
    """
    store = ctx.store.existing()
    version, document = store.load_plan(plan_id)
    pv, portfolio_doc = store.load_portfolio(version.portfolio_name, version.portfolio_version)
    portfolio = parse_portfolio(portfolio_doc, f"portfolio {pv.name!r} version {pv.version}")
    return StoredPlan(
        version, portfolio, plan_from_document(document, portfolio, f"plan {plan_id}")
    )


@dataclass(frozen=True)
class PlanComparison:
    """Two saved plans and what changed between them."""

    old: StoredPlan
    new: StoredPlan
    diff: PlanDiff


def diff_plans(ctx: Context, old_id: int, new_id: int) -> PlanComparison:
    """Which orders moved, became late, were dropped or recovered between two saved plans."""
    old, new = load_plan(ctx, old_id), load_plan(ctx, new_id)
    offset = (old.portfolio.horizon.origin - new.portfolio.horizon.origin).total_seconds() // 60
    return PlanComparison(old, new, compare_plans(old.plan, new.plan, int(offset)))


def demo_portfolio() -> Portfolio:
    """The demo portfolio (six Havana plants, two weeks)."""
    from ingenio.data.demo import build_demo_portfolio

    return build_demo_portfolio()


def write_portfolio_file(portfolio: Portfolio, path: Path) -> Path:
    """Write a portfolio to a YAML or JSON file (by its suffix)."""
    from ingenio.formats.portfolio import dump_portfolio

    dump_portfolio(portfolio, path)
    return path


def default_request(
    settings: Settings, planner: str = "optimise", save: bool = True, note: str = ""
) -> PlanRequest:
    """A request with the solve defaults of the settings (``INGENIO_TIME_LIMIT_S``, ...)."""
    params = SolveParams(
        time_limit_s=settings.time_limit_s, workers=settings.workers, seed=settings.seed
    )
    return PlanRequest(planner, params, None, save, note)
