"""Typed options shared by the commands: one definition, one meaning per flag."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = [
    "DbUrl",
    "Debug",
    "Planner",
    "Processes",
    "Seed",
    "TimeBudget",
    "TimeLimit",
    "Timezone",
    "Workers",
    "WorkersAlias",
]

DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL or SQLite file (default: $INGENIO_DB or user data dir)."
    ),
]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")]
Planner = Annotated[
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
Seed = Annotated[int, typer.Option("--seed", help="Random seed: same seed, same figures.")]
Processes = Annotated[int, typer.Option("--processes", help="Local worker processes.", min=1)]
WorkersAlias = Annotated[
    int | None,
    typer.Option("--workers", min=1, hidden=True, help="Deprecated: the old name of --processes."),
]
Timezone = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        help="Zone of times typed without an offset, e.g. America/Havana "
        "(default: $INGENIO_TIMEZONE).",
    ),
]
