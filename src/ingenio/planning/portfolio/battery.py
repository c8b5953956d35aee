"""The portfolio LP's battery family: stored energy per bucket.

Private to :mod:`ingenio.planning.portfolio`; the notation is that of :mod:`.model`.
"""

from __future__ import annotations

import numpy as np

from ingenio.domain import MINUTES_PER_HOUR
from ingenio.planning.portfolio.model import PortfolioModel


def define_battery_storage(m: PortfolioModel) -> None:
    """Batteries: for battery ``k`` of a plant and bucket ``b``,
    ``S[k, b] = S[k, b-1] + eta_k * C[k, b] - D[k, b]`` with ``S[k, -1] = initial``,
    ``floor_k <= S[k, b] <= capacity_k``, ``0 <= D[k, b] <= power_kw * hours(b)``,
    ``0 <= C[k, b] <= charge_kw * hours(b)``; ``D`` enters the plant's energy row of
    bucket ``b`` as supply and ``C`` as load (:func:`.supply.define_energy_balance`).

    Valid: from any valid plan take ``D`` and ``C`` as the kWh its flows give and take
    in the bucket; rule ``battery-soc`` holds at every minute, so at bucket ends too;
    rule ``power`` counts charge as load and discharge as supply at every minute, so
    over the bucket too; ``battery-flow`` bounds the powers. Left out: where the
    charge comes from (fuel-free or not), the state of charge inside a bucket.
    """
    for plant in m.portfolio.plants:
        if not plant.batteries:
            continue
        edges = m.edges[plant.id]
        for bat in plant.batteries:
            prev: int | None = None
            for b in range(len(edges) - 1):
                hours = (edges[b + 1] - edges[b]) / MINUTES_PER_HOUR
                d = m.lp.add_col(0.0, bat.power_kw * hours)
                c = m.lp.add_col(0.0, bat.charge_kw * hours)
                s = m.lp.add_col(bat.floor_kwh, bat.capacity_kwh)
                terms = [(s, 1.0), (c, -bat.efficiency), (d, 1.0)]
                rhs = bat.initial_kwh if prev is None else 0.0
                if prev is not None:
                    terms.append((prev, -1.0))
                m.lp.add_row(terms, lo=rhs, hi=rhs)
                prev = s
                cols, coefs = m.battery_terms.get((plant.id, b), (np.zeros(0, np.int64), []))
                m.battery_terms[(plant.id, b)] = (
                    np.concatenate((cols, np.array([d, c], dtype=np.int64))),
                    [*coefs, -1.0, 1.0],
                )
