"""Replanning from a moment: freeze what ran, plan the rest of one plant, merge it back.

Public face of the room; its modules are private to it:

* ``prepare``: :func:`with_outage`, :func:`freeze`, :func:`prepare` (the rest problem)
  and :func:`replan_portfolio`;
* ``freeze``: what stays of the plan in force (operations cut at the moment);
* ``rest``: the one-plant portfolio of the work left;
* ``fuel``: tank and depot levels at the moment;
* ``merge``: the rest plan merged back (:func:`merge`, :func:`rest_hint`, :func:`moves`);
* ``types``: the records they share (:class:`RestProblem`, :class:`Frozen`, errors).
"""

from __future__ import annotations

from ingenio.operations.replan.merge import Move, merge, moves, outcomes, rest_hint
from ingenio.operations.replan.prepare import freeze, prepare, replan_portfolio, with_outage
from ingenio.operations.replan.types import (
    Frozen,
    Ghost,
    GhostError,
    Remaining,
    ReplanError,
    RestProblem,
)

__all__ = [
    "Frozen",
    "Ghost",
    "GhostError",
    "Move",
    "Remaining",
    "ReplanError",
    "RestProblem",
    "freeze",
    "merge",
    "moves",
    "outcomes",
    "prepare",
    "replan_portfolio",
    "rest_hint",
    "with_outage",
]
