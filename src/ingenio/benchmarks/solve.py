"""Solve a benchmark instance with Ingenio's own model and check the plan.

:func:`solve_instance` reads a file, converts it into a one-plant portfolio,
minimises its makespan with the plant scheduler and runs the independent
validator; ``ingenio bench solve`` and ``bench/standard.py`` both call it.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ingenio.benchmarks.formats import BenchFormat, Format, load_benchmark
from ingenio.domain import OrderStatus, Plan, Portfolio

__all__ = ["BenchRun", "makespan_of", "solve_instance", "solve_portfolio"]


@dataclass(frozen=True)
class BenchRun:
    """What one solve of a benchmark instance gave.

    ``makespan`` is the latest end of any operation (minutes = instance time units),
    None when no complete plan was found; ``lower_bound`` the solver's proven bound on
    the makespan, rounded up to a whole unit; ``valid`` means the validator found no
    violation and every order is scheduled; ``seconds`` is the solver's time and
    ``wall_seconds`` the whole path (read, convert, solve, validate).
    """

    instance: str
    format: str
    makespan: int | None
    lower_bound: int | None
    status: str
    seconds: float
    valid: bool
    violations: int
    orders: int
    unscheduled: int
    wall_seconds: float
    first_violation: str = ""

    @property
    def proven_optimal(self) -> bool:
        """True when the makespan meets the lower bound (or the solver says optimal)."""
        if self.makespan is None:
            return False
        return self.status == "optimal" or self.lower_bound == self.makespan

    def as_dict(self) -> dict[str, object]:
        """The JSON object printed by ``ingenio bench solve --json``."""
        return asdict(self)


def makespan_of(plan: Plan) -> int | None:
    """Latest end of an operation of the plan, None when it has none."""
    return max((op.end for op in plan.operations), default=None)


def solve_portfolio(
    portfolio: Portfolio,
    *,
    fmt: str,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    started: float | None = None,
) -> BenchRun:
    """Minimise the makespan of a converted benchmark portfolio and validate the plan.

    Parameters
    ----------
    portfolio : Portfolio
        A one-plant portfolio from :func:`ingenio.benchmarks.load_benchmark`.
    fmt : str
        The format it came from (reported only).
    time_limit : float
        Solver time limit in seconds.
    workers : int
        Solver threads.
    seed : int
        Solver random seed.
    started : float, optional
        ``time.perf_counter()`` when reading began, for ``wall_seconds``.

    Returns
    -------
    BenchRun
        Makespan, bound, status, timings and the validator's verdict.
    """
    from ingenio.planning.schedule import SolveParams, schedule_plant  # CP-SAT: load on use
    from ingenio.validate import validate

    began = time.perf_counter() if started is None else started
    params = SolveParams(time_limit_s=time_limit, workers=workers, seed=seed, objective="makespan")
    hint = _heuristic_start(portfolio, time_limit, seed) if HEURISTIC_SHARE > 0 else None
    result = schedule_plant(portfolio, params, hint=hint)
    plan = result.plan
    violations = validate(portfolio, plan)
    unscheduled = plan.count(OrderStatus.UNSCHEDULED)
    makespan = makespan_of(plan) if unscheduled == 0 else None
    raw = None if result.bound is None else float(result.bound)
    bound = None if raw is None or not math.isfinite(raw) else math.ceil(raw - 1e-6)
    return BenchRun(
        instance=portfolio.name,
        format=fmt,
        makespan=makespan,
        lower_bound=bound,
        status=str(result.status).lower(),
        seconds=round(float(result.seconds), 3),
        valid=not violations and unscheduled == 0 and makespan is not None,
        violations=len(violations),
        orders=len(portfolio.orders),
        unscheduled=unscheduled,
        wall_seconds=round(time.perf_counter() - began, 3),
        first_violation=str(violations[0]) if violations else "",
    )


HEURISTIC_SHARE = 0.1
"""Share of the time limit the serial-SGS start may take (0: the solver's own start)."""


def _heuristic_start(portfolio: Portfolio, time_limit: float, seed: int) -> Plan | None:
    """CP-SAT's warm start for a plain project (RCPSP): the best serial-SGS schedule
    with forward-backward improvement when it beats the dispatch start, else None (the
    plant solver then makes its own start)."""
    from ingenio.benchmarks.sgs import improve_start
    from ingenio.planning.schedule import makespan_start

    base = makespan_start(portfolio)
    better = improve_start(portfolio, base, seconds=HEURISTIC_SHARE * time_limit, seed=seed)
    return better if better is not None else base


def solve_instance(
    path: Path | str,
    fmt: str,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
) -> BenchRun:
    """Read, convert, solve (makespan) and validate one benchmark file.

    Raises
    ------
    DomainError
        When the file is malformed.
    FileNotFoundError
        When there is no such file.
    """
    began = time.perf_counter()
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file")
    kind: BenchFormat = "psplib" if Format(fmt) is Format.PSPLIB else "jssp"
    portfolio = load_benchmark(p, kind)
    return solve_portfolio(
        portfolio, fmt=fmt, time_limit=time_limit, workers=workers, seed=seed, started=began
    )
