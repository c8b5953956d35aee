"""The greedy dispatcher: a fast, always-valid plan of a whole portfolio.

Public face of the room; its modules are private to it:

* ``greedy``: :func:`dispatch`, the dispatch rule (orders by priority, each step at its
  earliest feasible slot);
* ``place``: where one step of an order can run on one line (the search);
* ``power``: power and fuel bookkeeping per plant and depot; :class:`Commitment` (the
  least-fuel generator set for a deficit) is also used by the web's hand moves.
"""

from __future__ import annotations

from ingenio.planning.dispatch.greedy import dispatch
from ingenio.planning.dispatch.power import Commitment

__all__ = ["Commitment", "dispatch"]
