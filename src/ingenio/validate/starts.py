"""Generator starts for the plan validator: cranking, warming up, minimum runs.

Private helper of :mod:`ingenio.validate`. Runs of one generator that touch or overlap
form one stretch of running; a stretch starts once (``docs/plan-rules.md``,
``fuel-reserve``, ``generator-start``, ``generator-run``). A stretch that carries load
from minute ``t`` was cranked at ``t - start_minutes``: the start's litres burn at once
then, and the warm-up burns the no-load fuel over ``[t - start_minutes, t)``.
"""

from __future__ import annotations

from collections import defaultdict

from ingenio.domain import Generator, GeneratorRun, Plan, Portfolio, Violation


def run_stretches(portfolio: Portfolio, plan: Plan) -> dict[str, list[tuple[int, int]]]:
    """Per known generator, its stretches ``(start, end)`` of touching runs, in time order."""
    runs: dict[str, list[GeneratorRun]] = defaultdict(list)
    for run in plan.generator_runs:
        if portfolio.has("generator", run.generator_id) and run.end > run.start:
            runs[run.generator_id].append(run)
    out: dict[str, list[tuple[int, int]]] = {}
    for gid, mine in runs.items():
        spans: list[tuple[int, int]] = []
        for run in sorted(mine, key=lambda r: (r.start, r.end)):
            if spans and run.start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], run.end))
            else:
                spans.append((run.start, run.end))
        out[gid] = spans
    return out


def generator_starts(portfolio: Portfolio, plan: Plan) -> dict[str, dict[int, float]]:
    """Per plant, litres burned by starts at each crank minute (generators with start
    costs)."""
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for gid, spans in run_stretches(portfolio, plan).items():
        g = portfolio.generator(gid)
        if g.start_litres <= 0:
            continue
        starts = out[g.plant_id]
        for start, _ in spans:
            at = start - g.start_minutes
            starts[at] = starts.get(at, 0.0) + g.start_litres
    return out


def warmups(portfolio: Portfolio, plan: Plan) -> dict[str, list[tuple[int, int, float]]]:
    """Per plant, ``(start, end, litres per minute)`` of every warm-up."""
    out: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for gid, spans in run_stretches(portfolio, plan).items():
        g = portfolio.generator(gid)
        rate = g.litres(0.0, 1)
        if g.start_minutes <= 0 or rate <= 0:
            continue
        for start, _ in spans:
            out[g.plant_id].append((start - g.start_minutes, start, rate))
    return out


def check_generator_timing(portfolio: Portfolio, plan: Plan, out: list[Violation]) -> None:
    """Rules ``generator-start`` (a warm-up lies after the origin and after the
    generator's previous stretch) and ``generator-run`` (a stretch lasts at least
    ``min_run_minutes`` unless it reaches the end of the horizon)."""
    end = portfolio.horizon.minutes
    for gid, spans in sorted(run_stretches(portfolio, plan).items()):
        g = portfolio.generator(gid)
        if not g.timed:
            continue
        prev: int | None = None
        for start, stop in spans:
            _check_start(g, start, prev, out)
            if stop - start < g.min_run_minutes and stop < end:
                out.append(
                    Violation(
                        "generator-run",
                        f"generator {gid} runs only {stop - start} min during minutes "
                        f"[{start}, {stop}); once started it must run at least "
                        f"{g.min_run_minutes} min (min_run_minutes)",
                        g.plant_id,
                    )
                )
            prev = stop


def _check_start(g: Generator, start: int, prev: int | None, out: list[Violation]) -> None:
    """A stretch carrying load from ``start``: its warm-up must fit before it."""
    if g.start_minutes <= 0:
        return
    crank = start - g.start_minutes
    if crank < 0:
        why = "before the plan's origin (minute 0)"
    elif prev is not None and crank < prev:
        why = f"while it still runs until minute {prev}"
    else:
        return
    out.append(
        Violation(
            "generator-start",
            f"generator {g.id} carries load from minute {start}, so it is cranked at "
            f"minute {crank} (start_minutes {g.start_minutes}), {why}",
            g.plant_id,
        )
    )
