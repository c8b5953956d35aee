"""Load-shedding stages in the portfolio file (``blocks[].load_shedding``).

The schedule mirrors EskomSePush's ``schedule.days[]``: per date, eight lists (stages
1..8) of local ``"HH:MM-HH:MM"`` ranges; a range whose end is not after its start runs
into the next day. The forecast gives ``{date, stage, probability}`` rows. Checks that
need several fields are in :func:`stage_issues` (run on the validated document); the
conversion both ways is :func:`load_shedding_of` and :func:`load_shedding_document`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from ingenio.domain import (
    N_,
    STAGES,
    Horizon,
    Issue,
    LoadShedding,
    StageDay,
    StageForecast,
    Window,
    said,
)
from ingenio.formats.portfolio.schema import LoadSheddingDoc, PortfolioDoc


def stage_issues(doc: PortfolioDoc) -> list[Issue]:
    """Dates given as whole days, each once in a schedule; forecast dates in the
    schedule, one row per date and stage, probabilities of a date adding up to <= 1."""
    out: list[Issue] = []
    for i, block in enumerate(doc.blocks):
        shed = block.load_shedding
        if shed is None:
            continue
        path = f"blocks[{i}].load_shedding"
        seen: dict[date, int] = {}
        for j, day in enumerate(shed.schedule):
            where = f"{path}.schedule[{j}].date"
            if day.date.time() != time():
                msg = said(N_("must be a date (no time of day)"))
                out.append(Issue.of(where, msg, day.date.isoformat()))
            elif day.date.date() in seen:
                first = f"{path}.schedule[{seen[day.date.date()]}]"
                msg = said(N_("date given twice; first at %(first)s"), first=first)
                out.append(Issue.of(where, msg, str(day.date.date())))
            else:
                seen[day.date.date()] = j
        total: dict[date, float] = defaultdict(float)
        rows: set[tuple[date, int]] = set()
        for j, f in enumerate(shed.forecast):
            where = f"{path}.forecast[{j}]"
            d = f.date.date()
            if d not in seen or f.date.time() != time():
                msg = said(N_("must be a date of the schedule"))
                out.append(Issue.of(f"{where}.date", msg, f.date.isoformat()))
                continue
            if (d, f.stage) in rows:
                msg = said(N_("stage given twice for %(day)s"), day=str(d))
                out.append(Issue.of(f"{where}.stage", msg, f.stage))
            rows.add((d, f.stage))
            total[d] += f.probability
            if total[d] > 1 + 1e-9:
                msg = said(
                    N_("the probabilities of %(day)s add up to %(total)g, more than 1"),
                    day=str(d),
                    total=total[d],
                )
                out.append(Issue.of(f"{where}.probability", msg, f.probability))
    return out


def _parse_range(text: str) -> tuple[time, time, bool]:
    """``"22:00-00:30"`` -> (22:00, 00:30, ends the next day)."""
    a, b = text.split("-")
    start = time(int(a[:2]), int(a[3:]))
    if b == "24:00":
        return start, time(), True
    end = time(int(b[:2]), int(b[3:]))
    return start, end, end <= start


def load_shedding_of(doc: LoadSheddingDoc, at: Callable[[datetime], int]) -> LoadShedding:
    """The domain schedule and forecast; ``at`` turns a local date-time into a minute."""
    days = []
    for day in doc.schedule:
        d = day.date.date()
        per_stage = []
        for ranges in day.stages:
            windows = []
            for text in ranges:
                start, end, next_day = _parse_range(text)
                a = at(datetime.combine(d, start))
                b = at(datetime.combine(d + timedelta(days=1) if next_day else d, end))
                windows.append(Window(a, b))
            per_stage.append(tuple(windows))
        days.append(StageDay(at(datetime.combine(d, time())), tuple(per_stage)))
    probs: dict[int, dict[int, float]] = defaultdict(dict)
    for f in doc.forecast:
        probs[at(datetime.combine(f.date.date(), time()))][f.stage] = f.probability
    forecast = tuple(StageForecast(day, p) for day, p in sorted(probs.items()))
    return LoadShedding(tuple(days), forecast)


def load_shedding_document(shed: LoadShedding, horizon: Horizon) -> dict[str, Any]:
    """The file document of a block's stages (local dates and clock times)."""

    def clock(minute: int) -> str:
        return f"{horizon.to_datetime(minute):%H:%M}"

    def day_text(minute: int) -> str:
        return f"{horizon.to_datetime(minute):%Y-%m-%d}"

    schedule = [
        {
            "date": day_text(d.day),
            "stages": [[f"{clock(w.start)}-{clock(w.end)}" for w in ws] for ws in d.windows],
        }
        for d in shed.days
    ]
    forecast = [
        {"date": day_text(f.day), "stage": s, "probability": p}
        for f in shed.forecast
        for s, p in sorted(f.probabilities.items())
    ]
    return {"schedule": schedule, "forecast": forecast}


__all__ = ["STAGES", "load_shedding_document", "load_shedding_of", "stage_issues"]
