"""Plain typed domain objects; imports nothing else of Ingenio and does no IO."""

from __future__ import annotations

from ingenio.domain.calendar import ALWAYS, WEEKDAYS, ShiftPattern, expand_shifts
from ingenio.domain.errors import DomainError, Issue
from ingenio.domain.plan import (
    BatteryFlow,
    FuelTransfer,
    GeneratorRun,
    Operation,
    OrderOutcome,
    OrderStatus,
    Plan,
    PowerSource,
    Violation,
)
from ingenio.domain.plant import (
    Battery,
    Block,
    Enterprise,
    FuelTank,
    Generator,
    Line,
    OutageWindow,
    Plant,
    Resource,
    Solar,
)
from ingenio.domain.portfolio import Depot, FuelDelivery, Portfolio
from ingenio.domain.product import Order, PriorityClass, Product, Step
from ingenio.domain.stages import STAGES, LoadShedding, StageDay, StageForecast
from ingenio.domain.text import N_, Said, said
from ingenio.domain.time import MINUTES_PER_DAY, MINUTES_PER_HOUR, Horizon, Window, merge_windows

__all__ = [
    "ALWAYS",
    "MINUTES_PER_DAY",
    "MINUTES_PER_HOUR",
    "N_",
    "STAGES",
    "WEEKDAYS",
    "Battery",
    "BatteryFlow",
    "Block",
    "Depot",
    "DomainError",
    "Enterprise",
    "FuelDelivery",
    "FuelTank",
    "FuelTransfer",
    "Generator",
    "GeneratorRun",
    "Horizon",
    "Issue",
    "Line",
    "LoadShedding",
    "Operation",
    "Order",
    "OrderOutcome",
    "OrderStatus",
    "OutageWindow",
    "Plan",
    "Plant",
    "Portfolio",
    "PowerSource",
    "PriorityClass",
    "Product",
    "Resource",
    "Said",
    "ShiftPattern",
    "Solar",
    "StageDay",
    "StageForecast",
    "Step",
    "Violation",
    "Window",
    "expand_shifts",
    "merge_windows",
    "said",
]
