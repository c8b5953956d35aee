"""What-if questions and Monte Carlo runs over outages and tanker arrivals.

Commands: ``whatif`` (one perturbed variant against the base plan), ``scenarios``
(many sampled scenarios, an HTML report) and ``robust`` (fuel grants chosen on the
two-stage sample-average problem, tested on held-out samples). ``PORTFOLIO`` is a portfolio file or
``demo``. The work is done by :mod:`ingenio.services.scenarios`; this module
parses the options and renders the results.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from ingenio.cli.consoles import make_console
from ingenio.cli.errors import context_of, fail, run_guarded
from ingenio.cli.lang import _, clock, current, pct, service_text
from ingenio.cli.options import Processes, Seed, WorkersAlias
from ingenio.cli.out_dir import out_dir_problem
from ingenio.domain import Portfolio
from ingenio.services.scenarios import MAX_SAMPLES

if TYPE_CHECKING:  # the scenario machinery is imported when a command runs, not at start-up
    from ingenio.services.scenarios import StageTicks

console = make_console(markup=False)
err = Console(markup=False, stderr=True)

PortfolioArg = Annotated[str, typer.Argument(help="Portfolio file (.yaml/.json) or 'demo'.")]
PlannerOpt = Annotated[
    str | None, typer.Option("--planner", help="Planner (default: the project's default).")
]
FastPlannerOpt = Annotated[
    str, typer.Option("--planner", help="Planner for every sample (dispatch is fast).")
]
DaskOpt = Annotated[
    str | None,
    typer.Option("--dask-scheduler", help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786."),
]


@contextmanager
def _progress() -> Iterator[StageTicks]:
    """Rich progress bars on stderr, one per stage; yields the services' callback."""
    current: list[tuple[str, Progress, TaskID]] = []

    def update(label: str, done: int | None, total: int | None) -> None:
        if not current or current[-1][0] != label:
            if current:
                current.pop()[1].stop()
            bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            bar.start()
            current.append((label, bar, bar.add_task(service_text(label), total=None)))
        if done is not None:
            _label, bar, task = current[-1]
            bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if current:
            current.pop()[1].stop()


# --- whatif -----------------------------------------------------------------------------


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
    add_battery: Annotated[
        list[str] | None,
        typer.Option("--add-battery", help="PLANT=KWHkWh/KWkW[/CHARGEkW], e.g. P1=500kWh/250kW."),
    ] = None,
    add_solar: Annotated[
        list[str] | None,
        typer.Option("--add-solar", help="PLANT=KWkW[/island]: a solar array, e.g. P1=200kW."),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option("--stage", help="Load-shedding stage 0-8 for certain (--stage-days)."),
    ] = None,
    stage_days: Annotated[
        str, typer.Option("--stage-days", help="First dates of the schedules --stage holds.")
    ] = "3",
) -> None:
    """Plan the portfolio and a perturbed variant; print what changes and when plants resume."""

    def work() -> None:
        from ingenio.cli.scenario_tables import orders_table, whatif_table
        from ingenio.services.scenarios import WhatIfRequest, load_portfolio_arg, what_if

        base = load_portfolio_arg(portfolio)
        request = WhatIfRequest(
            tanker_delay or [], deficit_scale, generator_down or [], plant_down, start, end,
            extra_fuel or [], planner, resume_by, add_battery or [], add_solar or [],
            stage, stage_days,
        )  # fmt: skip
        with _progress() as tick:
            got = what_if(context_of(ctx), base, request, progress=tick)
        console.print(whatif_table(base, got.diff, service_text(got.title)))
        if got.diff.orders:
            console.print(orders_table(base, got.diff))
        before, after = got.late_orders
        console.print(
            _("late or unscheduled orders: %(before)s -> %(after)s", before=before, after=after),
            highlight=False,
        )
        for sentence in (*got.resumptions, *got.tanker_sentences):
            console.print(service_text(sentence), highlight=False)

    run_guarded(ctx, work)


# --- scenarios --------------------------------------------------------------------------

Outages = Annotated[
    str,
    typer.Option(
        "--outages",
        help="Where sampled outages come from: auto (learned from the plants' metered grid "
        "losses when there are any), schedule (the published schedule only), metered.",
    ),
]


