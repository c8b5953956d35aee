"""Use cases over scenarios: what-if variants, Monte Carlo runs and the robust fuel policy.

Nothing here prints: each use case returns a result dataclass, and reports progress as
``progress(label, done, total)`` (a stage's label, then its ticks) to the edge's callback.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingenio.domain import OrderStatus, Plan, Portfolio
from ingenio.errors import N_, IngenioError, said
from ingenio.limits import MAX_SAMPLES
from ingenio.reports.excel import csv_text
from ingenio.scenarios.decision import Decision
from ingenio.scenarios.executor import DaskExecutor, Executor, ProcessExecutor, TaskFailure
from ingenio.scenarios.montecarlo import MonteCarloResult, OutageSampler
from ingenio.scenarios.perturb import Perturbation, PerturbationError, TankerDelay
from ingenio.scenarios.robust import HeldOutTable, RobustPlan
from ingenio.scenarios.whatif import Planner, WhatIfDiff
from ingenio.services.context import Context

__all__ = [
    "MAX_SAMPLES",
    "OUTAGE_MODELS",
    "Decision",
    "HeldOutTable",
    "MonteCarloResult",
    "OutageSource",
    "RobustPlan",
    "RobustResult",
    "ScenarioFiles",
    "StageTicks",
    "TaskFailure",
    "WhatIfDiff",
    "WhatIfRequest",
    "WhatIfResult",
    "load_portfolio_arg",
    "monte_carlo",
    "outage_source",
    "planner_named",
    "robust_policy",
    "samples_csv",
    "what_if",
    "write_scenario_files",
]

StageTicks = Callable[[str, int | None, int | None], None]
"""``progress(label, done, total)``: a stage begins (``done``/``total`` None) or ticks."""


def _quiet(label: str, done: int | None, total: int | None) -> None:
    return None


def _ticks(progress: StageTicks, label: str) -> Callable[[int, int], None]:
    progress(label, None, None)
    return lambda done, total: progress(label, done, total)


def load_portfolio_arg(arg: str) -> Portfolio:
    """A portfolio file, or the demo portfolio for ``demo``."""
    if arg == "demo":
        from ingenio.data.demo import build_demo_portfolio

        return build_demo_portfolio()
    from ingenio.formats.portfolio import load_portfolio

    path = Path(arg)
    if not path.exists():
        raise IngenioError(
            said(N_("%(path)s: no such file (give a portfolio file or 'demo')"), path=str(path)),
            kind="not_found",
        )
    return load_portfolio(path)


def planner_named(name: str | None) -> tuple[str, Planner]:
    """The planner of a name (None: the project's default) and its name."""
    from ingenio.services.plans import PLANNERS

    name = name or ("optimise" if "optimise" in PLANNERS else "dispatch")
    if name not in PLANNERS:
        raise IngenioError(
            said(
                N_("--planner: unknown planner %(name)s (choose from %(choices)s)"),
                name=repr(name),
                choices=", ".join(PLANNERS),
            )
        )
    return name, PLANNERS[name]


_DASK_ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))"
    r":[0-9]{1,5}$"
)


def _check_counts(**counts: int) -> None:
    """Refuse sample counts beyond what one machine's memory holds (docs/limits.md)."""
    for option, n in counts.items():
        if not 1 <= n <= MAX_SAMPLES:
            raise IngenioError(
                said(
                    N_("--%(option)s: must be 1 to %(limit)s (got %(n)s)"),
                    option=option,
                    limit=f"{MAX_SAMPLES:,}",
                    n=f"{n:,}",
                )
            )


def _scheduler(dask_scheduler: str | None) -> str | None:
    """The Dask scheduler address, checked before any connection is tried (a bad one
    would otherwise time out after a minute)."""
    if dask_scheduler is None:
        return None
    if not _DASK_ADDRESS.match(dask_scheduler.strip()):
        raise IngenioError(
            said(
                N_(
                    "--dask-scheduler: not a scheduler address %(address)s "
                    "(expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786)"
                ),
                address=repr(dask_scheduler[:80]),
            )
        )
    return dask_scheduler.strip()


def _executor(dask_scheduler: str | None, processes: int) -> Executor:
    return DaskExecutor(dask_scheduler) if dask_scheduler else ProcessExecutor(processes)


