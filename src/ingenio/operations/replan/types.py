"""Records shared by the replanning modules (private to :mod:`ingenio.operations.replan`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from ingenio.domain import Operation, Plan, Portfolio
from ingenio.errors import ErrorKind, IngenioError


class ReplanError(IngenioError, ValueError):
    """The rest cannot be planned under the plan rules (the message says why)."""

    default_kind: ClassVar[ErrorKind] = "rule_broken"


class GhostError(ReplanError):
    """A running uninterruptible operation cannot be carried to its end in the rest plan."""

    def __init__(self, message: str, operation: Operation) -> None:
        super().__init__(message)
        self.operation = operation


@dataclass(frozen=True)
class Remaining:
    """Work left of an order: ``quantity`` units of step ``step``, then every later
    step for the whole order quantity; none of it before minute ``ready``.

    ``started`` is True when some of the order was made already (work in
    progress); ``partial`` when step ``step`` itself has pieces made already.
    """

    order_id: str
    step: int
    quantity: float
    ready: int
    started: bool
    partial: bool


@dataclass(frozen=True)
class Frozen:
    """What :func:`ingenio.operations.replan.freeze` keeps and what it leaves to plan.

    Unpacks as ``frozen_ops, remaining = freeze(...)``; ``notes`` says which
    actuals the plan could not take.
    """

    operations: tuple[Operation, ...]
    remaining: tuple[Remaining, ...]
    notes: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[tuple[Operation, ...] | tuple[Remaining, ...]]:
        return iter((self.operations, self.remaining))


@dataclass(frozen=True)
class Ghost:
    """A placeholder order holding the power and resources of an uninterruptible
    operation that runs past the replanning moment.

    It runs on its own line, whose only shift is ``[start, end)``: the slots the
    running operation still touches.
    """

    order_id: str
    line_id: str
    start: int
    end: int
    operation: Operation


@dataclass(frozen=True)
class RestProblem:
    """One plant's rest-of-horizon problem and what is needed to merge its plan back.

    Attributes
    ----------
    world
        The portfolio the merged plan is made for (the old one plus the outage).
    portfolio
        The rest problem (one plant) to give a planner.
    plant_id, at
        The plant replanned and the moment (minutes from the origin).
    frozen
        The kept operations of the plant and the work left.
    kept
        What stays of the old plan: other plants untouched, this plant's frozen
        operations, its generator runs cut at ``at``, its transfers before ``at``.
    origin_of
        Rest order id -> (world order id, index of its first step in the routing),
        for the rest orders that are not the world order itself.
    ghosts
        Placeholders of the uninterruptible operations running past ``at``.
    lost
        Running uninterruptible operations given up (their batch is remade).
    """

    world: Portfolio
    portfolio: Portfolio
    plant_id: str
    at: int
    frozen: Frozen
    kept: Plan
    origin_of: dict[str, tuple[str, int]]
    ghosts: tuple[Ghost, ...]
    lost: tuple[tuple[str, int], ...] = ()
