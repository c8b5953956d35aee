"""The ``ingenio`` command line: plan factories under blackouts from the terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ingenio.cli import accounts, bench, operations, outages, scenarios, telemetry
from ingenio.cli.consoles import make_console
from ingenio.cli.errors import CliState, context_of, fail, run_guarded
from ingenio.cli.options import DbUrl, Debug, Planner, Seed, TimeBudget, TimeLimit, Workers
from ingenio.cli.out_dir import out_dir_problem
from ingenio.cli.render import plan_table, reasons_text, violations_text
from ingenio.domain import Portfolio
from ingenio.services.context import cli_context
from ingenio.services.plans import (
    PlanRequest,
    SolveParams,
    demo_portfolio,
    load_portfolio_file,
    plan_and_save,
    plan_stages,
    validate_file,
    write_portfolio_file,
)
from ingenio.services.plans import (
    check_plan as check_plan_files,
)
from ingenio.services.scenarios import MAX_SAMPLES

app = typer.Typer(
    name="ingenio",
    help="Plan a portfolio of factories when the grid fails on a schedule and fuel is scarce.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = make_console(markup=False)
err = Console(markup=False, stderr=True, soft_wrap=True)
T = TypeVar("T")


@app.callback()
def main(
    ctx: typer.Context,
    db: DbUrl = None,
    debug: Debug = False,
) -> None:
    """Ingenio: production planning for factories under rolling blackouts."""
    state = CliState(debug=debug)
    ctx.obj = state
    context = run_guarded(ctx, lambda: cli_context(db))
    ctx.obj = CliState(context=context, debug=debug)
    ctx.call_on_close(context.store.close)
    _stop_on_sigterm()


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd, CI time-outs) unwinds the command like Ctrl-C: workers are
    stopped, open transactions roll back, and the exit code is 143."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, _frame: object) -> None:
        err.print("stopped (SIGTERM); nothing more is written", markup=False)
        raise SystemExit(128 + signum)

    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, stop)


@contextmanager
def steps(total: int) -> Iterator[Callable[..., None]]:
    """A Rich progress bar over the named stages of a long command.

    ``advance(label)`` enters the next stage; ``advance(label, detail=True)`` only
    rewrites the current stage's line (live figures of a long stage).
    """
    with Progress(
        SpinnerColumn(),
        BarColumn(bar_width=20),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=total)
        started = False

        def advance(label: str, detail: bool = False) -> None:
            nonlocal started
            if started and not detail:
                progress.advance(task)
            started = True
            progress.update(task, description=label)

        yield advance
        progress.advance(task)


@app.command()
def validate(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Portfolio file (.yaml, .yml or .json).")],
) -> None:
    """Check a portfolio file; exit 0 when valid, 1 with every error when not."""

    def work() -> None:
        c = validate_file(file)
        console.print(
            f"{file}: valid — {c.plants} plants, {c.lines} lines, "
            f"{c.products} products, {c.orders} orders, {c.days} days"
        )

    run_guarded(ctx, work)


@app.command()
def plan(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Portfolio file (.yaml, .yml or .json).")],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for plan.json, plan.xlsx, report.html.")
    ] = Path("out"),
    planner: Planner = "optimise",
    save: Annotated[
        bool,
        typer.Option("--save/--no-save", help="Keep portfolio and plan versions in the database."),
    ] = True,
    time_limit: TimeLimit = 10.0,
    workers: Workers = 1,
    seed: Seed = 0,
    time_budget: TimeBudget = None,
    robust: Annotated[
        bool,
        typer.Option("--robust", help="First choose the fuel allocation over sampled scenarios."),
    ] = False,
    samples: Annotated[
        int,
        typer.Option(
            "--samples", min=1, max=MAX_SAMPLES, help="With --robust: training scenarios."
        ),
    ] = 20,
    holdout: Annotated[
        int,
        typer.Option(
            "--holdout", min=1, max=MAX_SAMPLES, help="With --robust: held-out scenarios."
        ),
    ] = 50,
    dask_scheduler: scenarios.DaskOpt = None,
) -> None:
    """Plan a portfolio file and write plan.json, plan.xlsx and report.html."""
    params = SolveParams(time_limit_s=time_limit, workers=workers, seed=seed)
    request = PlanRequest(
        planner, params, time_budget, save, note=str(file), dask_scheduler=dask_scheduler
    )
    chosen: Portfolio | None = None
    if robust:  # before the stage bar below: Rich shows one live display at a time
        chosen = run_guarded(
            ctx,
            lambda: scenarios.robust_portfolio(
                ctx, load_portfolio_file(file), "dispatch", samples, holdout, seed
            ),
        )

    def source() -> Portfolio:
        return chosen if chosen is not None else load_portfolio_file(file)

    run_guarded(ctx, lambda: _plan_and_write(ctx, source, out, request))


@app.command()
def demo(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the plan files and report.")
    ] = Path("out/demo"),
    write_portfolio: Annotated[
        Path | None,
        typer.Option(
            "--write-portfolio", help="Only write the demo portfolio to this YAML/JSON file."
        ),
    ] = None,
    planner: Planner = "optimise",
    time_limit: TimeLimit = 7.0,  # the whole demo stays under a minute on 2 cores
    workers: Workers = 1,
    seed: Seed = 0,
) -> None:
    """Load the demo portfolio, plan it, save both, print a summary and write the report."""
    if write_portfolio is not None:

        def write() -> None:
            write_portfolio_file(demo_portfolio(), write_portfolio)
            console.print(f"wrote the demo portfolio to {write_portfolio}")

        run_guarded(ctx, write)
        return
    params = SolveParams(time_limit_s=time_limit, workers=workers, seed=seed)
    request = PlanRequest(planner, params, None, True, note="demo")
    run_guarded(ctx, lambda: _plan_and_write(ctx, demo_portfolio, out, request))


def _plan_and_write(
    ctx: typer.Context, source: Callable[[], Portfolio], out: Path, request: PlanRequest
) -> None:
    bad_out = out_dir_problem(out, ("plan.json", "plan.xlsx", "report.html"))
    if bad_out:
        fail(bad_out)
    with steps(plan_stages(request)) as step:
        saved = plan_and_save(context_of(ctx), source, request, out, progress=step)
    outcome, files, timings = saved.outcome, saved.files, saved.timings
    console.print(plan_table(outcome.portfolio, outcome.plan, outcome.summary))
    plan_ = outcome.plan
    if plan_.bound:
        ratio = plan_.value / plan_.bound
        console.print(
            f"value {plan_.value:,.0f} / bound {plan_.bound:,.0f} = {ratio:.3f}", highlight=False
        )
    idle = outcome.summary.idle_litres_while_starving
    if outcome.portfolio.depots:
        console.print(f"idle litres while starving: {idle:,.0f} L", highlight=False)
    for line in outcome.summary.binding:
        console.print(f"[bold]binding[/bold] {escape(line)}", markup=True, highlight=False)
    for line in reasons_text(outcome.portfolio, plan_):
        console.print(line, highlight=False, markup=False)
    pv, plan_v = saved.portfolio_version, saved.plan_version
    if pv is not None and plan_v is not None:
        console.print(
            f"saved portfolio {pv.name!r} version {pv.version} and plan version {plan_v.version}"
        )
    console.print(f"wrote {files.plan_json}, {files.plan_xlsx}, {files.report_html}")
    console.print("took " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()), style="dim")


@app.command("check-plan")
def check_plan(
    ctx: typer.Context,
    portfolio_file: Annotated[
        Path, typer.Argument(help="The portfolio file the plan was made for.")
    ],
    plan_json: Annotated[Path, typer.Argument(help="A plan.json written by `ingenio plan`.")],
) -> None:
    """Run the independent validator on a plan file; exit 0 or 1 with every violation."""

    def work() -> None:
        found = check_plan_files(portfolio_file, plan_json)
        if found:
            err.print(violations_text(found), markup=False, highlight=False)
            err.print(f"[red]{len(found)} violation(s)[/red]", markup=True)
            raise typer.Exit(1)
        console.print(f"{plan_json}: valid — every rule holds")

    run_guarded(ctx, work)


# Sub-commands live in their own modules, one per area, each with a ``register``.
for _area in (bench, outages, scenarios, operations, accounts, telemetry):
    _area.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
