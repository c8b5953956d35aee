"""What a plant's batteries give the planners: a fixed bridge profile per battery.

The planners do not decide battery flows minute by minute; they plan against a
**bridge profile**, fixed before planning, that every planner reads the same way
(``docs/planning.md``, *Batteries*):

* in each grid-off window of the plant's block (widened to whole slots, as the
  ``PowerTimeline`` sees it), in time order, a battery offers a steady discharge
  ``p = min(power_kw, (E - floor) / hours of the window)``: what it holds above its
  floor, spread evenly so that it bridges the whole window;
* in the grid-on stretch before each grid-off window, it reserves ``charge_kw`` (less
  what the batteries before it reserved, never more than the grid's kW) for as long as
  it takes to refill (round-trip ``efficiency`` counted on the way in), in whole
  slots; it does not charge after the last window, where stored energy would earn
  nothing.

Planners count ``offer_kw`` as supply (a reserve is negative: charging load on the
grid). The flows of a plan are then derived from its real load
(``planning.battery``): a battery never discharges more than the profile offers and
charges as much of the reserve as it has room for, so its stored energy never falls
below the profile's, which stays within its bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ingenio.domain import MINUTES_PER_HOUR, Battery, Portfolio

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class BatteryProfile:
    """The bridge profile of one plant's batteries, per minute of the horizon.

    Attributes
    ----------
    plant_id
        The plant.
    offer_kw
        Per battery id: kW offered (> 0, grid-off minutes) or reserved for charging
        (< 0, grid-on minutes) in each minute.
    stored_kwh
        Per battery id: stored energy at each minute's start under the profile
        (length ``minutes + 1``).
    """

    plant_id: str
    offer_kw: dict[str, FloatArray]
    stored_kwh: dict[str, FloatArray]

    @property
    def total_kw(self) -> FloatArray:
        """Sum over the plant's batteries of ``offer_kw`` (zeros without batteries)."""
        arrays = list(self.offer_kw.values())
        out: FloatArray = np.sum(arrays, axis=0) if arrays else np.zeros(0)
        return out

    def slot_kw(self, slot_minutes: int, slots: int) -> FloatArray:
        """``total_kw`` per slot: the least value of the slot's minutes (conservative)."""
        total = self.total_kw
        out = np.zeros(slots)
        if len(total):
            padded = np.full(slots * slot_minutes, 0.0)
            padded[: min(len(total), len(padded))] = total[: len(padded)]
            out[:] = padded.reshape(slots, slot_minutes).min(axis=1)
        return out


def battery_profile(portfolio: Portfolio, plant_id: str) -> BatteryProfile:
    """The bridge profile of ``plant_id``'s batteries (empty without batteries)."""
    plant = portfolio.plant(plant_id)
    n = portfolio.horizon.minutes
    size = portfolio.horizon.slot_minutes
    windows: list[tuple[int, int]] = []
    for w in portfolio.grid_off(plant_id):  # whole slots, as the timeline sees them
        a, b = max(0, w.start // size * size), min(n, -(-w.end // size) * size)
        if b <= a:
            continue
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
        else:
            windows.append((a, b))
    offer: dict[str, FloatArray] = {}
    stored: dict[str, FloatArray] = {}
    grid_left = float(plant.grid_kw)
    for bat in plant.batteries:
        rate = max(0.0, min(bat.charge_kw, grid_left))
        grid_left -= rate
        offer[bat.id], stored[bat.id] = _one(bat, windows, rate, n, size)
    return BatteryProfile(plant_id, offer, stored)


def _one(
    bat: Battery, windows: list[tuple[int, int]], rate: float, n: int, size: int
) -> tuple[FloatArray, FloatArray]:
    """Offer and stored energy of one battery charging at ``rate`` kW between windows."""
    offer = np.zeros(n)
    energy = bat.initial_kwh
    t = 0
    for a, b in windows:
        if a > t and rate > 0 and energy < bat.capacity_kwh:
            need = bat.capacity_kwh - energy
            minutes = math.ceil(need * MINUTES_PER_HOUR / (rate * bat.efficiency) / size) * size
            minutes = min(a - t, minutes)
            offer[t : t + minutes] = -rate
            energy = min(bat.capacity_kwh, energy + rate * bat.efficiency * minutes / 60)
        usable = max(0.0, energy - bat.floor_kwh)
        p = min(bat.power_kw, usable * MINUTES_PER_HOUR / (b - a))
        if p > 0:
            offer[a:b] = p
            energy -= p * (b - a) / MINUTES_PER_HOUR
        t = b
    return offer, _stored(bat, offer)


def _stored(bat: Battery, offer: FloatArray) -> FloatArray:
    """Stored energy at each minute's start for per-minute flows ``offer``, capped."""
    out = np.empty(len(offer) + 1)
    energy = bat.initial_kwh
    out[0] = energy
    for m, kw in enumerate(offer.tolist()):
        if kw > 0:
            energy -= kw / MINUTES_PER_HOUR
        elif kw < 0:
            energy = min(bat.capacity_kwh, energy - kw * bat.efficiency / MINUTES_PER_HOUR)
        out[m + 1] = energy
    return out
