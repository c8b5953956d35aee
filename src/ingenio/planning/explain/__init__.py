"""Why an order is late or undone: one reason per order, read from the plan.

Public face of the room; its modules are private to it:

* ``reasons``: :func:`explain`, :func:`with_explanations` and :func:`fuel_needs`;
* ``context``: what the reasons read from a plan (per-minute load, line use, fuel).
"""

from __future__ import annotations

from ingenio.planning.explain.reasons import explain, fuel_needs, with_explanations

__all__ = ["explain", "fuel_needs", "with_explanations"]
