"""Fuel grants decided here and now: the first stage of the two-stage robust model.

A :class:`GrantPolicy` hands out *all* the depot diesel before anyone knows when the
grid fails or the tankers dock:

* ``stock``: litres of each depot's stock in hand granted to each plant from the start
  of a day (``(depot id, plant id, day, litres)``);
* ``shares``: the share of each tanker bound for a depot that goes to each plant when
  it docks, whenever that is (``(delivery id, plant id, share)``).

Each depot's stock is granted in full, each tanker's shares add up to 1: the plants
replan within what they were granted (the recourse, :mod:`.extensive` and the held-out
runs of :mod:`.twostage`). :meth:`GrantPolicy.apply` executes a policy on a scenario
(a sampled portfolio): each grant becomes a delivery straight into the plant's tank at
the start of its day, each share at the minute that scenario's tanker docks, and the
depots are left empty. Like the earmarks of :mod:`.fuel_policy`, granted fuel enters a
tank without the capacity check trucked fuel gets (``docs/plan-rules.md``). Pure: no IO.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ingenio.domain import MINUTES_PER_DAY, FuelDelivery, Portfolio

__all__ = ["GrantPolicy", "depot_deliveries", "grant_plants"]

_TINY = 1e-6


def grant_plants(portfolio: Portfolio) -> tuple[str, ...]:
    """Plants that can be granted depot fuel: those with a tank and a generator."""
    return tuple(p.id for p in portfolio.plants if p.tank is not None and p.generators)


def depot_deliveries(portfolio: Portfolio) -> tuple[FuelDelivery, ...]:
    """The tankers bound for a depot (their shares are first-stage decisions)."""
    return tuple(d for d in portfolio.deliveries if portfolio.has("depot", d.destination))


@dataclass(frozen=True)
class GrantPolicy:
    """All depot diesel allocated to plants: stock per plant and day, tanker shares."""

    name: str
    stock: tuple[tuple[str, str, int, float], ...] = ()
    shares: tuple[tuple[str, str, float], ...] = ()

    def __post_init__(self) -> None:
        shares_ok = all(0 <= s <= 1 + 1e-9 for *_, s in self.shares)
        if any(x < 0 for *_, x in self.stock) or not shares_ok:
            raise ValueError(f"policy {self.name}: grants must be >= 0 and shares in [0, 1]")

    def litres(self, portfolio: Portfolio) -> dict[str, float]:
        """Litres granted to each plant with the tankers' nominal litres."""
        size = {d.id: d.litres for d in portfolio.deliveries}
        out: dict[str, float] = {}
        for _, pid, _, x in self.stock:
            out[pid] = out.get(pid, 0.0) + x
        for did, pid, s in self.shares:
            out[pid] = out.get(pid, 0.0) + s * size.get(did, 0.0)
        return out

    def apply(self, scenario: Portfolio) -> Portfolio:
        """The scenario with every grant delivered straight into its plant's tank.

        Raises
        ------
        ValueError
            If a grant names a plant the scenario lacks or one without a tank.
        """
        if not self.stock and not self.shares:
            return scenario  # nothing granted: the depots stay shared (a free re-plan)
        for pid in {g[1] for g in self.stock} | {s[1] for s in self.shares}:
            if not scenario.has("plant", pid) or scenario.plant(pid).tank is None:
                raise ValueError(f"policy {self.name}: {pid} is not a plant with a fuel tank")
        extra = [
            FuelDelivery(f"{did}>{pid}@day{day}", x, t, t, t, pid)
            for did, pid, day, x in self.stock
            if x > _TINY
            for t in [day * MINUTES_PER_DAY]
        ]
        keep: list[FuelDelivery] = []
        for d in scenario.deliveries:
            if not scenario.has("depot", d.destination):
                keep.append(d)
                continue
            extra += [
                dataclasses.replace(d, id=f"{d.id}>{pid}", litres=d.litres * s, destination=pid)
                for did, pid, s in self.shares
                if did == d.id and d.litres * s > _TINY
            ]
        depots = tuple(dataclasses.replace(dep, stock_l=0.0) for dep in scenario.depots)
        return dataclasses.replace(scenario, depots=depots, deliveries=(*keep, *extra))
