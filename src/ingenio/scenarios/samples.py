"""One planned scenario of a Monte Carlo run, in a few numbers.

Its own module so that :mod:`.montecarlo`, which makes them, and :mod:`.aggregate` and
:mod:`.fuel_policy`, which read them, all import it from below (no import circle).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingenio.domain import OrderStatus

__all__ = ["SampleResult"]


@dataclass(frozen=True)
class SampleResult:
    """One planned scenario, in a few numbers.

    ``outcomes`` holds ``(order id, status, lateness minutes)``; ``resumptions``
    ``(plant id, resumption minute or None)`` for each plant that stopped;
    ``variant`` is the index of the transform applied (0 without any);
    ``trucked`` the litres trucked from depots to each plant, ``depot_supply_l``
    the depot stock plus depot deliveries arriving within the horizon, and
    ``on_time_value`` the value of the orders delivered on time.
    """

    index: int
    variant: int
    value: float
    outcomes: tuple[tuple[str, OrderStatus, int], ...]
    fuel_l: float
    resumptions: tuple[tuple[str, int | None], ...]
    trucked: tuple[tuple[str, float], ...] = ()
    depot_supply_l: float = 0.0
    on_time_value: float = 0.0
    seconds: float = field(default=0.0, compare=False)
