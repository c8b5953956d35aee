"""Generator starts for the plan validator: each start burns ``start_litres``.

Private helper of :mod:`ingenio.validate`. Runs of one generator that touch or overlap
form one stretch of running; a stretch starts once (``docs/plan-rules.md``,
``fuel-reserve``).
"""

from __future__ import annotations

from collections import defaultdict

from ingenio.domain import GeneratorRun, Plan, Portfolio


def generator_starts(portfolio: Portfolio, plan: Plan) -> dict[str, dict[int, float]]:
    """Per plant, litres burned by starts at each minute (generators with start costs)."""
    runs: dict[str, list[GeneratorRun]] = defaultdict(list)
    for run in plan.generator_runs:
        if portfolio.has("generator", run.generator_id) and run.end > run.start:
            if portfolio.generator(run.generator_id).start_litres > 0:
                runs[run.generator_id].append(run)
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for gid, mine in runs.items():
        g = portfolio.generator(gid)
        reach = None
        for run in sorted(mine, key=lambda r: (r.start, r.end)):
            if reach is None or run.start > reach:
                starts = out[g.plant_id]
                starts[run.start] = starts.get(run.start, 0.0) + g.start_litres
            reach = run.end if reach is None else max(reach, run.end)
    return out
