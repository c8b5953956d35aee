"""The independent validator: does a plan keep every rule of ``docs/plan-rules.md``?

It imports only :mod:`ingenio.domain`, never a planner, so a planner's bug cannot hide
in a shared helper (an import-linter contract keeps it so).

* ``rules``: :func:`validate` and :data:`RULES` (the rule ids of the contract);
* ``orders``: the order rules (release, routing, quantity, duration, predecessors,
  outcomes);
* ``energy``: the resource, power and fuel rules, by event-driven simulation.
"""

from __future__ import annotations

from ingenio.validate.rules import RULES, validate

__all__ = ["RULES", "validate"]
