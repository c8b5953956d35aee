"""One status for every solver outcome, and the stop and progress signals of long runs.

:class:`PlanStatus` is a :class:`~enum.StrEnum`, so a plan's stored JSON keeps the same
strings as before (``"optimal"``, ``"feasible"``, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Latch", "PlanStatus", "Progress", "ProgressCallback", "Stop", "stopped"]


class PlanStatus(StrEnum):
    """What a planner or solver says of its result.

    * ``OPTIMAL``: proven optimal (CP-SAT, the LP, or ``optimise`` reaching its bound);
    * ``FEASIBLE``: a valid plan, not proven optimal;
    * ``FALLBACK``: the solver found nothing (better) in time; its starting plan is
      returned;
    * ``TIME_LIMIT``: the LP stopped on its time limit without an optimum;
    * ``INFEASIBLE``: the LP has no solution;
    * ``ERROR``: the LP solver failed;
    * ``CANCELLED``: stopped by the caller's ``stop()``; the plan is the best valid one
      found so far.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    FALLBACK = "fallback"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    ERROR = "error"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Progress:
    """Where a long run stands, for a progress bar or a job's status row.

    ``fraction`` of the work done, from 0 to 1 (never decreasing within a run);
    ``message`` what is running; ``value`` the value of the best plan known so far and
    ``bound`` an upper bound on it (NaN when not known).
    """

    fraction: float
    message: str
    value: float = float("nan")
    bound: float = float("nan")


Stop = Callable[[], bool]
"""Asked now and then during a long run; True asks it to stop with the best plan so far."""

ProgressCallback = Callable[[Progress], None]
"""Called with a :class:`Progress` as a long run goes on."""


def stopped(stop: Stop | None) -> bool:
    """True when a stop signal is given and says stop."""
    return stop is not None and stop()


class Latch:
    """A stop signal that stays True once it has said True (``fired``); asks ``stop``
    until then. Lets a run tell at its end whether it was stopped."""

    def __init__(self, stop: Stop | None) -> None:
        self.stop = stop
        self.fired = False

    def __call__(self) -> bool:
        """True once ``stop()`` has returned True."""
        if not self.fired and self.stop is not None and self.stop():
            self.fired = True
        return self.fired