def _plan(planner: Planner, portfolio: Portfolio) -> Plan:
    from ingenio.validate import validate

    plan = planner(portfolio)
    broken = validate(portfolio, plan)
    if broken:
        raise IngenioError(
            said(
                N_("the %(planner)s plan breaks %(count)s rule(s); first: %(broken)s"),
                planner=plan.planner,
                count=len(broken),
                broken=broken[0].sentence(),
            ),
            kind="rule_broken",
        )
    return plan


# --- what-if ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIfRequest:
    """The perturbations of a what-if, as typed (``docs/scenarios.md``)."""

    tanker_delays: Sequence[str] = ()
    deficit_scale: str | None = None
    generators_down: Sequence[str] = ()
    plant_down: str | None = None
    start: str | None = None
    end: str | None = None
    extra_fuel: Sequence[str] = ()
    planner: str | None = None
    resume_by: str | None = None
    add_battery: Sequence[str] = ()
    add_solar: Sequence[str] = ()
    stage: str | None = None
    stage_days: str = "3"


@dataclass(frozen=True)
class WhatIfResult:
    """The base and the variant, what changed and the sentences that explain it."""

    base: Portfolio
    variant: Portfolio
    changes: tuple[Perturbation, ...]
    diff: WhatIfDiff
    title: str
    resumptions: tuple[str, ...]
    tanker_sentences: tuple[str, ...]
    late_orders: tuple[int, int] = (0, 0)
    """Late or unscheduled orders in the base plan and in the variant's."""


def _perturbations(portfolio: Portfolio, r: WhatIfRequest) -> list[Perturbation]:
    from ingenio.scenarios import parse
    from ingenio.scenarios.equipment import parse_add_battery, parse_add_solar
    from ingenio.scenarios.stages import parse_stage

    out: list[Perturbation] = [parse.parse_tanker_delay(t) for t in r.tanker_delays]
    if r.deficit_scale is not None:
        out.append(parse.parse_deficit_scale(r.deficit_scale))
    out += [parse.parse_generator_down(g) for g in r.generators_down]
    if r.plant_down is not None or r.start is not None or r.end is not None:
        if r.plant_down is None or r.start is None or r.end is None:
            raise PerturbationError(
                "--plant-down", r.plant_down, "needs --from and --to as well"
            )
        out.append(parse.parse_plant_down(r.plant_down, r.start, r.end, portfolio.horizon))
    out += [parse.parse_extra_fuel(f) for f in r.extra_fuel]
    out += [parse_add_battery(b) for b in r.add_battery]
    out += [parse_add_solar(x) for x in r.add_solar]
    if r.stage is not None:
        out.append(parse_stage(r.stage, r.stage_days))
    return out


def _tanker_sentences(
    base: Portfolio,
    variant: Portfolio,
    diff: WhatIfDiff,
    delayed: list[str],
    planner: Planner,
    target: int | None,
    progress: StageTicks,
) -> Iterator[str]:
    """For each delayed delivery and stopped plant it feeds: the arrival it needs to resume
    by ``target`` (default: the end of the day it resumes in the variant). When any
    arrival will do, how late it may come for the plant not to stop at all."""
    from ingenio.scenarios.whatif import (
        arrival_sentence,
        day_end,
        latest_arrival,
        tanker_questions,
    )

    stops = {s.plant_id: s for s in diff.resumptions}
    questions = tanker_questions(variant, diff, delayed)
    tick = _ticks(progress, "searching tanker arrivals")
    for k, (pid, did) in enumerate(questions, start=1):
        stop = stops[pid]
        again = stop.resumes_at if stop.resumes_at is not None else base.horizon.minutes
        need = latest_arrival(base, variant, planner, did, stop, target or day_end(base, again))
        yield arrival_sentence(base, need)
        if target is None and need.any_arrival:
            keep = latest_arrival(base, variant, planner, did, stop, stop.first_lost)
            yield arrival_sentence(base, keep, as_planned=True)
        tick(k, len(questions))


