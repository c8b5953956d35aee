"""When a disrupted plant stops and when it runs production again.

A plant *produces* at a minute when an operation of the plan runs on one of its
lines. Comparing a variant plan with the base plan, a **stoppage** of a plant is
a maximal stretch ``[stopped_at, resumes_at)`` in which the variant runs nothing
at the plant while the base plan ran it for at least ``min_lost`` minutes (the
*lost* production time). ``stopped_at`` is the end of the variant's last
production before the stretch (0 when there is none); ``resumes_at`` is the
start of its first production after it, the **resumption**, or None when the
plant does not produce again within the horizon.

Pure: plans and portfolios in, minutes out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ingenio.domain import Plan, Portfolio, Window, merge_windows

__all__ = [
    "MIN_LOST_MINUTES",
    "Stoppage",
    "all_stoppages",
    "main_stoppage",
    "production",
    "production_by_plant",
    "stoppages",
]

MIN_LOST_MINUTES = 480
"""Base production time a stretch must lose to count as a stoppage (8 h, a shift):
shorter losses are mostly the reshuffling of a re-plan (an order moved to the
next grid-on window), not a suspended or starved plant."""


@dataclass(frozen=True)
class Stoppage:
    """A plant idle in the variant while the base plan ran it.

    Attributes
    ----------
    plant_id
        The plant.
    stopped_at
        End of the variant's last production before the stop (0: none before).
    resumes_at
        Start of the variant's first production after it; None within the horizon.
    lost_minutes
        Minutes the base plan produced at the plant inside the stop.
    first_lost
        First minute inside the stop at which the base plan produced.
    """

    plant_id: str
    stopped_at: int
    resumes_at: int | None
    lost_minutes: int
    first_lost: int


def production(portfolio: Portfolio, plan: Plan, plant_id: str) -> tuple[Window, ...]:
    """Merged windows in which some line of ``plant_id`` runs an operation of ``plan``."""
    return production_by_plant(portfolio, plan).get(plant_id, ())


def production_by_plant(portfolio: Portfolio, plan: Plan) -> dict[str, tuple[Window, ...]]:
    """:func:`production` of every plant (plants without operations map to ``()``)."""
    spans: dict[str, list[Window]] = {p.id: [] for p in portfolio.plants}
    for op in plan.operations:
        if portfolio.has("line", op.line_id):
            spans[portfolio.line(op.line_id).plant_id].append(Window(op.start, op.end))
    return {pid: merge_windows(ws) for pid, ws in spans.items()}


def _overlap(windows: Sequence[Window], start: int, end: int) -> int:
    return sum(max(0, min(w.end, end) - max(w.start, start)) for w in windows)


def stoppages(
    plant_id: str,
    base: Sequence[Window],
    variant: Sequence[Window],
    horizon_end: int,
    min_lost: int = MIN_LOST_MINUTES,
) -> tuple[Stoppage, ...]:
    """Every stoppage of a plant, in time order (module docstring).

    Parameters
    ----------
    plant_id
        Copied into the results.
    base, variant
        Merged production windows of the plant in the base and the variant plan.
    horizon_end
        Minutes in the horizon: a stretch reaching it does not resume.
    min_lost
        Least base production time lost for a stretch to count.

    Returns
    -------
    tuple of Stoppage
    """
    out: list[Stoppage] = []
    prev_end = 0
    for w in [*variant, None]:
        gap_end = horizon_end if w is None else min(w.start, horizon_end)
        if gap_end > prev_end:
            lost = _overlap(base, prev_end, gap_end)
            if lost >= min_lost:
                resumes = None if w is None or w.start >= horizon_end else w.start
                first = min(max(b.start, prev_end) for b in base if b.end > prev_end)
                out.append(Stoppage(plant_id, prev_end, resumes, lost, first))
        if w is not None:
            prev_end = max(prev_end, w.end)
    return tuple(out)


def main_stoppage(found: Sequence[Stoppage]) -> Stoppage | None:
    """The stoppage that loses the most base production (the earliest on ties), or None."""
    if not found:
        return None
    return max(found, key=lambda s: (s.lost_minutes, -s.stopped_at))


def all_stoppages(
    portfolio: Portfolio,
    base: Mapping[str, Sequence[Window]],
    variant_plan: Plan,
    min_lost: int = MIN_LOST_MINUTES,
) -> dict[str, tuple[Stoppage, ...]]:
    """Stoppages of every plant that has some, against the base production windows.

    Parameters
    ----------
    portfolio
        The variant portfolio (its plants and lines name the operations).
    base
        :func:`production_by_plant` of the base plan.
    variant_plan
        The variant's plan.
    min_lost
        See :func:`stoppages`.
    """
    produced = production_by_plant(portfolio, variant_plan)
    end = portfolio.horizon.minutes
    out: dict[str, tuple[Stoppage, ...]] = {}
    for plant in portfolio.plants:
        found = stoppages(plant.id, base.get(plant.id, ()), produced[plant.id], end, min_lost)
        if found:
            out[plant.id] = found
    return out
