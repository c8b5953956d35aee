"""Rule ``islanding`` of the plan validator: solar-powered work in a blackout.

Private helper of :mod:`ingenio.validate`. A grid-tied array (``Solar.islanding`` is
False) trips with the grid, so an operation the plan says runs on ``solar`` cannot
run while the plant's grid is off; the ``power`` rule already counts no solar then,
this rule names the operation whose power source is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

from ingenio.domain import N_, Portfolio, PowerSource, Violation, said
from ingenio.validate.energy import Job, when


def check_islanding(portfolio: Portfolio, jobs: Sequence[Job], out: list[Violation]) -> None:
    """Rule ``islanding``: an operation powered by ``solar`` (whose step draws power)
    overlaps no grid-off window of its plant unless the plant's array can island (and
    needs an array at all)."""
    h = portfolio.horizon
    for job in jobs:
        if job.line is None or job.op.source is not PowerSource.SOLAR or job.step.power_kw <= 0:
            continue
        plant = portfolio.plant(job.line.plant_id)
        if plant.solar is None:
            out.append(
                Violation.of(
                    "islanding",
                    said(
                        N_(
                            "operation %(op)s on line %(line)s runs on solar but plant %(plant)s "
                            "has no solar array"
                        ),
                        op=job.name,
                        line=job.line.id,
                        plant=plant.id,
                    ),
                    job.order.id,
                )
            )
            continue
        if plant.solar.islanding:
            continue
        for w in portfolio.grid_off(plant.id):
            a, b = max(w.start, job.op.start), min(w.end, job.op.end)
            if a < b:
                out.append(
                    Violation.of(
                        "islanding",
                        said(
                            N_(
                                "operation %(op)s on line %(line)s runs on solar at %(when)s "
                                "while the grid of plant %(plant)s is off (minutes [%(start)s, "
                                "%(end)s)); its array is grid-tied (solar.islanding false) and "
                                "trips with the grid"
                            ),
                            op=job.name,
                            line=job.line.id,
                            when=when(h, a),
                            plant=plant.id,
                            start=w.start,
                            end=w.end,
                        ),
                        job.order.id,
                    )
                )
                break