def what_if(
    ctx: Context,
    base: Portfolio,
    request: WhatIfRequest,
    progress: StageTicks | None = None,
) -> WhatIfResult:
    """Plan ``base`` and a perturbed variant; say what changes and when plants resume.

    Raises
    ------
    PerturbationError
        ``invalid``: a perturbation that cannot be built or applied, or none given.
    """
    from ingenio.scenarios.parse import parse_moment
    from ingenio.scenarios.perturb import apply_all
    from ingenio.scenarios.whatif import compare, resumption_sentences

    report = progress or _quiet
    changes = _perturbations(base, request)
    if not changes:
        raise PerturbationError("whatif", "", "give at least one perturbation")
    variant = apply_all(base, changes)
    resume_by = request.resume_by
    target = parse_moment(resume_by, base.horizon, "--resume-by") if resume_by else None
    name, plan_with = planner_named(request.planner)
    tick = _ticks(report, f"planning base and variant with {name}")
    base_plan = _plan(plan_with, base)
    tick(1, 2)
    variant_plan = _plan(plan_with, variant)
    tick(2, 2)
    diff = compare(base_plan, variant_plan, base, variant)
    title = "What-if: " + "; ".join(c.describe() for c in changes)
    delayed = [c.delivery_id for c in changes if isinstance(c, TankerDelay)]
    tankers = _tanker_sentences(base, variant, diff, delayed, plan_with, target, report)
    late = tuple(
        sum(1 for o in p.outcomes if o.status is not OrderStatus.ON_TIME)
        for p in (base_plan, variant_plan)
    )
    return WhatIfResult(
        base, variant, tuple(changes), diff, title,
        tuple(resumption_sentences(base, diff)), tuple(tankers), (late[0], late[1]),
    )  # fmt: skip


# --- Monte Carlo ------------------------------------------------------------------------

OUTAGE_MODELS = ("auto", "schedule", "metered")
"""Where the sampled outages come from: ``schedule``, the published schedule (and its
probabilities) only; ``metered``, the model learned from the grid losses the plants'
meters reported before the origin as well (an error when there are none); ``auto``
(the default), ``metered`` when there are any, else ``schedule``."""


@dataclass(frozen=True)
class OutageSource:
    """The sampler of a run and what taught it."""

    sampler: OutageSampler
    metered: int
    """Metered grid losses the model learned from (0: the published schedule only)."""

    @property
    def label(self) -> str:
        """How the progress line names it."""
        if not self.metered:
            return "outages from the published schedule"
        return f"outages learned from {self.metered} metered grid loss(es)"


def outage_source(ctx: Context, portfolio: Portfolio, outages: str = "auto") -> OutageSource:
    """The outage sampler of a scenario run (see :data:`OUTAGE_MODELS`).

    Metered losses count for the plants of ``portfolio`` under the actor's account (every
    account's when the actor sees all, as the local CLI user does).

    Raises
    ------
    IngenioError
        ``invalid`` for an unknown choice, or ``metered`` when no loss was metered.
    """
    from ingenio.energy.outage_model import learn_outage_model
    from ingenio.services.telemetry_actuals import metered_outages

    if outages not in OUTAGE_MODELS:
        raise IngenioError(f"--outages: expected one of {', '.join(OUTAGE_MODELS)}, "
                           f"got {outages!r}")  # fmt: skip
    history = {} if outages == "schedule" else metered_outages(
        ctx, portfolio, ctx.actor.scope.account)  # fmt: skip
    metered = sum(len(windows) for windows in history.values())
    if outages == "metered" and not metered:
        raise IngenioError("--outages metered: no grid loss of this portfolio's plants was "
                           "metered before its start")  # fmt: skip
    return OutageSource(OutageSampler(learn_outage_model(portfolio, history)), metered)


def monte_carlo(
    ctx: Context,
    portfolio: Portfolio,
    samples: int,
    seed: int = 0,
    planner: str = "dispatch",
    dask_scheduler: str | None = None,
    processes: int = 2,
    progress: StageTicks | None = None,
    outages: str = "auto",
) -> MonteCarloResult:
    """Sample outages and tanker arrivals, plan every sample; the spread of outcomes.

    The outages are drawn from the model :func:`outage_source` gives: learned from the
    metered grid losses of the portfolio's plants when there are any (``outages``).
    """
    from ingenio.scenarios.montecarlo import run_samples

    _check_counts(samples=samples)
    name, plan_with = planner_named(planner)
    source = outage_source(ctx, portfolio, outages)
    executor = _executor(_scheduler(dask_scheduler), processes)
    try:
        tick = _ticks(progress or _quiet,
                      f"{samples} scenarios on {executor.name}, {source.label}")  # fmt: skip
        result = run_samples(portfolio, samples, seed, plan_with, executor, progress=tick,
                             sampler=source.sampler)  # fmt: skip
    finally:
        executor.close()
    return dataclasses.replace(result, planner=name)


