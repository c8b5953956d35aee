"""``ingenio bench solve FILE --format {psplib,jssp}``: solve a standard scheduling instance
with Ingenio's own model and check it (the work is in :mod:`ingenio.services.bench`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ingenio.cli.lang import _, marked, num
from ingenio.domain import DomainError
from ingenio.services.bench import BenchRun, Format, solve_instance

console = Console()
err = Console(stderr=True)


def _one_line(exc: Exception) -> str:
    """A single line describing an expected failure."""
    if isinstance(exc, DomainError):
        first = exc.issues[0].render(exc.source) if exc.issues else str(exc)
        more = len(exc.issues) - 1
        return first + (" " + _("(and %(count)s more problem(s))", count=more) if more > 0 else "")
    if isinstance(exc, FileNotFoundError | ImportError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _debug(ctx: typer.Context) -> bool:
    """True when the root ``--debug`` option was given."""
    return bool(getattr(ctx.find_root().obj, "debug", False))


def _summary(run: BenchRun) -> str:
    """The short human line of a run."""
    bound = (
        _("no bound")
        if run.lower_bound is None
        else _("lower bound %(bound)s", bound=run.lower_bound)
    )
    verdict = (
        marked("green", _("valid"))
        if run.valid
        else marked("red", _("INVALID")) + " " + escape(str(run.first_violation))
    )
    span = _("none") if run.makespan is None else str(run.makespan)
    said = _("makespan %(makespan)s (%(bound)s, %(status)s) in %(seconds)s s",
             makespan=span, bound=bound, status=run.status,
             seconds=num(run.seconds, 2))  # fmt: skip
    return f"[bold]{escape(run.instance)}[/bold]: {escape(said)} — {verdict}"


def register(app: typer.Typer) -> None:
    """Add the ``bench`` command group to the main ``ingenio`` app."""
    bench_app = typer.Typer(
        help="Solve standard scheduling benchmarks (PSPLIB, job shop) with Ingenio's model.",
        no_args_is_help=True,
    )

    @bench_app.command("solve")
    def solve(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Instance file (.sm or job-shop text).")],
        fmt: Annotated[Format, typer.Option("--format", help="File format: psplib (.sm) or jssp.")],
        time_limit: Annotated[
            float, typer.Option("--time-limit", min=0.0, help="Solver time limit, seconds.")
        ] = 10.0,
        workers: Annotated[int, typer.Option("--workers", min=1, help="Solver threads.")] = 2,
        seed: Annotated[int, typer.Option("--seed", help="Solver random seed.")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Minimise the makespan of one instance; print makespan, bound, status, validity."""
        try:
            run = solve_instance(file, fmt.value, time_limit=time_limit, workers=workers, seed=seed)
        except Exception as exc:
            if _debug(ctx):
                raise
            err.print(
                marked("red", _("error:")) + " " + escape(_one_line(exc)),
                markup=True,
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None
        if as_json:
            typer.echo(json.dumps(run.as_dict()))
        else:
            console.print(_summary(run), markup=True, highlight=False, soft_wrap=True)
        if not run.valid:
            raise typer.Exit(1)

    app.add_typer(bench_app, name="bench")
