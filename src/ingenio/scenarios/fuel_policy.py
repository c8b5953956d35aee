"""Fuel policies: shares of every depot arrival earmarked per plant, and where they come from.

A :class:`FuelPolicy` is the here-and-now part of the robust method
(:mod:`ingenio.scenarios.robust`): it is fixed before the outages and arrivals are
known and applied to any scenario. Shares can be read off a plan (what it
trucked), averaged over sampled plans, or taken from the portfolio-level LP.
Pure: no IO.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ingenio.domain import FuelDelivery, Plan, Portfolio
from ingenio.scenarios.samples import SampleResult

__all__ = [
    "FuelPolicy",
    "depot_supply",
    "lp_shares",
    "mean_shares",
    "shares_from",
    "shares_of",
    "trucked",
]

_TINY = 1e-6


def trucked(plan: Plan) -> dict[str, float]:
    """Litres trucked from depots into each plant's tank in ``plan``."""
    out: dict[str, float] = {}
    for t in plan.fuel_transfers:
        out[t.plant_id] = out.get(t.plant_id, 0.0) + t.litres
    return out


def depot_supply(portfolio: Portfolio) -> float:
    """Depot stock plus the deliveries to depots expected within the horizon (litres)."""
    end = portfolio.horizon.minutes
    incoming = sum(
        d.litres
        for d in portfolio.deliveries
        if d.expected < end and portfolio.has("depot", d.destination)
    )
    return sum(d.stock_l for d in portfolio.depots) + incoming


@dataclass(frozen=True)
class FuelPolicy:
    """Here-and-now fuel decisions: shares of every depot arrival earmarked per plant.

    ``shares`` holds ``(plant id, share)`` pairs, each share in [0, 1], summing
    to at most 1; the rest, :attr:`reserve`, stays in the depot for whoever
    needs it first. No shares: everything is shared (a free re-plan).
    """

    name: str
    shares: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if any(not 0.0 <= s <= 1.0 for _, s in self.shares):
            raise ValueError(f"policy {self.name}: shares must be in [0, 1]")
        if sum(s for _, s in self.shares) > 1.0 + 1e-9:
            raise ValueError(f"policy {self.name}: shares add up to more than 1")

    @property
    def reserve(self) -> float:
        """Share of every depot arrival left unallocated."""
        return max(0.0, 1.0 - sum(s for _, s in self.shares))

    def scaled(self, keep: float, name: str) -> FuelPolicy:
        """The same split with every share multiplied by ``keep`` (more reserve)."""
        return FuelPolicy(name, tuple((p, s * keep) for p, s in self.shares))

    def earmarks(self, portfolio: Portfolio) -> dict[str, float]:
        """Litres earmarked per plant with the portfolio's expected arrivals."""
        supply = depot_supply(portfolio)
        return {p: s * supply for p, s in self.shares}

    def apply(self, scenario: Portfolio) -> Portfolio:
        """The scenario with the earmarks turned into deliveries into the plants' tanks.

        Raises
        ------
        ValueError
            If a share names a plant the scenario lacks or one without a tank.
        """
        shares = [(p, s) for p, s in self.shares if s > 0]
        if not shares:
            return scenario
        for pid, _ in shares:
            if not scenario.has("plant", pid) or scenario.plant(pid).tank is None:
                raise ValueError(f"policy {self.name}: {pid} is not a plant with a fuel tank")
        keep = self.reserve
        depots = []
        extra: list[FuelDelivery] = []
        for depot in scenario.depots:
            depots.append(dataclasses.replace(depot, stock_l=depot.stock_l * keep))
            extra += [
                FuelDelivery(f"{depot.id}>{pid}@start", depot.stock_l * s, 0, 0, 0, pid)
                for pid, s in shares
                if depot.stock_l * s > _TINY
            ]
        deliveries: list[FuelDelivery] = []
        for d in scenario.deliveries:
            if not scenario.has("depot", d.destination):
                deliveries.append(d)
                continue
            if d.litres * keep > _TINY:
                deliveries.append(dataclasses.replace(d, litres=d.litres * keep))
            extra += [
                dataclasses.replace(d, id=f"{d.id}>{pid}", litres=d.litres * s, destination=pid)
                for pid, s in shares
                if d.litres * s > _TINY
            ]
        return dataclasses.replace(scenario, depots=tuple(depots), deliveries=(*deliveries, *extra))


def shares_of(portfolio: Portfolio, plan: Plan) -> tuple[tuple[str, float], ...]:
    """The allocation a plan made: litres trucked to each plant / depot supply."""
    return shares_from(trucked(plan), depot_supply(portfolio))


def shares_from(litres: Mapping[str, float], supply: float) -> tuple[tuple[str, float], ...]:
    if supply <= 0:
        return ()
    total = sum(litres.values())
    scale = 1.0 / max(1.0, total / supply)  # never more than all of it
    return tuple(sorted((p, x / supply * scale) for p, x in litres.items() if x > _TINY))


def lp_shares(portfolio: Portfolio) -> tuple[tuple[str, float], ...]:
    """The depot grants of :func:`~ingenio.planning.portfolio.allocate` as shares."""
    from ingenio.planning.portfolio import allocate

    grants = allocate(portfolio).depot_grants
    litres = {
        pid: sum(x for _, _, x in items)
        for pid, items in grants.items()
        if portfolio.has("plant", pid) and portfolio.plant(pid).tank is not None
    }
    return shares_from(litres, depot_supply(portfolio))


def mean_shares(results: Sequence[SampleResult]) -> tuple[tuple[str, float], ...]:
    """Average over samples of the shares each free re-plan trucked."""
    if not results:
        return ()
    total: dict[str, float] = {}
    for r in results:
        for pid, share in shares_from(dict(r.trucked), r.depot_supply_l):
            total[pid] = total.get(pid, 0.0) + share / len(results)
    return tuple(sorted(total.items()))
