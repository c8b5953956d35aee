"""The ``ingenio`` command line: plan factories under blackouts from the terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ingenio.cli import accounts, bench, operations, outages, scenarios, telemetry
from ingenio.cli.consoles import make_console
from ingenio.cli.errors import CliState, context_of, fail, run_guarded
from ingenio.cli.lang import N_, _, current, marked, num, service_text, use
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


class Language(StrEnum):
    """The languages of ``--lang`` (those of :data:`ingenio.i18n.LANGUAGES`)."""

    es = "es"
    ru = "ru"
    en = "en"


Lang = Annotated[
    Language | None,
    typer.Option(
        "--lang",
        help="Language of the output: es, ru or en (default: $INGENIO_LANG, else the "
        "locale, else en). --json output is the same in every language.",
    ),
]

TIMING_NAMES = {"read": N_("read"), "plan": N_("plan"), "write": N_("write")}
"""The stages of ``took ...`` (keys of the services' timings)."""


@app.callback()
def main(
    ctx: typer.Context,
    db: DbUrl = None,
    debug: Debug = False,
    lang: Lang = None,
) -> None:
    """Ingenio: production planning for factories under rolling blackouts."""
    use(None if lang is None else lang.value)  # first: a database error is told in it too
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
        err.print(_("stopped (SIGTERM); nothing more is written"), markup=False)
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
        task = progress.add_task(_("starting"), total=total)
        started = False

        def advance(label: str, detail: bool = False) -> None:
            nonlocal started
            if started and not detail:
                progress.advance(task)
            started = True
            progress.update(task, description=service_text(label))

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
            _(
                "%(file)s: valid — %(plants)s plants, %(lines)s lines, %(products)s products, "
                "%(orders)s orders, %(days)s days",
                file=file, plants=num(c.plants), lines=num(c.lines), products=num(c.products),
                orders=num(c.orders), days=num(c.days),
            )
        )  # fmt: skip

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
    stage: Annotated[
        int | None,
        typer.Option(
            "--stage",
            min=0,
            max=8,
            help="Plan against this load-shedding stage (0-8) for certain instead of the "
            "expected stage of the forecast.",
        ),
    ] = None,
    stage_days: Annotated[
        int | None,
        typer.Option(
            "--stage-days", min=1, help="With --stage: only the first N dates of each schedule."
        ),
    ] = None,
    dask_scheduler: scenarios.DaskOpt = None,
) -> None:
    """Plan a portfolio file and write plan.json, plan.xlsx and report.html."""
    params = SolveParams(time_limit_s=time_limit, workers=workers, seed=seed)
    note = str(file) if stage is None else f"{file} at stage {stage}"
    request = PlanRequest(
        planner, params, time_budget, save, note=note, lang=current(), stage=stage,
        stage_days=stage_days, dask_scheduler=dask_scheduler,
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
            console.print(_("wrote the demo portfolio to %(path)s", path=write_portfolio))

        run_guarded(ctx, write)
        return
    params = SolveParams(time_limit_s=time_limit, workers=workers, seed=seed)
    request = PlanRequest(planner, params, None, True, "demo", current())
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
            _(
                "value %(value)s / bound %(bound)s = %(ratio)s",
                value=num(plan_.value), bound=num(plan_.bound), ratio=num(ratio, 3),
            ),
            highlight=False,
        )
    idle = outcome.summary.idle_litres_while_starving
    if outcome.portfolio.depots:
        console.print(
            _("idle litres while starving: %(litres)s L", litres=num(idle)), highlight=False
        )
    for line in outcome.summary.binding:
        console.print(
            marked("bold", _("binding")) + " " + escape(service_text(line)),
            markup=True,
            highlight=False,
        )
    for line in reasons_text(outcome.portfolio, plan_):
        console.print(line, highlight=False, markup=False)
    pv, plan_v = saved.portfolio_version, saved.plan_version
    if pv is not None and plan_v is not None:
        console.print(
            _(
                "saved portfolio %(name)s version %(version)s and plan version %(plan)s",
                name=repr(pv.name), version=pv.version, plan=plan_v.version,
            )
        )
    console.print(
        _(
            "wrote %(plan_json)s, %(plan_xlsx)s, %(report)s",
            plan_json=files.plan_json, plan_xlsx=files.plan_xlsx, report=files.report_html,
        )
    )
    took = ", ".join(
        _("%(stage)s %(seconds)s s", stage=_(TIMING_NAMES[k]) if k in TIMING_NAMES else k,
          seconds=num(v, 2))
        for k, v in timings.items()
    )  # fmt: skip
    console.print(_("took %(stages)s", stages=took), style="dim")


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
            err.print(
                marked("red", _("%(count)s violation(s)", count=len(found))), markup=True
            )
            raise typer.Exit(1)
        console.print(_("%(file)s: valid — every rule holds", file=plan_json))

    run_guarded(ctx, work)


# Sub-commands live in their own modules, one per area, each with a ``register``.
for _area in (bench, outages, scenarios, operations, accounts, telemetry):
    _area.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
