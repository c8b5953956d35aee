"""Generator runs as a generator really runs: warm-up before the load, minimum runs.

Shared by the planners (dispatch, the CP-SAT plant model's plan builder). A planner
first says at which output each generator carries load; :func:`shape_runs` then adds
what ``start_minutes`` and ``min_run_minutes`` force (``docs/plan-rules.md``,
``generator-start``, ``generator-run``):

* a stretch shorter than ``min_run_minutes`` keeps running at its minimum load after
  its load stops, until the minimum run is done (or the horizon ends), without
  overlapping the generator's next stretch (it joins it instead);
* a stop shorter than ``start_minutes`` cannot be restarted in time: the generator
  keeps running at its minimum load through the gap.

:func:`slot_burn` is the exact fuel of a set of runs per slot, as the validator
counts it: running burn, each start's litres at its crank minute, and the warm-up's
no-load burn over ``[start - start_minutes, start)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from ingenio.domain import Generator, GeneratorRun

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "earliest_load",
    "run_litres",
    "shape_runs",
    "slot_burn",
    "start_burns",
    "stretches",
]


def earliest_load(g: Generator) -> int:
    """First minute ``g`` can carry load: its warm-up must begin at or after minute 0."""
    return g.start_minutes


def stretches(runs: Iterable[GeneratorRun]) -> list[tuple[int, int]]:
    """``(start, end)`` of the stretches of touching or overlapping runs, in time order."""
    out: list[tuple[int, int]] = []
    for r in sorted(runs, key=lambda r: (r.start, r.end)):
        if out and r.start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], r.end))
        else:
            out.append((r.start, r.end))
    return out


def shape_runs(
    generators: Mapping[str, Generator], runs: Iterable[GeneratorRun], horizon: int
) -> list[GeneratorRun]:
    """``runs`` plus the minimum-load runs that minimum runs and restart times force.

    Runs of generators without ``start_minutes`` or ``min_run_minutes`` are returned
    as they are. The added runs never overlap a run of the same generator.
    """
    per_gen: dict[str, list[GeneratorRun]] = defaultdict(list)
    for r in runs:
        per_gen[r.generator_id].append(r)
    out: list[GeneratorRun] = []
    for gid, mine in per_gen.items():
        out.extend(mine)
        g = generators.get(gid)
        if g is None or not g.timed:
            continue
        spans = stretches(mine)
        start, end = spans[0]
        for nxt in [*spans[1:], None]:
            until = min(horizon, max(end, start + g.min_run_minutes))
            limit = horizon if nxt is None else nxt[0]
            if until > end:  # the minimum run goes on at the minimum load
                stop = min(until, limit)
                if stop > end:
                    out.append(GeneratorRun(gid, end, stop, g.min_kw))
                end = stop
            if nxt is None:
                break
            if nxt[0] <= end or nxt[0] - end < g.start_minutes:
                if nxt[0] > end:  # too short a stop to start again: keep running
                    out.append(GeneratorRun(gid, end, nxt[0], g.min_kw))
                end = max(end, nxt[1])
                continue
            start, end = nxt
    return sorted(out, key=lambda r: (r.generator_id, r.start))


def slot_burn(
    generators: Mapping[str, Generator], runs: Iterable[GeneratorRun], size: int, n: int
) -> FloatArray:
    """Litres burned in each of ``n`` slots of ``size`` minutes by ``runs`` (exact:
    running, start litres at the crank minute, warm-up at no load)."""
    runs = list(runs)
    minutes = n * size
    full = np.zeros(n + 1)  # change of the litres per whole slot, at each slot
    burn = np.zeros(n)
    spans: list[tuple[int, int, float]] = [
        (r.start, r.end, generators[r.generator_id].litres_per_hour(r.output_kw) / 60) for r in runs
    ]
    for crank, start, per_minute, litres in start_burns(generators, runs):
        spans.append((crank, start, per_minute))
        if litres > 0 and 0 <= crank < minutes:
            burn[crank // size] += litres
    for lo, hi, per_minute in spans:
        lo, hi = max(lo, 0), min(hi, minutes)
        if hi <= lo or per_minute <= 0:
            continue
        first, last = lo // size, hi // size  # slots of the first and the end minute
        if first == last:
            burn[first] += per_minute * (hi - lo)
            continue
        burn[first] += per_minute * ((first + 1) * size - lo)
        full[first + 1] += per_minute * size
        full[last] -= per_minute * size
        if last < n:
            burn[last] += per_minute * (hi - last * size)
    burn += np.cumsum(full[:n])
    return burn


def start_burns(
    generators: Mapping[str, Generator], runs: Iterable[GeneratorRun]
) -> list[tuple[int, int, float, float]]:
    """``(crank, start, warm-up litres per minute, start litres)`` of every start of
    ``runs`` (generators not in ``generators`` left out)."""
    mine: dict[str, list[GeneratorRun]] = defaultdict(list)
    for r in runs:
        if r.generator_id in generators and r.end > r.start:
            mine[r.generator_id].append(r)
    out: list[tuple[int, int, float, float]] = []
    for gid, rs in mine.items():
        g = generators[gid]
        if g.start_litres <= 0 and g.start_minutes <= 0:
            continue
        rate = g.litres(0.0, 1) if g.start_minutes > 0 else 0.0
        for start, _ in stretches(rs):
            out.append((start - g.start_minutes, start, rate, g.start_litres))
    return sorted(out)


def run_litres(generators: Mapping[str, Generator], runs: Iterable[GeneratorRun]) -> float:
    """All fuel of ``runs``: running, starts and warm-ups (unknown generators left out)."""
    runs = list(runs)
    total = sum(
        generators[r.generator_id].litres(r.output_kw, r.end - r.start)
        for r in runs
        if r.generator_id in generators
    )
    for crank, start, rate, litres in start_burns(generators, runs):
        total += litres + rate * (start - crank)
    return total
