"""Per-slot power and fuel available to one plant over the planning horizon.

A :class:`PowerTimeline` is what a planner sees of a plant's energy: for every
slot of the horizon, the grid kW (0 when the slot touches a grid-off window of
the plant's block), the solar kW, the generator kW that could run and the
usable litres of diesel in the tank before anything is burned. Every value is
conservative for the whole slot, so a plan that respects the slot values
respects ``docs/plan-rules.md`` at every minute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from ingenio.domain import MINUTES_PER_DAY, MINUTES_PER_HOUR, Horizon, Portfolio
from ingenio.energy.battery import battery_profile

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class PowerTimeline:
    """Energy available to one plant, one value per slot of the horizon.

    Attributes
    ----------
    plant_id
        The plant this timeline describes.
    slot_minutes
        Length of a slot (the portfolio's ``horizon.slot_minutes``).
    grid_kw
        ``plant.grid_kw`` in slots that lie entirely outside the grid-off windows
        of the plant's block (outage probability >= 0.5), else 0.
    solar_kw
        ``profile_kw`` at the local hour of the slot start; when a slot straddles
        a local hour boundary (a slot longer than an hour, a zone offset that is
        not whole hours, a daylight-saving change) the least of the hours it
        touches. 0 without solar, and 0 in grid-off slots when the array cannot
        island (``Solar.islanding`` is False: it trips with the grid).
    generator_kw
        Sum of the rated kW of the plant's generators, in every slot; 0 when the
        plant has no tank (a generator without fuel cannot run).
    fuel_l
        Litres above the reserve at the slot start: tank stock plus plant-direct
        deliveries expected at or before the slot start, minus the reserve,
        before any burn. Negative when the stock starts below the reserve; 0
        without a tank.
    battery_kw
        The batteries' bridge profile (:mod:`ingenio.energy.battery`): kW they offer
        in grid-off slots, minus the kW reserved for charging in grid-on slots; the
        least value of the slot's minutes. 0 without batteries.

    Notes
    -----
    The arrays are read-only numpy arrays; equality is identity (``eq=False``)
    because element-wise array comparison has no single truth value.
    """

    plant_id: str
    slot_minutes: int
    grid_kw: FloatArray
    solar_kw: FloatArray
    generator_kw: FloatArray
    fuel_l: FloatArray
    battery_kw: FloatArray

    @property
    def slots(self) -> int:
        """Number of slots in the horizon."""
        return len(self.grid_kw)

    @property
    def slots_per_day(self) -> int:
        """Number of slots in 24 hours."""
        return MINUTES_PER_DAY // self.slot_minutes

    def slot_of(self, minute: int) -> int:
        """Slot that contains ``minute`` (minutes from the origin)."""
        return minute // self.slot_minutes

    def slot_start(self, slot: int) -> int:
        """First minute of ``slot``."""
        return slot * self.slot_minutes

    def grid_on(self, slot: int) -> bool:
        """True when the grid supplies the plant during the whole slot."""
        return bool(self.grid_kw[slot] > 0.0)

    def base_kw(self, slot: int) -> float:
        """Grid plus solar kW in ``slot``, plus the batteries' profile (what needs no fuel)."""
        return float(self.grid_kw[slot] + self.solar_kw[slot] + self.battery_kw[slot])

    def off_slots(self, day: int) -> int:
        """Grid-off slots in horizon day ``day`` (24 hours from the origin, 0-based)."""
        per_day = self.slots_per_day
        chunk = self.grid_kw[day * per_day : (day + 1) * per_day]
        return int(np.count_nonzero(chunk <= 0.0))

    def grid_off_hours_by_day(self) -> tuple[float, ...]:
        """Hours without grid for each horizon day (24 hours from the origin)."""
        days = math.ceil(self.slots / self.slots_per_day)
        return tuple(self.off_slots(d) * self.slot_minutes / MINUTES_PER_HOUR for d in range(days))


def build_timeline(portfolio: Portfolio, plant_id: str) -> PowerTimeline:
    """Build the :class:`PowerTimeline` of ``plant_id``.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plant belongs to; gives the horizon, the plant's
        outage block and the fuel deliveries.
    plant_id : str
        Id of the plant.

    Returns
    -------
    PowerTimeline
        Slot values at ``portfolio.horizon.slot_minutes``.
    """
    horizon = portfolio.horizon
    plant = portfolio.plant(plant_id)
    size = horizon.slot_minutes
    n = horizon.slots

    grid = np.full(n, float(plant.grid_kw))
    off = np.zeros(n, dtype=np.bool_)
    for w in portfolio.grid_off(plant_id):
        first, last = max(0, w.start // size), min(n, -(-w.end // size))
        if last > first:
            grid[first:last] = 0.0
            off[first:last] = True

    solar = np.zeros(n)
    if plant.solar is not None:
        profile = plant.solar.profile_kw
        solar[:] = [min(profile[h] for h in hours) for hours in _slot_hours(horizon)]
        if not plant.solar.islanding:
            solar[off] = 0.0

    gen = np.full(n, plant.generator_kw if plant.tank is not None else 0.0)

    fuel = np.zeros(n)
    if plant.tank is not None:
        fuel[:] = plant.tank.stock_l - plant.tank.reserve_l
        for d in portfolio.deliveries_to(plant_id):
            first = max(0, -(-d.expected // size))
            if first < n:
                fuel[first:] += d.litres

    battery = battery_profile(portfolio, plant_id).slot_kw(size, n)

    for arr in (grid, solar, gen, fuel, battery):
        arr.flags.writeable = False
    return PowerTimeline(plant_id, size, grid, solar, gen, fuel, battery)


@lru_cache(maxsize=16)
def _slot_hours(horizon: Horizon) -> tuple[tuple[int, ...], ...]:
    """Local hours of the day touched by each slot of ``horizon``."""
    size = horizon.slot_minutes
    out: list[tuple[int, ...]] = []
    for s in range(horizon.slots):
        start = s * size
        first = horizon.to_datetime(start)
        last = horizon.to_datetime(start + size - 1)
        if first.utcoffset() == last.utcoffset():
            local = first.hour * MINUTES_PER_HOUR + first.minute
            top = (local + size - 1) // MINUTES_PER_HOUR
            hours = {h % 24 for h in range(local // MINUTES_PER_HOUR, top + 1)}
        else:  # a daylight-saving change inside the slot: walk its minutes
            hours = {horizon.to_datetime(start + m).hour for m in range(size)}
        out.append(tuple(sorted(hours)))
    return tuple(out)
