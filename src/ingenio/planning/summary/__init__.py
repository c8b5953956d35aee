"""Figures of a plan for reports: per plant, per depot, fuel levels and power series.

Public face of the room; its modules are private to it:

* ``plan``: :func:`summarise` and :class:`PlanSummary`;
* ``fuel``: tank and depot levels over time;
* ``battery``: stored energy of batteries over time, when they run empty;
* ``idle``: idle litres while starving (:func:`idle_fuel`);
* ``power``: power drawn by source over time.
"""

from __future__ import annotations

from ingenio.planning.summary.battery import battery_empty, battery_levels
from ingenio.planning.summary.fuel import first_at_or_below, tank_levels
from ingenio.planning.summary.idle import FuelNeeds, IdleFuel, idle_fuel, starving
from ingenio.planning.summary.plan import (
    SIGNIFICANT_SHARE,
    DepotSummary,
    PlanSummary,
    PlantSummary,
    PowerSeries,
    depot_levels,
    power_series,
    summarise,
    when,
)

__all__ = [
    "SIGNIFICANT_SHARE",
    "DepotSummary",
    "FuelNeeds",
    "IdleFuel",
    "PlanSummary",
    "PlantSummary",
    "PowerSeries",
    "battery_empty",
    "battery_levels",
    "depot_levels",
    "first_at_or_below",
    "idle_fuel",
    "power_series",
    "starving",
    "summarise",
    "tank_levels",
    "when",
]
