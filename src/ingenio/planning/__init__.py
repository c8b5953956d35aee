"""The planners: from a portfolio to a plan. Pure: no file, no store, no clock but timing.

One subpackage per room, each with its public face in its ``__init__``; a room uses
another room only through that face:

* :mod:`~ingenio.planning.dispatch`: the greedy dispatcher (``dispatch``);
* :mod:`~ingenio.planning.schedule`: one plant on CP-SAT (``schedule_plant``,
  ``SolveParams``);
* :mod:`~ingenio.planning.portfolio`: the portfolio LP (``allocate``, ``upper_bound``);
* :mod:`~ingenio.planning.optimise`: the two-level planner (``optimise``);
* :mod:`~ingenio.planning.explain`: why orders are late or undone;
* :mod:`~ingenio.planning.summary`: figures of a plan for reports;
* :mod:`~ingenio.planning.restrict`: one plant cut out of a portfolio;
* :mod:`~ingenio.planning.capacity`: minute-level supply and earliest times (shared by
  the LP and the explanations).

Plans are checked by :mod:`ingenio.validate`, which imports no planner.

Shared by every room (:mod:`~ingenio.planning.status`): :class:`PlanStatus`, the one
status of solver outcomes, and the signals of long runs, :data:`Stop` and
:class:`Progress`.
"""

from __future__ import annotations

from ingenio.planning.status import (
    Latch,
    PlanStatus,
    Progress,
    ProgressCallback,
    Stop,
    stopped,
)

__all__ = ["Latch", "PlanStatus", "Progress", "ProgressCallback", "Stop", "stopped"]
