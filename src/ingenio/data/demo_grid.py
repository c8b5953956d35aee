"""Havana outage blocks B1-B6 of the demo: planned cuts and "reserve" windows.

domain-facts §1: Havana rotates 112 of its 285 circuits through blocks B1-B5 (later
B1-B6); slot patterns seen are one block a day 10:00-14:00, 5 h slots, two blocks at
once between 10:00 and 24:00, and "reserve" blocks with a stated 50 % or 90 % chance of
*not* being cut (cut probability 0.5 or 0.1). Havana lost 4-5 h a day in early 2025 and
more than 9 h a day by late 2025: the demo mixes both kinds of day.
"""

from __future__ import annotations

from ingenio.data.demo_common import hm, local_minute
from ingenio.domain import Block, Horizon, OutageWindow, Window

LIGHT = "L"
"""A light day: each rotating block loses the grid once, 4-5 h (early 2025)."""
HEAVY = "H"
"""A heavy day: each rotating block loses it twice, 9-10 h in all (late 2025)."""

ROTATING_BLOCKS = ("B1", "B2", "B3", "B4", "B5")
INDUSTRIAL_BLOCK = "B6"
"""Also feeds the 220 kV industrial substation (domain-facts §2): fewer, shorter cuts."""

LIGHT_SLOTS: tuple[tuple[int, int], ...] = (
    (hm(10), hm(14)),  # the classic "one block a day, 10:00-14:00"
    (hm(14), hm(19)),  # 5 h slots
    (hm(19), hm(23)),
    (hm(6), hm(10)),
    (hm(1), hm(5)),
)
"""Mutually disjoint; block ``i`` on day ``d`` gets slot ``(i + d) % 5``."""

HEAVY_SLOTS: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((hm(0), hm(5)), (hm(12), hm(17))),  # 10 h
    ((hm(5), hm(10)), (hm(17), hm(22))),  # 10 h
    ((hm(10), hm(15)), (hm(19), hm(24))),  # 10 h
    ((hm(2), hm(7)), (hm(14), hm(19))),  # 10 h
    ((hm(7), hm(12)), (hm(19), hm(23))),  # 9 h
)
"""Two long windows a day; block ``i`` on day ``d`` gets pair ``(i + d) % 5``."""

INDUSTRIAL_PEAK_SLOT = (hm(18), hm(22))
"""domain-facts §2 contingency decree: at the evening peak electric furnaces stop."""

RESERVE_PROBABILITIES = (0.5, 0.1)
"""Cut probabilities of the "reserve" windows (domain-facts §1: 50 % / 90 % spared)."""


def _window(horizon: Horizon, day: int, start: int, end: int) -> Window:
    """``[start, end)`` minutes of the local day ``day`` (0 = origin day), in horizon minutes."""
    return Window(local_minute(horizon, day, start), local_minute(horizon, day, end))


def build_blocks(horizon: Horizon, regime: str) -> tuple[Block, ...]:
    """Blocks B1-B6 with their windows over the horizon.

    ``regime`` has one letter per day, ``L`` (light) or ``H`` (heavy), repeated if
    shorter than the horizon. On each light day one rotating block gets a reserve
    window, alternately with cut probability 0.5 (planned as off) and 0.1 (planned as
    on), and B6 a 0.1 reserve at the evening peak.
    """
    if not regime or set(regime) - {LIGHT, HEAVY}:
        raise ValueError(f"regime must be a non-empty string of {LIGHT!r}/{HEAVY!r}")
    outages: dict[str, list[OutageWindow]] = {b: [] for b in (*ROTATING_BLOCKS, INDUSTRIAL_BLOCK)}
    light_days = 0
    for day in range(horizon.days):
        heavy = regime[day % len(regime)] == HEAVY
        for i, block in enumerate(ROTATING_BLOCKS):
            k = (i + day) % len(ROTATING_BLOCKS)
            slots = HEAVY_SLOTS[k] if heavy else (LIGHT_SLOTS[k],)
            outages[block].extend(OutageWindow(_window(horizon, day, *s)) for s in slots)
        if heavy:
            outages[INDUSTRIAL_BLOCK].append(
                OutageWindow(_window(horizon, day, *INDUSTRIAL_PEAK_SLOT))
            )
            continue
        i = day % len(ROTATING_BLOCKS)
        # a slot other than the block's own planned one: LIGHT_SLOTS are disjoint
        spare = LIGHT_SLOTS[(i + day + 2) % len(LIGHT_SLOTS)]
        probability = RESERVE_PROBABILITIES[light_days % len(RESERVE_PROBABILITIES)]
        outages[ROTATING_BLOCKS[i]].append(OutageWindow(_window(horizon, day, *spare), probability))
        outages[INDUSTRIAL_BLOCK].append(
            OutageWindow(_window(horizon, day, *INDUSTRIAL_PEAK_SLOT), RESERVE_PROBABILITIES[-1])
        )
        light_days += 1
    names = {b: f"Bloque {b[1:]} (La Habana)" for b in ROTATING_BLOCKS}
    names[INDUSTRIAL_BLOCK] = "Bloque 6 (La Habana, with the 220 kV industrial feeders)"
    return tuple(
        Block(b, names[b], tuple(sorted(ws, key=lambda o: o.window))) for b, ws in outages.items()
    )
