"""The portfolio level: how much depot fuel each plant draws, and when, and what it aims to make.

A linear program (HiGHS) over time buckets of each plant: the horizon cut at day
starts, grid-off edges, fuel arrivals and, while there are not too many, order
releases and due dates. Its variables are the share of each order done in each
lateness tier, the line-minutes of each step on each eligible line in each bucket,
the generator energy per bucket, and the depot fuel granted to each plant at each
grant point (the origin, each day start, each depot delivery).

Every constraint family is a *relaxation* of ``docs/plan-rules.md``: from any valid
plan one can read off values of these variables that satisfy every constraint and
score the plan's value or more (see the docstring of each ``define_<family>()``).
So the LP optimum is an upper bound on the value of every valid plan. The same LP,
re-solved lexicographically (essential orders done, then value, then least fuel), gives
the fuel grants and per-plant targets the two-level planner hands to each plant.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ingenio.domain import Portfolio
from ingenio.planning.portfolio.build import create_model
from ingenio.planning.portfolio.grants import grants_from_solution
from ingenio.planning.portfolio.model import LATE_TIERS, PortfolioModel, grant_points
from ingenio.planning.portfolio.peaks import define_peak_power, violated_peaks
from ingenio.planning.status import PlanStatus, Stop, stopped

__all__ = [
    "LATE_TIERS",
    "Allocation",
    "PortfolioModel",
    "allocate",
    "create_model",
    "grant_points",
    "upper_bound",
]

BOUND_MARGIN = 1e-6
"""Relative margin added to the LP optimum, for the solver's tolerances."""
BOUND_FLOOR = 1e-9
"""Absolute margin added to the LP optimum."""
PEAK_ROUNDS = 8
"""Most rounds of adding violated peak rows (:mod:`.peaks`)."""


def _with_margin(best: float) -> float:
    """The LP optimum made safe against the solver's tolerances."""
    return best + BOUND_MARGIN * abs(best) + BOUND_FLOOR


