"""A plan: what runs where and when, on which power, and what each order gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ingenio.domain.text import N_, Said, said


class PowerSource(StrEnum):
    """What powers an operation (a summary; the per-slot truth is in the runs)."""

    GRID = "grid"
    GENERATOR = "generator"
    SOLAR = "solar"
    MIXED = "mixed"


class OrderStatus(StrEnum):
    """Where an order stands in a plan."""

    ON_TIME = "on_time"
    LATE = "late"
    UNSCHEDULED = "unscheduled"


@dataclass(frozen=True)
class Operation:
    """One piece of work on a line: ``[start, end)`` minutes, for an order's step.

    An interruptible step paused by an outage is several operations with the
    same ``(order_id, step)``; the first carries the setup, each later piece its
    restart time. ``quantity`` is the units this piece makes.
    """

    order_id: str
    step: int
    line_id: str
    start: int
    end: int
    quantity: float
    source: PowerSource = PowerSource.GRID

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"operation {self.order_id}/{self.step}: end must be after start")
        if self.quantity < 0:
            raise ValueError(f"operation {self.order_id}/{self.step}: negative quantity")


@dataclass(frozen=True)
class GeneratorRun:
    """A generator running at a constant ``output_kw`` during ``[start, end)``."""

    generator_id: str
    start: int
    end: int
    output_kw: float


@dataclass(frozen=True)
class FuelTransfer:
    """Litres trucked from a depot into a plant's tank at minute ``at``."""

    depot_id: str
    plant_id: str
    at: int
    litres: float


@dataclass(frozen=True)
class BatteryFlow:
    """A battery's constant power during ``[start, end)``: ``kw > 0`` discharges into the
    plant, ``kw < 0`` charges from it."""

    battery_id: str
    start: int
    end: int
    kw: float


@dataclass(frozen=True)
class OrderOutcome:
    """What the plan gives an order: status, completion, lateness, value, and why.

    ``reason`` is the English sentence; ``said`` (when the explainer made one) is the same
    sentence as a template and its values, for an edge to say in another language."""

    order_id: str
    status: OrderStatus
    completion: int | None
    lateness_minutes: int
    value: float
    reason: str = ""
    said: Said | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Plan:
    """The result of a planner. Free of solver state; validated by ``planning.validate``."""

    planner: str
    operations: tuple[Operation, ...]
    generator_runs: tuple[GeneratorRun, ...]
    fuel_transfers: tuple[FuelTransfer, ...]
    outcomes: tuple[OrderOutcome, ...]
    status: str = "feasible"
    bound: float | None = None
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    battery_flows: tuple[BatteryFlow, ...] = ()

    @property
    def value(self) -> float:
        """Value delivered by the plan (on time at full value, late at a discount)."""
        return sum(o.value for o in self.outcomes)

    def count(self, status: OrderStatus) -> int:
        """Number of orders with ``status``."""
        return sum(1 for o in self.outcomes if o.status is status)


@dataclass(frozen=True)
class Violation:
    """A broken invariant of a plan, found by the validator.

    ``message`` is the English sentence; ``said`` (when the validator made one) is the
    same sentence as a template and its values, for an edge to say in another language.
    """

    rule: str
    message: str
    subject: str = ""
    said: Said | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, rule: str, sentence: Said, subject: str = "") -> Violation:
        """A violation whose message is ``sentence`` (kept for translation)."""
        return cls(rule, str(sentence), subject, sentence)

    def sentence(self) -> Said:
        """The whole violation, ``str(v)``, as a sentence (rule id and subject are data)."""
        message = self.said or Said(self.message)
        if self.subject:
            return said(
                N_("%(rule)s [%(subject)s]: %(message)s"),
                rule=self.rule,
                subject=self.subject,
                message=message,
            )
        return said(N_("%(rule)s: %(message)s"), rule=self.rule, message=message)

    def __str__(self) -> str:
        where = f" [{self.subject}]" if self.subject else ""
        return f"{self.rule}{where}: {self.message}"
