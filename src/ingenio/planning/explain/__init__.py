"""Why an order is late or undone: one reason per order, read from the plan.

Public face of the room; its modules are private to it:

* ``reasons``: :func:`explain` (English), :func:`reasons` (sentences to translate),
  :func:`with_explanations` and :func:`fuel_needs`;
* ``insert``: where a late or undone order fits in a plan with more diesel
  (:func:`order_fit`);
* ``context``: what the reasons read from a plan (per-minute load, line use, fuel).
"""

from __future__ import annotations

from ingenio.planning.explain.insert import Fit, order_fit
from ingenio.planning.explain.reasons import explain, fuel_needs, reasons, with_explanations

__all__ = ["Fit", "explain", "fuel_needs", "order_fit", "reasons", "with_explanations"]
