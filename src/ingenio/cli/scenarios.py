"""What-if questions and Monte Carlo runs over outages and tanker arrivals.

Commands: ``whatif`` (one perturbed variant against the base plan), ``scenarios``
(many sampled scenarios, an HTML report) and ``robust`` (a fuel policy chosen
over samples, tested on held-out ones). ``PORTFOLIO`` is a portfolio file or
``demo``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ingenio.domain import OrderStatus, Plan, Portfolio
from ingenio.limits import MAX_SAMPLES
from ingenio.scenarios.perturb import Perturbation, PerturbationError, TankerDelay

if TYPE_CHECKING:  # the scenario machinery is imported when a command runs, not at start-up
    from ingenio.scenarios.executor import Executor
    from ingenio.scenarios.montecarlo import MonteCarloResult
    from ingenio.scenarios.whatif import Planner, WhatIfDiff

console = Console(markup=False)
err = Console(markup=False, stderr=True)

PortfolioArg = Annotated[str, typer.Argument(help="Portfolio file (.yaml/.json) or 'demo'.")]
PlannerOpt = Annotated[
    str | None, typer.Option("--planner", help="Planner (default: the project's default).")
]
FastPlannerOpt = Annotated[
    str, typer.Option("--planner", help="Planner for every sample (dispatch is fast).")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed: same seed, same figures.")]
DaskOpt = Annotated[
    str | None,
    typer.Option("--dask-scheduler", help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786."),
]
WorkersOpt = Annotated[int, typer.Option("--workers", help="Local worker processes.", min=1)]


def _portfolio(arg: str) -> Portfolio:
    from ingenio.cli.main import Failure

    if arg == "demo":
        from ingenio.data.demo import build_demo_portfolio

        return build_demo_portfolio()
    from ingenio.formats.portfolio import load_portfolio

    path = Path(arg)
    if not path.exists():
        raise Failure(f"{path}: no such file (give a portfolio file or 'demo')")
    return load_portfolio(path)


def _planner(name: str | None) -> tuple[str, Planner]:
    from ingenio.cli.main import Failure
    from ingenio.services.planning import PLANNERS

    name = name or ("optimise" if "optimise" in PLANNERS else "dispatch")
    if name not in PLANNERS:
        raise Failure(f"--planner: unknown planner {name!r} (choose from {', '.join(PLANNERS)})")
    return name, PLANNERS[name]


_DASK_ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))"
    r":[0-9]{1,5}$"
)


def _executor(dask_scheduler: str | None, workers: int) -> Executor:
    from ingenio.cli.main import Failure
    from ingenio.scenarios.executor import DaskExecutor, ProcessExecutor

    if dask_scheduler is not None and not _DASK_ADDRESS.match(dask_scheduler.strip()):
        shown_value = dask_scheduler[:80]
        raise Failure(
            f"--dask-scheduler: not a scheduler address {shown_value!r} "
            "(expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786)"
        )
    dask_scheduler = dask_scheduler.strip() if dask_scheduler else None
    return DaskExecutor(dask_scheduler) if dask_scheduler else ProcessExecutor(workers)


def _plan(planner: Planner, portfolio: Portfolio) -> Plan:
    from ingenio.cli.main import Failure
    from ingenio.validate import validate

    plan = planner(portfolio)
    broken = validate(portfolio, plan)
    if broken:
        raise Failure(f"the {plan.planner} plan breaks {len(broken)} rule(s); first: {broken[0]}")
    return plan


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar on stderr; yields the ``(done, total)`` callback."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _guard(ctx: typer.Context, work: Callable[[], None]) -> None:
    from ingenio.cli.main import Failure, run_guarded

    def guarded() -> None:
        try:
            work()
        except PerturbationError as exc:
            raise Failure(str(exc)) from None

    run_guarded(ctx, guarded)


# --- whatif -----------------------------------------------------------------------------


def _perturbations(
    portfolio: Portfolio,
    delays: list[str],
    scale: str | None,
    gens: list[str],
    plant_down: str | None,
    start: str | None,
    end: str | None,
    fuel: list[str],
) -> list[Perturbation]:
    from ingenio.scenarios import parse

    out: list[Perturbation] = [parse.parse_tanker_delay(t) for t in delays]
    if scale is not None:
        out.append(parse.parse_deficit_scale(scale))
    out += [parse.parse_generator_down(g) for g in gens]
    if plant_down is not None or start is not None or end is not None:
        if plant_down is None or start is None or end is None:
            raise PerturbationError("--plant-down", plant_down, "needs --from and --to as well")
        out.append(parse.parse_plant_down(plant_down, start, end, portfolio.horizon))
    out += [parse.parse_extra_fuel(f) for f in fuel]
    return out


def _tanker_sentences(
    base: Portfolio,
    variant: Portfolio,
    diff: WhatIfDiff,
    delayed: list[str],
    planner: Planner,
    target: int | None,
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
    with _progress("searching tanker arrivals") as tick:
        for k, (pid, did) in enumerate(questions, start=1):
            stop = stops[pid]
            again = stop.resumes_at if stop.resumes_at is not None else base.horizon.minutes
            need = latest_arrival(base, variant, planner, did, stop, target or day_end(base, again))
            yield arrival_sentence(base, need)
            if target is None and need.any_arrival:
                keep = latest_arrival(base, variant, planner, did, stop, stop.first_lost)
                yield arrival_sentence(base, keep, as_planned=True)
            tick(k, len(questions))


def whatif(
    ctx: typer.Context,
    portfolio: PortfolioArg,
    tanker_delay: Annotated[
        list[str] | None, typer.Option("--tanker-delay", help="DELIVERY=DURATION, e.g. T2=9d.")
    ] = None,
    deficit_scale: Annotated[
        str | None, typer.Option("--deficit-scale", help="Multiply outage hours, e.g. 1.3.")
    ] = None,
    generator_down: Annotated[
        list[str] | None, typer.Option("--generator-down", help="PLANT/GENERATOR out of service.")
    ] = None,
    plant_down: Annotated[
        str | None, typer.Option("--plant-down", help="PLANT that cannot run --from .. --to.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Local 2026-04-08T06:00, or 2d6h from the start.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="End of --plant-down (as --from).")
    ] = None,
    extra_fuel: Annotated[
        list[str] | None, typer.Option("--extra-fuel", help="DEPOT_OR_PLANT=LITRES at the start.")
    ] = None,
    planner: PlannerOpt = None,
    resume_by: Annotated[
        str | None,
        typer.Option("--resume-by", help="For tanker delays: the date a plant must resume by."),
    ] = None,
) -> None:
    """Plan the portfolio and a perturbed variant; print what changes and when plants resume."""

    def work() -> None:
        from ingenio.cli.scenario_tables import orders_table, whatif_table
        from ingenio.scenarios.parse import parse_moment
        from ingenio.scenarios.perturb import apply_all
        from ingenio.scenarios.whatif import compare, resumption_sentences

        base = _portfolio(portfolio)
        changes = _perturbations(base, tanker_delay or [], deficit_scale, generator_down or [],
                                 plant_down, start, end, extra_fuel or [])  # fmt: skip
        if not changes:
            raise PerturbationError("whatif", "", "give at least one perturbation")
        variant = apply_all(base, changes)
        target = parse_moment(resume_by, base.horizon, "--resume-by") if resume_by else None
        name, plan_with = _planner(planner)
        with _progress(f"planning base and variant with {name}") as tick:
            base_plan = _plan(plan_with, base)
            tick(1, 2)
            variant_plan = _plan(plan_with, variant)
            tick(2, 2)
        diff = compare(base_plan, variant_plan, base, variant)
        title = "What-if: " + "; ".join(c.describe() for c in changes)
        console.print(whatif_table(base, diff, title))
        if diff.orders:
            console.print(orders_table(base, diff))
        for sentence in resumption_sentences(base, diff):
            console.print(sentence, highlight=False)
        delayed = [c.delivery_id for c in changes if isinstance(c, TankerDelay)]
        for sentence in _tanker_sentences(base, variant, diff, delayed, plan_with, target):
            console.print(sentence, highlight=False)

    _guard(ctx, work)


# --- scenarios --------------------------------------------------------------------------


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
    rows += [(f.index, [f.index, "", "", "", "", f.error]) for f in result.failures]
    w.writerows(row for _, row in sorted(rows, key=lambda r: r[0]))
    return out.getvalue()


def scenarios(
    ctx: typer.Context,
    portfolio: PortfolioArg,
    samples: Annotated[
        int, typer.Option("--samples", help="Scenarios to sample.", min=1, max=MAX_SAMPLES)
    ] = 100,
    seed: SeedOpt = 0,
    planner: FastPlannerOpt = "dispatch",
    dask_scheduler: DaskOpt = None,
    workers: WorkersOpt = 2,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for scenarios.html and samples.csv.")
    ] = Path("out/scenarios"),
) -> None:
    """Sample outages and tanker arrivals, plan every sample, report the spread of outcomes."""

    def work() -> None:
        from ingenio.cli.main import Failure
        from ingenio.cli.out_dir import out_dir_problem
        from ingenio.cli.scenario_tables import risk_table, summary_table
        from ingenio.formats.atomic import atomic_write_text
        from ingenio.reports.scenarios import render_scenarios_report
        from ingenio.scenarios.montecarlo import run_samples

        bad_out = out_dir_problem(out, ("scenarios.html", "samples.csv"))
        if bad_out:
            raise Failure(bad_out)
        p = _portfolio(portfolio)
        name, plan_with = _planner(planner)
        executor = _executor(dask_scheduler, workers)
        try:
            with _progress(f"{samples} scenarios on {executor.name}") as tick:
                result = run_samples(p, samples, seed, plan_with, executor, progress=tick)
        finally:
            executor.close()
        result = dataclasses.replace(result, planner=name)
        console.print(summary_table(result, p.currency))
        console.print(risk_table(p, result))
        for r in result.plant_resumptions:
            if r.stopped:
                q50 = r.quantile(50)
                median = (
                    "–" if q50 is None else f"{p.horizon.to_datetime(round(q50)):%Y-%m-%d %H:%M}"
                )
                console.print(f"{p.plant(r.plant_id).name}: stops in {r.p_stopped:.0%} of samples; "
                              f"median resumption {median}; never resumes in {r.never}",
                              highlight=False)  # fmt: skip
        for f in result.failures:
            err.print(
                f"[red]sample {f.index} failed:[/red] {escape(str(f.error))}",
                markup=True,
                highlight=False,
            )
        out.mkdir(parents=True, exist_ok=True)
        html = atomic_write_text(out / "scenarios.html", render_scenarios_report(p, result))
        table = atomic_write_text(out / "samples.csv", samples_csv(result))
        console.print(f"wrote {html}, {table}")

    _guard(ctx, work)


# --- robust -----------------------------------------------------------------------------


def robust_portfolio(
    portfolio: Portfolio,
    planner: str,
    samples: int,
    holdout: int,
    seed: int = 0,
    dask_scheduler: str | None = None,
    workers: int = 2,
) -> Portfolio:
    """Choose a fuel policy over ``samples`` scenarios, print how it does on ``holdout`` fresh
    ones, and return ``portfolio`` with the policy applied (earmarks as deliveries)."""
    from ingenio.cli.scenario_tables import robust_tables
    from ingenio.scenarios.robust import evaluate_held_out, robust_plan

    _, plan_with = _planner(planner)
    executor = _executor(dask_scheduler, workers)
    try:
        with _progress(f"choosing a fuel policy on {samples} samples") as tick:
            chosen = robust_plan(portfolio, samples, seed, plan_with, executor, progress=tick)
        with _progress(f"testing on {holdout} held-out samples") as tick:
            held = evaluate_held_out(portfolio, chosen.policies(), holdout, seed, plan_with,
                                     executor, progress=tick)  # fmt: skip
    finally:
        executor.close()
    for table in robust_tables(portfolio, chosen, held):
        console.print(table)
    for f in (*chosen.failures, *held.failures):
        err.print(
            f"[red]sample {f.index} failed:[/red] {escape(str(f.error))}",
            markup=True,
            highlight=False,
        )
    return chosen.portfolio


def robust(
    ctx: typer.Context,
    portfolio: PortfolioArg,
    samples: Annotated[
        int, typer.Option("--samples", help="Training samples.", min=1, max=MAX_SAMPLES)
    ] = 20,
    holdout: Annotated[
        int, typer.Option("--holdout", help="Held-out samples.", min=1, max=MAX_SAMPLES)
    ] = 50,
    seed: SeedOpt = 0,
    planner: FastPlannerOpt = "dispatch",
    dask_scheduler: DaskOpt = None,
    workers: WorkersOpt = 2,
) -> None:
    """Choose the fuel allocation and reserve by sample-average optimisation; compare it with
    the plain plan's on held-out samples."""

    def work() -> None:
        p = _portfolio(portfolio)
        robust_portfolio(p, planner, samples, holdout, seed, dask_scheduler, workers)

    _guard(ctx, work)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main ``ingenio`` app."""
    app.command("whatif")(whatif)
    app.command("scenarios")(scenarios)
    app.command("robust")(robust)
