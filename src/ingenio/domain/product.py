"""Products, their routings, and the orders that ask for them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ingenio.domain.time import MINUTES_PER_HOUR


class PriorityClass(StrEnum):
    """Why an order matters: essential goods first, then hard-currency exports."""

    ESSENTIAL = "essential"
    EXPORT = "export"
    DOMESTIC = "domestic"

    @property
    def rank(self) -> int:
        """0 for the most urgent class."""
        return list(PriorityClass).index(self)


@dataclass(frozen=True)
class Step:
    """One step of a routing.

    ``interruptible`` steps may be paused by an outage and resumed after
    ``restart_minutes``; the others (a 36-hour fermentation, a kiln firing) must
    run without a break. ``resources`` maps a plant resource id to the units held.
    """

    name: str
    lines: tuple[str, ...]
    rate_per_hour: float
    power_kw: float
    setup_minutes: int = 0
    interruptible: bool = True
    restart_minutes: int = 0
    resources: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError(f"step {self.name}: needs at least one eligible line")
        if self.rate_per_hour <= 0:
            raise ValueError(f"step {self.name}: rate_per_hour must be positive")
        if self.power_kw < 0 or self.setup_minutes < 0 or self.restart_minutes < 0:
            raise ValueError(f"step {self.name}: power and times must not be negative")
        if any(v <= 0 for v in self.resources.values()):
            raise ValueError(f"step {self.name}: resource amounts must be positive")

    def run_minutes(self, quantity: float) -> int:
        """Minutes of processing for ``quantity`` units (no setup), rounded up."""
        return max(1, math.ceil(quantity / self.rate_per_hour * MINUTES_PER_HOUR - 1e-9))


@dataclass(frozen=True)
class Product:
    """Something a plant makes, through an ordered routing of steps."""

    id: str
    name: str
    family: str
    routing: tuple[Step, ...]

    def __post_init__(self) -> None:
        if not self.routing:
            raise ValueError(f"product {self.id}: routing must have at least one step")


@dataclass(frozen=True)
class Order:
    """A demand: ``quantity`` of a product between ``release`` and ``due`` (minutes)."""

    id: str
    product_id: str
    quantity: float
    release: int
    due: int
    value_per_unit: float
    priority: PriorityClass = PriorityClass.DOMESTIC
    predecessors: tuple[str, ...] = ()
    """Orders that must be complete before any step of this one starts (kits, parts)."""
    transfer_minutes: int = 0
    """Minutes from the end of a predecessor made at another plant to the start of this
    order (trucking the part between plants); a predecessor at the same plant needs none."""

    def __post_init__(self) -> None:
        if self.id in self.predecessors:
            raise ValueError(f"order {self.id}: cannot be its own predecessor")
        if self.transfer_minutes < 0:
            raise ValueError(f"order {self.id}: transfer_minutes must not be negative")
        if self.quantity <= 0:
            raise ValueError(f"order {self.id}: quantity must be positive")
        if self.due <= self.release:
            raise ValueError(f"order {self.id}: due must be after release")
        if self.value_per_unit < 0:
            raise ValueError(f"order {self.id}: value_per_unit must not be negative")

    @property
    def value(self) -> float:
        """Value of the whole order when delivered on time."""
        return self.quantity * self.value_per_unit
