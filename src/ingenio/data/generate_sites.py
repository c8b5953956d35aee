"""Random plants for ``generate``: lines in stages, products, gensets, crews, solar.

Every figure comes from the ``random.Random`` handed in, so the same draw gives the same
plant. The shapes follow the demo (``demo_common``): lines work weekly shift patterns,
gensets follow the HOMER fuel curve of their size class with a 30 % minimum load, and a
product's routing is 1-3 consecutive stages of the plant.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from ingenio.data.demo_common import (
    ROUND_THE_CLOCK,
    THREE_SHIFTS_MON_FRI,
    THREE_SHIFTS_MON_SAT,
    TWO_SHIFTS_MON_FRI,
    TWO_SHIFTS_MON_SAT,
    genset,
    local_minute,
    make_line,
    make_step,
    solar,
)
from ingenio.domain import (
    Horizon,
    Line,
    Plant,
    PriorityClass,
    Product,
    Resource,
    ShiftPattern,
    Step,
)

MAX_STAGES = 3
"""Routings have 1-3 steps, one per consecutive stage."""
UNBROKEN_MAX_MINUTES = 240
"""Longest uninterruptible step (setup included): it fits between two cuts of a heavy day."""
UNBROKEN_SHARE = 0.2
"""Share of the steps that may not pause (kilns, casting, fermentation-like)."""


@dataclass(frozen=True)
class Archetype:
    """A kind of plant: how much power its lines draw and how fast they make units."""

    name: str
    line_kw: tuple[float, float]
    rate_per_hour: tuple[float, float]
    value_per_line_hour: tuple[float, float]
    crew_probability: float
    solar_probability: float
    patterns: tuple[tuple[ShiftPattern, ...], ...]


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        "light",
        (8.0, 60.0),
        (10.0, 60.0),
        (300.0, 1500.0),
        0.9,
        0.4,
        (TWO_SHIFTS_MON_FRI, TWO_SHIFTS_MON_SAT, THREE_SHIFTS_MON_FRI),
    ),
    Archetype(
        "process",
        (60.0, 500.0),
        (2.0, 30.0),
        (500.0, 3000.0),
        0.4,
        0.2,
        (THREE_SHIFTS_MON_SAT, ROUND_THE_CLOCK, TWO_SHIFTS_MON_SAT),
    ),
    Archetype(
        "heavy",
        (400.0, 3000.0),
        (5.0, 40.0),
        (2000.0, 12000.0),
        0.1,
        0.0,
        (ROUND_THE_CLOCK, THREE_SHIFTS_MON_SAT),
    ),
)
ARCHETYPE_WEIGHTS = (0.45, 0.4, 0.15)
PRIORITY_WEIGHTS = {
    PriorityClass.ESSENTIAL: 0.25,
    PriorityClass.EXPORT: 0.3,
    PriorityClass.DOMESTIC: 0.45,
}
SETUPS = (0, 10, 15, 20, 30, 45, 60)
LOTS = (1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0)


@dataclass(frozen=True)
class ProductSpec:
    """How orders for one product are drawn (the product's plant draws them)."""

    product: Product
    weight: float
    lot: float
    due_days: tuple[int, int]
    value_per_unit: float
    priority: PriorityClass


@dataclass(frozen=True)
class GeneratedSite:
    """A generated plant (no tank yet: tanks are sized over the portfolio) and its products."""

    plant: Plant
    archetype: str
    stages: tuple[tuple[str, ...], ...]
    specs: tuple[ProductSpec, ...]


def _uniform(rng: random.Random, bounds: tuple[float, float]) -> float:
    """Log-uniform draw in ``bounds`` (figures spread over orders of magnitude)."""
    lo, hi = bounds
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def _round_to(value: float, step: float) -> float:
    return max(step, round(value / step) * step)


def split_stages(n_lines: int) -> list[int]:
    """Lines per stage: up to three stages, as even as possible, earlier stages bigger."""
    stages = min(MAX_STAGES, n_lines)
    return [n_lines // stages + (1 if i < n_lines % stages else 0) for i in range(stages)]


def _spans(rng: random.Random, stages: int, count: int) -> list[tuple[int, ...]]:
    """Routings as spans of consecutive stages; together they cover every stage."""
    every = [tuple(range(a, b)) for a in range(stages) for b in range(a + 1, stages + 1)]
    spans = [tuple(range(stages))]  # the full routing covers every stage
    while len(spans) < count:
        spans.append(rng.choice(every))
    return spans


def _crew(rng: random.Random, plant_id: str, stage_lines: int, horizon: Horizon) -> Resource | None:
    """A crew shared by the first stage, one short on some days; None when it cannot bind."""
    if stage_lines < 2:
        return None
    capacity = stage_lines - 1
    changes: list[tuple[int, int]] = []
    current = capacity
    for day in range(horizon.days):
        today = capacity - 1 if capacity > 1 and rng.random() < 0.25 else capacity
        if today != current:
            changes.append((local_minute(horizon, day, 0), today))
            current = today
    return Resource(f"{plant_id}-CREW", "Crew", plant_id, capacity, tuple(changes))


def make_site(
    rng: random.Random,
    plant_id: str,
    enterprise_id: str,
    block_id: str,
    n_lines: int,
    horizon: Horizon,
) -> GeneratedSite:
    """One random plant with ``n_lines`` lines in up to three stages and 2-4 products.

    Parameters
    ----------
    rng : random.Random
        The only source of randomness.
    plant_id, enterprise_id, block_id : str
        Ids of the plant, its owner and its outage block.
    n_lines : int
        Number of lines (at least 1).
    horizon : Horizon
        The horizon the shifts are expanded over.

    Returns
    -------
    GeneratedSite
        The plant (without a tank), its stages (line ids) and its product specs.
    """
    arch = rng.choices(ARCHETYPES, weights=ARCHETYPE_WEIGHTS)[0]
    lines: list[Line] = []
    stages: list[tuple[str, ...]] = []
    stage_kw: list[float] = []
    stage_rate: list[float] = []
    base_rate = _uniform(rng, arch.rate_per_hour)
    for s, size in enumerate(split_stages(n_lines)):
        pattern = rng.choice(arch.patterns)
        group = [
            make_line(
                plant_id, f"S{s + 1}L{i + 1}", f"Stage {s + 1} line {i + 1}", pattern, horizon
            )
            for i in range(size)
        ]
        lines.extend(group)
        stages.append(tuple(ln.id for ln in group))
        stage_kw.append(round(_uniform(rng, arch.line_kw), 1))
        stage_rate.append(base_rate * rng.uniform(0.8, 1.25))
    crew = (
        _crew(rng, plant_id, len(stages[0]), horizon)
        if rng.random() < arch.crew_probability
        else None
    )
    specs = _products(rng, plant_id, arch, lines, stages, stage_kw, stage_rate, crew)
    full_load = sum(stage_kw[s] * len(stages[s]) for s in range(len(stages)))
    biggest_step = max(step.power_kw for spec in specs for step in spec.product.routing)
    grid_kw = max(biggest_step, _round_to(full_load * rng.uniform(0.75, 1.0), 10.0))
    gen_kw = max(10.0, _round_to(full_load * rng.uniform(0.35, 0.7), 10.0))
    sets = 2 if gen_kw >= 200 and rng.random() < 0.5 else 1
    generators = tuple(
        genset(f"{plant_id}-G{i + 1}", f"Genset {gen_kw / sets:,.0f} kW", plant_id, gen_kw / sets)
        for i in range(sets)
    )
    panel = solar(_round_to(full_load * rng.uniform(0.1, 0.3), 5.0))
    plant = Plant(
        plant_id,
        f"Plant {plant_id} ({arch.name})",
        enterprise_id,
        block_id,
        float(grid_kw),
        tuple(lines),
        resources=(crew,) if crew else (),
        generators=generators,
        solar=panel if rng.random() < arch.solar_probability else None,
    )
    return GeneratedSite(plant, arch.name, tuple(stages), specs)


def _products(
    rng: random.Random,
    plant_id: str,
    arch: Archetype,
    lines: Sequence[Line],
    stages: Sequence[tuple[str, ...]],
    stage_kw: Sequence[float],
    stage_rate: Sequence[float],
    crew: Resource | None,
) -> tuple[ProductSpec, ...]:
    """2-4 products whose routings are spans of the stages."""
    by_id = {ln.id: ln for ln in lines}
    specs: list[ProductSpec] = []
    for p, span in enumerate(_spans(rng, len(stages), rng.randint(2, 4))):
        factor = rng.uniform(0.8, 1.2)
        steps: list[Step] = []
        for s in span:
            # the full routing (p == 0) always pauses: every stage keeps a product whose
            # orders can grow to the demand target
            unbroken = p > 0 and rng.random() < UNBROKEN_SHARE
            setup = rng.choice(SETUPS)
            steps.append(
                make_step(
                    f"Stage {s + 1}",
                    [by_id[x] for x in stages[s]],
                    round(stage_rate[s] * factor, 2),
                    round(stage_kw[s] * rng.uniform(0.85, 1.0), 1),
                    setup=min(setup, UNBROKEN_MAX_MINUTES // 4) if unbroken else setup,
                    restart=0 if unbroken else rng.choice((0, 5, 10, 15, 30)),
                    interruptible=not unbroken,
                    resources={crew.id: 1} if crew is not None and s == 0 else None,
                )
            )
        code = chr(ord("A") + p)
        product = Product(
            f"{plant_id}-{code}", f"Product {code} of {plant_id}", f"F{p % 2}", tuple(steps)
        )
        slowest = min(step.rate_per_hour for step in steps)
        lot = max([x for x in LOTS if x <= slowest * 0.5] or [LOTS[0]])
        lo = rng.randint(1, 5)
        per_hour = _uniform(rng, arch.value_per_line_hour)
        specs.append(
            ProductSpec(
                product=product,
                weight=round(rng.uniform(1.0, 3.0), 2),
                lot=lot,
                due_days=(lo, rng.randint(lo, min(7, lo + 3))),
                value_per_unit=round(per_hour / slowest, 2),
                priority=rng.choices(
                    list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values())
                )[0],
            )
        )
    return tuple(specs)