@dataclass(frozen=True)
class Allocation:
    """The portfolio level's decision and the upper bound.

    Attributes
    ----------
    bound
        Upper bound on the value of any valid plan (the LP optimum, plus a 1e-6 margin).
    grants
        Per plant id: ``(minute, litres)`` of depot fuel it may draw from that minute on.
    depot_grants
        Per plant id: ``(depot id, minute, litres)``, the same grants by depot. Their
        sum per depot never exceeds the depot's stock plus deliveries up to the minute.
    targets
        Per plant id: the value the LP makes there (what the plant aims at).
    order_shares
        Per order id: the share of the order the LP makes (0 to 1).
    fuel_l
        Per plant id: litres the LP burns (a lower bound on what that output needs).
    status
        LP status of the bound solve: ``optimal``, ``time_limit``, ``infeasible`` or
        ``error``; when not ``optimal`` the bound is the weak one (every order at its
        best value) and the grants only share the depots out (see :func:`allocate`).
    seconds
        Wall time of building and solving.
    coarse
        The LP was built with coarse buckets (a big portfolio; a looser bound).
    order_finish
        Per order id the LP makes: the minute its last step's work is done on
        average (work-weighted end of the buckets it runs in): when the LP finishes it.
    """

    bound: float
    grants: Mapping[str, tuple[tuple[int, float], ...]]
    depot_grants: Mapping[str, tuple[tuple[str, int, float], ...]]
    targets: Mapping[str, float]
    order_shares: Mapping[str, float]
    fuel_l: Mapping[str, float]
    status: PlanStatus
    seconds: float
    coarse: bool = False
    order_finish: Mapping[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for plan notes: which LP, its status, the bound."""
        kind = "portfolio LP, coarse buckets" if self.coarse else "portfolio LP"
        if self.status is not PlanStatus.OPTIMAL:
            return (
                f"{kind} ({self.status} after {self.seconds:.0f} s): weak upper bound "
                f"{self.bound:,.0f} (every order at its best value)"
            )
        return f"{kind} (optimal, {self.seconds:.0f} s): upper bound {self.bound:,.0f}"


def _fallback_bound(m: PortfolioModel) -> float:
    """Every order at its best tier: a bound that needs no solver."""
    return sum(max((m.value[c] for c, _ in cols), default=0.0) for cols in m.tiers.values())


def upper_bound(portfolio: Portfolio, time_limit_s: float = 60.0) -> float:
    """Upper bound on the value any valid plan of ``portfolio`` can deliver.

    Parameters
    ----------
    portfolio
        The portfolio.
    time_limit_s
        Time limit of building and solving the LP; past it, a weaker bound (each order
        at the best value it could ever earn) is returned.

    Returns
    -------
    float
        The LP optimum plus a ``1e-6`` relative margin.
    """
    deadline = time.perf_counter() + time_limit_s
    m, status, best, _ = _solve_with_peaks(portfolio, deadline)
    if status is not PlanStatus.OPTIMAL:
        return _fallback_bound(m)
    return _with_margin(best)


def _left(deadline: float) -> float:
    """Seconds to ``deadline``, at least a token 0.1 s (HiGHS then stops at once)."""
    return max(0.1, deadline - time.perf_counter())


def _bound_solve(m: PortfolioModel, deadline: float) -> tuple[PlanStatus, float, np.ndarray]:
    """The most-value solve, unless building the model spent the whole time."""
    if time.perf_counter() >= deadline:
        return PlanStatus.TIME_LIMIT, math.nan, np.zeros(m.lp.n_cols)
    return m.lp.solve(m.value, maximise=True, time_limit_s=_left(deadline))


def _solve_with_peaks(
    portfolio: Portfolio, deadline: float, stop: Stop | None = None
) -> tuple[PortfolioModel, PlanStatus, float, np.ndarray]:
    """Build and solve for most value, then add the peak rows (:mod:`.peaks`) the
    solution violates and solve again from the basis, up to :data:`PEAK_ROUNDS` times.

    Every round's LP is a relaxation, so each optimum is a bound; a round that does not
    finish in time keeps the one before. Coarse models (big portfolios) get no peak rows.
    ``stop()`` True before the first solve: status ``cancelled``."""
    m = create_model(portfolio, peaks="lazy")
    if stopped(stop):
        return m, PlanStatus.CANCELLED, math.nan, np.zeros(m.lp.n_cols)
    status, best, x = _bound_solve(m, deadline)
    if status is not PlanStatus.OPTIMAL:
        return m, status, best, x
    for _ in range(PEAK_ROUNDS):
        new = violated_peaks(m, x)
        if not new or stopped(stop) or time.perf_counter() >= deadline:
            break
        define_peak_power(m, new, live=True)
        again, top, y = _bound_solve(m, deadline)
        if again is not PlanStatus.OPTIMAL:
            break
        best, x = top, y
    return m, status, best, x


def _lexicographic(
    m: PortfolioModel, best: float, x: np.ndarray, deadline: float, stop: Stop | None = None
) -> np.ndarray:
    """Re-solve: most essential orders, then most value, then least fuel (warm starts).

    A stage that runs out of time keeps the solution of the stage before it; ``stop()``
    is asked before each stage, and True keeps the solution so far."""
    lp = m.lp
    if stopped(stop):
        return x

    def tol(v: float) -> float:
        return BOUND_MARGIN * max(1.0, abs(v))

    if any(v > 0 for v in m.essential.values()):
        status, top, y = lp.solve(m.essential, maximise=True, time_limit_s=_left(deadline))
        if status is PlanStatus.OPTIMAL:
            lp.constrain(list(m.essential.items()), top - tol(top), math.inf)
            status, best2, y = lp.solve(m.value, maximise=True, time_limit_s=_left(deadline))
            if status is not PlanStatus.OPTIMAL:
                return x
            best, x = best2, y
    if stopped(stop):
        return x
    lp.constrain(list(m.value.items()), best - tol(best), math.inf)
    fuel = {c: 1.0 for c in m.grants.values()}
    for cols in m.burned.values():
        fuel[cols[-1]] = fuel.get(cols[-1], 0.0) + 1.0
    if not fuel:
        return x
    status, _, y = lp.solve(fuel, maximise=False, time_limit_s=_left(deadline))
    return y if status is PlanStatus.OPTIMAL else x


def allocate(
    portfolio: Portfolio,
    time_limit_s: float = 60.0,
    share_spare: bool = True,
    stop: Stop | None = None,
) -> Allocation:
    """Decide the depot fuel each plant draws and what each plant aims to make.

    Parameters
    ----------
    portfolio
        The portfolio.
    time_limit_s
        Time limit of the whole call: building the LP and every solve. When the bound
        solve does not finish, the bound is the weak one and no plant gets a target;
        when a later (lexicographic) solve does not finish, the grants and targets
        are those of the stage before.
    share_spare
        Also hand out the depot fuel the LP leaves unused (see Returns).
    stop
        Asked after building the LP and between the lexicographic stages; True keeps
        what is solved so far (before the bound solve: the weak bound, status
        ``cancelled``).

    Returns
    -------
    Allocation
        The upper bound (most value, the LP optimum) and the grants and targets of
        the lexicographic optimum: most essential orders done, then most value, then
        least fuel. Depot fuel the LP leaves unused is shared among the plants in
        proportion to what they burn in it (:mod:`ingenio.planning.portfolio.grants`).
    """
    clock = time.perf_counter()
    deadline = clock + time_limit_s
    m, status, best, x = _solve_with_peaks(portfolio, deadline, stop)
    if status is not PlanStatus.OPTIMAL:
        bound = _fallback_bound(m)
        x = np.zeros(m.lp.n_cols)
    else:
        bound = _with_margin(best)
        x = _lexicographic(m, best, x, deadline, stop)
    targets: dict[str, float] = defaultdict(float)
    shares: dict[str, float] = {}
    for oid, cols in m.tiers.items():
        shares[oid] = float(sum(x[c] for c, _ in cols))
        targets[m.windows[oid].plant_id] += float(sum(m.value[c] * x[c] for c, _ in cols))
    finish: dict[str, float] = {}
    for oid, window in m.windows.items():
        last = (oid, len(window.steps) - 1)
        if last not in m.work:
            continue
        work, buckets = m.work[last]
        done = x[work]
        if done.sum() > 1e-9:
            ends = np.asarray(m.edges[window.plant_id], dtype=np.float64)[buckets + 1]
            finish[oid] = float((done * ends).sum() / done.sum())
    fuel = {pid: float(x[cols[-1]]) for pid, cols in m.burned.items()}
    depot_grants = grants_from_solution(portfolio, m.grant_points, m.grants, x, fuel, share_spare)
    totals: dict[str, tuple[tuple[int, float], ...]] = {}
    for pid, items in depot_grants.items():
        by_minute: dict[int, float] = defaultdict(float)
        for _, at, litres in items:
            by_minute[at] += litres
        totals[pid] = tuple(sorted(by_minute.items()))
    return Allocation(
        bound=bound,
        grants=totals,
        depot_grants=depot_grants,
        targets={p.id: targets.get(p.id, 0.0) for p in portfolio.plants},
        order_shares=shares,
        fuel_l={p.id: fuel.get(p.id, 0.0) for p in portfolio.plants},
        status=status,
        seconds=time.perf_counter() - clock,
        coarse=m.coarse,
        order_finish=finish,
    )
