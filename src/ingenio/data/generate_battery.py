"""Battery banks for generated portfolios (``generate_portfolio(..., batteries=share)``).

A battery gets its own random generator (seeded from the portfolio's seed), so a
portfolio with batteries has exactly the plants, orders and fuel of the one without.
"""

from __future__ import annotations

import dataclasses
import random

from ingenio.domain import Battery, Portfolio

HOURS_OF_BRIDGE = (1.0, 3.0)
"""A bank stores this many hours of a quarter to half of the plant's grid kW."""


def with_batteries(portfolio: Portfolio, share: float, seed: int) -> Portfolio:
    """``portfolio`` with a battery at about ``share`` of its plants.

    Each bank gives 25-50 % of the plant's grid kW for 1-3 hours, charges at half that
    power, round trip 0.88-0.95, floor 10-20 %, full at the start; a plant with solar
    that gets a bank has it behind the bank's hybrid inverter (it islands).
    """
    rng = random.Random(f"batteries-{seed}")
    plants = []
    for plant in portfolio.plants:
        if rng.random() >= share or plant.grid_kw <= 0:
            plants.append(plant)
            continue
        kw = round(plant.grid_kw * rng.uniform(0.25, 0.5), -1) or 10.0
        kwh = round(kw * rng.uniform(*HOURS_OF_BRIDGE), -1) or 10.0
        bank = Battery(
            f"{plant.id}-BESS",
            plant.id,
            kwh,
            kw,
            kw / 2,
            round(rng.uniform(0.88, 0.95), 2),
            rng.choice((0.1, 0.2)),
            1.0,
        )
        solar = plant.solar
        if solar is not None:
            solar = dataclasses.replace(solar, islanding=True)
        plants.append(dataclasses.replace(plant, batteries=(bank,), solar=solar))
    return dataclasses.replace(portfolio, plants=tuple(plants))


START_MINUTES = (2, 5, 10)
"""Minutes from cranking to carrying load a generated generator may take."""
MIN_RUN_MINUTES = (30, 60, 120)
"""Minimum runs a generated generator may have (against wet stacking)."""


def with_generator_timing(portfolio: Portfolio, seed: int) -> Portfolio:
    """``portfolio`` with every generator taking time to start and running a minimum
    time: ``start_minutes`` from :data:`START_MINUTES`, ``min_run_minutes`` from
    :data:`MIN_RUN_MINUTES`, and a start of 0.5-1.5 litres per 100 rated kW unless it
    already has one. Its own random generator: the rest of the portfolio is unchanged."""
    rng = random.Random(f"generators-{seed}")
    plants = []
    for plant in portfolio.plants:
        gens = tuple(
            dataclasses.replace(
                g,
                start_minutes=rng.choice(START_MINUTES),
                min_run_minutes=rng.choice(MIN_RUN_MINUTES),
                start_litres=g.start_litres
                or round(g.rated_kw / 100 * rng.uniform(0.5, 1.5), 1),
            )
            for g in plant.generators
        )
        plants.append(dataclasses.replace(plant, generators=gens))
    return dataclasses.replace(portfolio, plants=tuple(plants))
