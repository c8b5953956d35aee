"""The fuel board of a portfolio: tanks, the plan's grants per plant, tanker dates.

It is the input side of a what-if: each tanker can be made late, each plant or depot
given extra litres, each generator taken down; :func:`whatif_of_board` turns the
filled-in board into a :class:`~ingenio.services.whatif_jobs.WhatIf` (checked when
the job is asked for). A plant's *grant* is the diesel the plan trucks to it from
the depots over the horizon. Planners only (``plans.create``), in scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ingenio.errors import N_, IngenioError, said
from ingenio.services.auth import Principal
from ingenio.services.tenancy import find_portfolio
from ingenio.services.web_views import latest_plan, load
from ingenio.services.whatif_jobs import WhatIf
from ingenio.store.repository import Store

__all__ = ["FuelBoard", "FuelPlant", "Tanker", "fuel_board", "whatif_of_board"]

MAX_DELAY_DAYS = 60
"""The longest tanker delay the board accepts."""

MAX_EXTRA_LITRES = 1_000_000.0
"""The most extra litres the board accepts per plant or depot."""


@dataclass(frozen=True)
class FuelPlant:
    """A plant's tank, the plan's grant to it and its generators."""

    id: str
    name: str
    capacity_l: float | None
    stock_l: float | None
    reserve_l: float | None
    granted_l: float
    burned_l: float
    generators: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Tanker:
    """A delivery with its destination, litres and expected plant-local time."""

    id: str
    destination: str
    litres: float
    expected: str


@dataclass(frozen=True)
class FuelBoard:
    """The fuel inputs of a portfolio, as its newest plan the principal sees has them."""

    portfolio_id: int
    plan_id: int
    zone: str
    plants: tuple[FuelPlant, ...]
    depots: tuple[tuple[str, str, float], ...]
    tankers: tuple[Tanker, ...]


def fuel_board(store: Store, principal: Principal, portfolio_id: int) -> FuelBoard | None:
    """The fuel board of a portfolio in scope (None when it has no plan yet)."""
    view = find_portfolio(store, principal, portfolio_id)
    principal.require("plans.create")
    latest = latest_plan(store, principal, view.id)
    if latest is None:
        return None
    loaded = load(store, principal, latest.plan.id)
    p, plan = loaded.portfolio, loaded.plan
    plants = []
    for pid in loaded.plants():
        plant = p.plant(pid)
        tank = plant.tank
        granted = sum(t.litres for t in plan.fuel_transfers if t.plant_id == pid)
        burned = sum(
            p.generator(r.generator_id).litres(r.output_kw, r.end - r.start)
            for r in plan.generator_runs
            if p.generator(r.generator_id).plant_id == pid
        )
        plants.append(
            FuelPlant(
                pid,
                plant.name,
                tank.capacity_l if tank else None,
                tank.stock_l if tank else None,
                tank.reserve_l if tank else None,
                granted,
                burned,
                tuple((g.id, g.rated_kw) for g in plant.generators),
            )
        )
    tankers = tuple(
        Tanker(d.id, d.destination, d.litres, loaded.local(d.expected))
        for d in sorted(p.deliveries, key=lambda d: d.expected)
    )
    depots = tuple((d.id, d.name, d.stock_l) for d in p.depots)
    return FuelBoard(view.id, latest.plan.id, p.horizon.timezone, tuple(plants), depots, tankers)


def whatif_of_board(board: FuelBoard, fields: Mapping[str, str], down: list[str]) -> WhatIf:
    """The what-if of a filled-in board: ``delay:<tanker>`` days, ``extra:<site>`` litres,
    ``down`` a list of ``plant/generator``; blanks and zeros leave a thing as it is.

    Raises
    ------
    IngenioError
        ``invalid`` naming the field for a number out of bounds or a name not on the board.
    """
    tankers = {t.id for t in board.tankers}
    sites = {pl.id for pl in board.plants} | {d[0] for d in board.depots}
    gens = {f"{pl.id}/{g}" for pl in board.plants for g, _ in pl.generators}
    delays, extra = [], []
    for key, raw in fields.items():
        kind, _, ident = key.partition(":")
        text = raw.strip()
        if kind not in ("delay", "extra") or not text:
            continue
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise IngenioError(
                said(N_("%(key)s: not a number (%(text)s)"), key=key, text=repr(text[:20])),
                kind="invalid",
            ) from None
        if kind == "delay":
            if ident not in tankers or not 0 <= value <= MAX_DELAY_DAYS:
                raise IngenioError(
                    said(
                        N_("%(key)s: 0 to %(limit)s days of a tanker on the board"),
                        key=key,
                        limit=MAX_DELAY_DAYS,
                    )
                )
            if value:
                delays.append(f"{ident}={value:g}d")
        else:
            if ident not in sites or not 0 <= value <= MAX_EXTRA_LITRES:
                raise IngenioError(
                    said(
                        N_("%(key)s: 0 to %(limit)s L to a plant or depot"),
                        key=key,
                        limit=f"{MAX_EXTRA_LITRES:,.0f}",
                    )
                )
            if value:
                extra.append(f"{ident}={value:g}")
    for g in down:
        if g not in gens:
            raise IngenioError(
                said(N_("down: no generator %(generator)s on the board"), generator=repr(g[:60])),
                kind="invalid",
            )
    return WhatIf(tanker_delays=delays, generators_down=list(down), extra_fuel=extra)
