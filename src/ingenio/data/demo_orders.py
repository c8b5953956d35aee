"""Random but reproducible orders for the demo, calibrated to overload each plant."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from ingenio.data.demo_common import Demand, Site, hm, local_minute
from ingenio.data.demo_figures import step_minutes
from ingenio.domain import MINUTES_PER_DAY, MINUTES_PER_HOUR, Horizon, Order

RELEASE_HOURS = (5, 15)
"""Orders are released between 05:00 and 15:00 local time."""


def draw_orders(
    rng: random.Random,
    horizon: Horizon,
    site: Site,
    minutes_on: Mapping[str, int],
    energy_on_kwh: float,
    factor: float,
) -> tuple[Order, ...]:
    """Orders for one plant until they need ``factor`` x what the grid windows allow.

    ``minutes_on`` gives, per line, its shift minutes with the grid on, and
    ``energy_on_kwh`` the grid energy the plant's lines could take in them (capped at
    the plant's ``grid_kw``): drawing stops as soon as either the line-hours or the
    energy of the orders reaches ``factor`` times it. Each new order
    is for a product using the line group (the eligible lines of a step) that is least
    loaded so far, chosen by the demand weights, so every group ends up overloaded
    about equally. Ids are ``{plant}-{n:03d}`` in release order.
    """
    products = {p.id: p for p in site.products}
    groups: dict[tuple[str, ...], list[Demand]] = {}
    for demand in site.demands:
        for step in products[demand.product_id].routing:
            users = groups.setdefault(step.lines, [])
            if demand not in users:
                users.append(demand)
    available = {g: sum(minutes_on[ln] for ln in g) / MINUTES_PER_HOUR for g in groups}
    load = dict.fromkeys(groups, 0.0)
    line_target = factor * sum(available.values())
    energy_target = factor * energy_on_kwh
    if line_target <= 0 or energy_target <= 0:
        return ()
    progress = 0.0  # share of the target reached: the larger of hours and energy
    energy = 0.0
    drawn: list[tuple[int, int, str, float, Demand]] = []
    while progress < 1.0:
        group = min(groups, key=lambda g: load[g] / available[g] if available[g] else math.inf)
        demand = rng.choices(groups[group], weights=[d.weight for d in groups[group]])[0]
        lots = rng.randint(
            math.ceil(demand.min_qty / demand.lot - 1e-9),
            math.floor(demand.max_qty / demand.lot + 1e-9),
        )
        quantity = float(lots * demand.lot)
        lo, hi = demand.due_days
        day = rng.randint(0, horizon.days - 1 - lo)
        slot = horizon.slot_minutes
        release = local_minute(
            horizon, day, rng.randrange(hm(RELEASE_HOURS[0]), hm(RELEASE_HOURS[1]) + 1, slot)
        )
        due = min(release + rng.randint(lo, hi) * MINUTES_PER_DAY, horizon.minutes)
        hours = {
            step.lines: step_minutes(step, quantity) / MINUTES_PER_HOUR
            for step in products[demand.product_id].routing
        }
        kwh = sum(
            h * step.power_kw
            for step, h in zip(products[demand.product_id].routing, hours.values(), strict=True)
        )
        after = max(
            (sum(load.values()) + sum(hours.values())) / line_target,
            (energy + kwh) / energy_target,
        )
        if after - 1.0 > 1.0 - progress:
            break  # stopping here lands nearer the target than this order would
        drawn.append((release, due, demand.product_id, quantity, demand))
        for lines, h in hours.items():
            load[lines] += h
        energy += kwh
        progress = after
    drawn.sort(key=lambda d: (d[0], d[1], d[2], d[3]))
    pid = site.plant.id
    return tuple(
        Order(
            f"{pid}-{n:03d}",
            product_id,
            quantity,
            release,
            due,
            demand.value_per_unit,
            demand.priority,
        )
        for n, (release, due, product_id, quantity, demand) in enumerate(drawn, 1)
    )
