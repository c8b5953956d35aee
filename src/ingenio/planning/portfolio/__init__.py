"""The portfolio LP: depot fuel across plants, and the upper bound on plan value.

Public face of the room; its modules are private to it:

* ``allocation``: :func:`allocate` (fuel grants, order shares, the bound) and
  :func:`upper_bound`;
* ``build``: :func:`create_model`, the LP built family by family;
* ``model``: the LP's columns (:class:`PortfolioModel`) and the order and work
  families; ``supply``: the line, resource, energy, fuel and depot families;
  ``peaks``: lines that together pass the grid (added lazily by ``allocate``);
* ``grants``: depot fuel grants read off the LP, and spare depot fuel to share
  (:data:`Grant`, :func:`merge_grants`, :func:`share_spare`, used by the optimiser);
* ``lp``: a small sparse linear program solved by HiGHS;
* ``highs``: HiGHS sessions, column-wise models from arrays and timed runs
  (:func:`silent_session`, :func:`colwise_lp`, :func:`run_for`), also used by the
  sample-average problems of ``ingenio.scenarios``.
"""

from __future__ import annotations

from ingenio.planning.portfolio.allocation import (
    LATE_TIERS,
    Allocation,
    PortfolioModel,
    allocate,
    create_model,
    grant_points,
    upper_bound,
)
from ingenio.planning.portfolio.grants import Grant, merge_grants, share_spare
from ingenio.planning.portfolio.highs import colwise_lp, run_for, silent_session

__all__ = [
    "LATE_TIERS",
    "Allocation",
    "Grant",
    "PortfolioModel",
    "allocate",
    "colwise_lp",
    "create_model",
    "grant_points",
    "merge_grants",
    "run_for",
    "share_spare",
    "silent_session",
    "upper_bound",
]
