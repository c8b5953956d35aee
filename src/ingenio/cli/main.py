"""The ``ingenio`` command line: plan factories under blackouts from the terminal."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ingenio.cli import accounts, bench, operations, outages, scenarios
from ingenio.cli.out_dir import out_dir_problem
from ingenio.cli.render import plan_table, reasons_text, violations_text
from ingenio.domain import DomainError, Portfolio
from ingenio.limits import MAX_SAMPLES

app = typer.Typer(
    name="ingenio",
    help="Plan a portfolio of factories when the grid fails on a schedule and fuel is scarce.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(markup=False)
err = Console(markup=False, stderr=True, soft_wrap=True)
T = TypeVar("T")

PlannerOption = Annotated[
    str,
    typer.Option(
        "--planner", help="Planner: optimise (LP + CP-SAT per plant, default) or dispatch."
    ),
]
TimeLimit = Annotated[
    float, typer.Option("--time-limit", min=0.1, help="Seconds of search per plant (optimise).")
]
TimeBudget = Annotated[
    float | None,
    typer.Option(
        "--time-budget",
        min=1.0,
        help="Seconds for the whole optimiser run (LP, plants, merge); per-plant "
        "search is cut to fit. Default: no budget.",
    ),
]
Workers = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        help="CP-SAT workers per plant; plants run in parallel on the CPUs left.",
    ),
]
Seed = Annotated[int, typer.Option("--seed", help="CP-SAT random seed.")]


@dataclass
class Options:
    """Options shared by every command."""

    db: str | None = None
    debug: bool = False


class Failure(Exception):
    """An expected failure: printed as one line, exit code 1."""


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL or SQLite file (default: $INGENIO_DB or user data dir)."
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """Ingenio: production planning for factories under rolling blackouts."""
    ctx.obj = Options(db=db, debug=debug)
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


def _opts(ctx: typer.Context) -> Options:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Options) else Options()


def run_guarded(ctx: typer.Context, work: Callable[[], T]) -> T:
    """Run ``work``; turn known errors into one clear line and exit 1 (unless --debug)."""
    try:
        return work()
    except typer.Exit:
        raise
    except DomainError as exc:
        if _opts(ctx).debug:
            raise
        for issue in exc.issues:
            err.print(issue.render(exc.source), markup=False, highlight=False)
        err.print(f"[red]{len(exc.issues)} error(s); nothing was written.[/red]", markup=True)
        raise typer.Exit(1) from None
    except Failure as exc:
        if _opts(ctx).debug:
            raise
        err.print(f"[red]error:[/red] {escape(str(exc))}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    except Exception as exc:
        if _opts(ctx).debug:
            raise
        err.print(
            f"[red]error:[/red] {type(exc).__name__}: {escape(str(exc))}",
            markup=True,
            highlight=False,
        )
        raise typer.Exit(1) from None


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


def _load(path: Path) -> Portfolio:
    from ingenio.formats.portfolio import load_portfolio

    if not path.exists():
        raise Failure(f"{path}: no such file")
    return load_portfolio(path)


@app.command()
def validate(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Portfolio file (.yaml, .yml or .json).")],
) -> None:
    """Check a portfolio file; exit 0 when valid, 1 with every error when not."""

    def work() -> None:
        p = _load(file)
        n_lines = sum(len(pl.lines) for pl in p.plants)
        console.print(
            f"{file}: valid — {len(p.plants)} plants, {n_lines} lines, "
            f"{len(p.products)} products, {len(p.orders)} orders, {p.horizon.days} days"
        )

    run_guarded(ctx, work)


@app.command()
def plan(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Portfolio file (.yaml, .yml or .json).")],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for plan.json, plan.xlsx, report.html.")
    ] = Path("out"),
    planner: PlannerOption = "optimise",
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
) -> None:
    """Plan a portfolio file and write plan.json, plan.xlsx and report.html."""
    solve = (time_limit, workers, seed, time_budget)
    chosen: Portfolio | None = None
    if robust:  # before the stage bar below: Rich shows one live display at a time
        chosen = run_guarded(
            ctx, lambda: scenarios.robust_portfolio(_load(file), "dispatch", samples, holdout, seed)
        )

    def source() -> Portfolio:
        return chosen if chosen is not None else _load(file)

    run_guarded(
        ctx,
        lambda: _plan_and_write(ctx, source, out, planner, save, note=str(file), solve=solve),
    )


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
    planner: PlannerOption = "optimise",
    time_limit: TimeLimit = 7.0,  # the whole demo stays under a minute on 2 cores
    workers: Workers = 1,
    seed: Seed = 0,
) -> None:
    """Load the demo portfolio, plan it, save both, print a summary and write the report."""
    from ingenio.data.demo import build_demo_portfolio

    if write_portfolio is not None:

        def write() -> None:
            from ingenio.formats.portfolio import dump_portfolio

            dump_portfolio(build_demo_portfolio(), write_portfolio)
            console.print(f"wrote the demo portfolio to {write_portfolio}")

        run_guarded(ctx, write)
        return
    solve = (time_limit, workers, seed, None)
    run_guarded(
        ctx,
        lambda: _plan_and_write(
            ctx, build_demo_portfolio, out, planner, True, note="demo", solve=solve
        ),
    )


def _plan_and_write(
    ctx: typer.Context,
    source: Callable[[], Portfolio],
    out: Path,
    planner: str,
    save: bool,
    note: str,
    solve: tuple[float, int, int, float | None] = (10.0, 2, 0, None),
) -> None:
    from ingenio.planning.optimise import OptimiseProgress
    from ingenio.planning.schedule import SolveParams
    from ingenio.services.planning import PLANNERS, make_plan, save_versions, write_plan_files
    from ingenio.store.repository import Store
    from ingenio.store.settings import resolve_url

    if planner not in PLANNERS:
        raise Failure(f"--planner: unknown planner {planner!r} (choose from {', '.join(PLANNERS)})")
    bad_out = out_dir_problem(out, ("plan.json", "plan.xlsx", "report.html"))
    if bad_out:
        raise Failure(bad_out)
    timings: dict[str, float] = {}
    with steps(4 if save else 3) as step:
        t0 = time.perf_counter()
        step("reading the portfolio")
        portfolio = source()
        timings["read"] = time.perf_counter() - t0
        step(f"planning with {planner}")

        def live(e: OptimiseProgress) -> None:
            if e.stage == "allocate":
                step(f"planning with {planner}: fuel across plants (LP)", detail=True)
                return
            step(
                f"planning with {planner}: {e.stage}, plants {e.plants_done}/{e.plants}, "
                f"value {e.value:,.0f} / bound {e.bound:,.0f}",
                detail=True,
            )

        params = SolveParams(time_limit_s=solve[0], workers=solve[1], seed=solve[2])
        outcome = make_plan(
            portfolio, planner, params=params, progress=live, time_budget_s=solve[3]
        )
        timings["plan"] = outcome.seconds
        if outcome.violations:
            raise Failure(
                f"the {planner} plan breaks {len(outcome.violations)} rule(s); "
                f"first: {outcome.violations[0]}"
            )
        step("writing plan.json, plan.xlsx and report.html")
        t1 = time.perf_counter()
        files = write_plan_files(outcome, out)
        timings["write"] = time.perf_counter() - t1
        if save:
            step("saving versions in the database")
            with Store.open(resolve_url(_opts(ctx).db)) as store:
                pv, plan_v = save_versions(store, outcome, note=note)
    console.print(plan_table(outcome.portfolio, outcome.plan, outcome.summary))
    plan_ = outcome.plan
    if plan_.bound:
        ratio = plan_.value / plan_.bound
        console.print(
            f"value {plan_.value:,.0f} / bound {plan_.bound:,.0f} = {ratio:.3f}", highlight=False
        )
    for line in outcome.summary.binding:
        console.print(f"[bold]binding[/bold] {escape(line)}", markup=True, highlight=False)
    for line in reasons_text(outcome.portfolio, plan_):
        console.print(line, highlight=False, markup=False)
    if save:
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
    from ingenio.services.planning import check_plan_file

    def work() -> None:
        portfolio = _load(portfolio_file)
        if not plan_json.exists():
            raise Failure(f"{plan_json}: no such file")
        found = check_plan_file(portfolio, plan_json)
        if found:
            err.print(violations_text(found), markup=False, highlight=False)
            err.print(f"[red]{len(found)} violation(s)[/red]", markup=True)
            raise typer.Exit(1)
        console.print(f"{plan_json}: valid — every rule holds")

    run_guarded(ctx, work)


# Sub-commands live in their own modules, one per area, each with a ``register``.
for _area in (bench, outages, scenarios, operations, accounts):
    _area.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