def samples_csv(result: MonteCarloResult) -> str:
    """One row per sample: index, value, litres burned, orders late and unscheduled, or the
    error of a failed sample."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["sample", "value", "fuel_l", "late", "unscheduled", "error"])
    rows: list[tuple[int, list[object]]] = []
    for s in result.samples:
        late = sum(1 for _, st, _ in s.outcomes if st is OrderStatus.LATE)
        unscheduled = sum(1 for _, st, _ in s.outcomes if st is OrderStatus.UNSCHEDULED)
        rows.append(
            (s.index, [s.index, f"{s.value:.2f}", f"{s.fuel_l:.1f}", late, unscheduled, ""])
        )
    rows += [(f.index, [f.index, "", "", "", "", csv_text(f.error)]) for f in result.failures]
    w.writerows(row for _, row in sorted(rows, key=lambda r: r[0]))
    return out.getvalue()


@dataclass(frozen=True)
class ScenarioFiles:
    """The files of a Monte Carlo run."""

    html: Path
    csv: Path


def write_scenario_files(
    portfolio: Portfolio, result: MonteCarloResult, out: Path, lang: str = "en"
) -> ScenarioFiles:
    """Write ``scenarios.html`` (in ``lang``) and ``samples.csv`` into ``out``."""
    from ingenio.formats.atomic import atomic_write_text
    from ingenio.reports.scenarios import render_scenarios_report

    out.mkdir(parents=True, exist_ok=True)
    page = render_scenarios_report(portfolio, result, lang=lang)
    html = atomic_write_text(out / "scenarios.html", page)
    table = atomic_write_text(out / "samples.csv", samples_csv(result))
    return ScenarioFiles(html, table)


# --- robust fuel policy -----------------------------------------------------------------


@dataclass(frozen=True)
class RobustResult:
    """The two-stage decision (grants trained on samples, tested on held-out ones) and the
    portfolio with the chosen grants applied (as deliveries into the plants' tanks)."""

    decision: Decision
    portfolio: Portfolio

    @property
    def failures(self) -> tuple[TaskFailure, ...]:
        """Held-out samples that failed (planner or LP)."""
        return self.decision.failures


def robust_policy(
    ctx: Context,
    portfolio: Portfolio,
    planner: str,
    samples: int,
    holdout: int,
    seed: int = 0,
    dask_scheduler: str | None = None,
    processes: int = 2,
    progress: StageTicks | None = None,
    *,
    batches: int = 5,
    tolerance: float = 0.1,
    outages: str = "auto",
) -> RobustResult:
    """Choose fuel grants on the sample-average problem (at most ``samples`` training
    samples, fewer when the optimality gap has converged) and test them against the plain
    plan's on ``holdout`` fresh samples, planned by ``planner`` (``docs/scenarios.md``);
    the samples' outages as in :func:`monte_carlo`."""
    from ingenio.scenarios.decision import decide

    report = progress or _quiet
    _check_counts(samples=samples, holdout=holdout)
    if not 1 <= batches <= 50:
        raise IngenioError(
            said(N_("--batches: must be 1 to 50 (got %(batches)s)"), batches=batches)
        )
    if not 0 < tolerance < 1:
        raise IngenioError(
            said(
                N_("--tolerance: must be between 0 and 1 (got %(tolerance)s)"), tolerance=tolerance
            )
        )
    name, plan_with = planner_named(planner)
    source = outage_source(ctx, portfolio, outages)
    report(source.label, None, None)
    executor = _executor(_scheduler(dask_scheduler), processes)
    try:
        decision = decide(
            portfolio, samples, holdout, seed, plan_with, executor, planner_name=name,
            sampler=source.sampler, batches=batches, tolerance=tolerance,
            progress=lambda label, done, total: report(label, done, total),
        )  # fmt: skip
    finally:
        executor.close()
    plain = decision.recommended == "plain"  # then the published portfolio is already robust
    return RobustResult(decision, portfolio if plain else decision.robust.policy.apply(portfolio))
