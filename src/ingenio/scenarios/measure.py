"""The one measure the robust method chooses and evaluates policies on: the planner's score.

The planners rank plans lexicographically: most essential orders delivered, then most
value, then least fuel (``planning.portfolio.allocate``, ``docs/planning.md``). Averages
and paired differences over samples need one number, so the lexicographic order is
turned into a weighted scalar, the **planner score**::

    score = value - E * (essential orders not delivered) - PHI * litres burned

``value`` is what the plan delivers (late orders at their discount, the planners'
value); ``E`` (:func:`essential_weight`) is the value of all the portfolio's orders,
so one more essential order delivered outweighs any amount of value (the first level
of the lexicographic order exactly); ``PHI`` = :data:`FUEL_WEIGHT` currency units per
litre only breaks ties (on the demo, a few hundred units on millions). When every
essential order is delivered the score reads as the plan's value less a tie-breaker,
in the portfolio's currency. Every table of ``ingenio robust`` states this measure.
Pure: no IO.
"""

from __future__ import annotations

from ingenio.domain import OrderStatus, Portfolio, PriorityClass
from ingenio.scenarios.samples import SampleResult

__all__ = ["FUEL_WEIGHT", "MEASURE", "essential_ids", "essential_weight", "sample_score"]

FUEL_WEIGHT = 1e-3
"""Currency units per litre burned in the score: a tie-breaker between equal plans."""

MEASURE = (
    "planner score = value delivered - E x essential orders missed - 0.001 x litres burned "
    "(E = value of all orders: essential orders first, then value, then fuel)"
)
"""The measure in words, printed with every table and in the JSON output."""


def essential_weight(portfolio: Portfolio) -> float:
    """``E``: the value of all orders (at least 1), the weight of one essential order."""
    return max(1.0, sum(o.value for o in portfolio.orders))


def essential_ids(portfolio: Portfolio) -> frozenset[str]:
    """Ids of the essential orders."""
    return frozenset(o.id for o in portfolio.orders if o.priority is PriorityClass.ESSENTIAL)


def sample_score(portfolio: Portfolio, result: SampleResult) -> float:
    """The planner score of one planned sample (module docstring).

    An essential order counts as missed when the sample's plan leaves it unscheduled.
    """
    essential = essential_ids(portfolio)
    missed = sum(
        1 for oid, status, _ in result.outcomes
        if oid in essential and status is OrderStatus.UNSCHEDULED
    )  # fmt: skip
    return result.value - essential_weight(portfolio) * missed - FUEL_WEIGHT * result.fuel_l