def scenarios(
    ctx: typer.Context,
    portfolio: PortfolioArg,
    samples: Annotated[
        int, typer.Option("--samples", help="Scenarios to sample.", min=1, max=MAX_SAMPLES)
    ] = 100,
    seed: Seed = 0,
    planner: FastPlannerOpt = "dispatch",
    dask_scheduler: DaskOpt = None,
    processes: Processes = 2,
    workers: WorkersAlias = None,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for scenarios.html and samples.csv.")
    ] = Path("out/scenarios"),
    outages: Outages = "auto",
) -> None:
    """Sample outages and tanker arrivals, plan every sample, report the spread of outcomes."""

    def work() -> None:
        from ingenio.cli.scenario_tables import risk_table, summary_table
        from ingenio.services.scenarios import (
            load_portfolio_arg,
            monte_carlo,
            write_scenario_files,
        )

        bad_out = out_dir_problem(out, ("scenarios.html", "samples.csv"))
        if bad_out:
            fail(bad_out)
        p = load_portfolio_arg(portfolio)
        with _progress() as tick:
            result = monte_carlo(context_of(ctx), p, samples, seed, planner, dask_scheduler,
                                 workers or processes, progress=tick,
                                 outages=outages)  # fmt: skip
        console.print(summary_table(result, p.currency))
        console.print(risk_table(p, result))
        for r in result.plant_resumptions:
            if r.stopped:
                q50 = r.quantile(50)
                median = "–" if q50 is None else clock(p.horizon.to_datetime(round(q50)))
                console.print(_("%(plant)s: stops in %(share)s of samples; median resumption "
                                "%(median)s; never resumes in %(never)s",
                                plant=p.plant(r.plant_id).name, share=pct(r.p_stopped, 0),
                                median=median, never=r.never),
                              highlight=False)  # fmt: skip
        for f in result.failures:
            err.print(_("sample %(index)s failed: %(error)s", index=f.index, error=f.error),
                      highlight=False)  # fmt: skip
        files = write_scenario_files(p, result, out, current())
        console.print(_("wrote %(html)s, %(csv)s", html=files.html, csv=files.csv))

    run_guarded(ctx, work)


# --- robust -----------------------------------------------------------------------------


def robust_portfolio(
    ctx: typer.Context,
    portfolio: Portfolio,
    planner: str,
    samples: int,
    holdout: int,
    seed: int = 0,
    dask_scheduler: str | None = None,
    processes: int = 2,
    *,
    batches: int = 5,
    as_json: bool = False,
    outages: str = "auto",
) -> Portfolio:
    """Choose fuel grants over at most ``samples`` scenarios, print how they do against the
    plain plan's on ``holdout`` fresh ones (tables, or one JSON object), and return
    ``portfolio`` with the recommended grants applied (unchanged when plain is)."""
    from ingenio.cli.robust_tables import robust_tables, robust_verdict
    from ingenio.services.scenarios import robust_policy

    with _progress() as tick:
        got = robust_policy(context_of(ctx), portfolio, planner, samples, holdout, seed,
                            dask_scheduler, processes, progress=tick, batches=batches,
                            outages=outages)  # fmt: skip
    if as_json:
        typer.echo(json.dumps(got.decision.to_json(), ensure_ascii=False))
        return got.portfolio
    console.print(_("Measure: %(measure)s", measure=service_text(got.decision.measure)),
                  highlight=False)  # fmt: skip
    for table in robust_tables(portfolio, got.decision):
        console.print(table)
    for line in robust_verdict(portfolio, got.decision):
        console.print(line, highlight=False)
    for f in got.failures:
        err.print(_("sample %(index)s failed: %(error)s", index=f.index, error=f.error),
                  highlight=False)  # fmt: skip
    return got.portfolio


def robust(
    ctx: typer.Context,
    portfolio: PortfolioArg,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            help="Most training samples (fewer when the SAA gap converges first).",
            min=1,
            max=MAX_SAMPLES,
        ),
    ] = 20,
    holdout: Annotated[
        int, typer.Option("--holdout", help="Held-out samples.", min=1, max=MAX_SAMPLES)
    ] = 50,
    seed: Seed = 0,
    planner: FastPlannerOpt = "dispatch",
    dask_scheduler: DaskOpt = None,
    processes: Processes = 2,
    workers: WorkersAlias = None,
    batches: Annotated[
        int,
        typer.Option("--batches", help="Batches of the SAA gap estimate.", min=1, max=50),
    ] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    outages: Outages = "auto",
) -> None:
    """Choose the fuel grants per plant on the two-stage sample-average problem and test them
    against the plain plan's on held-out samples; recommend them only when they win with
    95 % confidence."""

    def work() -> None:
        from ingenio.services.scenarios import load_portfolio_arg

        p = load_portfolio_arg(portfolio)
        robust_portfolio(ctx, p, planner, samples, holdout, seed, dask_scheduler,
                         workers or processes, batches=batches, as_json=as_json,
                         outages=outages)  # fmt: skip

    run_guarded(ctx, work)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main ``ingenio`` app."""
    app.command("whatif")(whatif)
    app.command("scenarios")(scenarios)
    app.command("robust")(robust)
