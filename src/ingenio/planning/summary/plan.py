"""What a plan achieves per plant and in total, and where power and fuel bind.

Pure: reads a portfolio and a plan, does no IO. Power and fuel are accounted as
``docs/plan-rules.md`` says (see :mod:`ingenio.planning.summary.fuel` and
:mod:`ingenio.planning.summary.power`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ingenio.domain import (
    MINUTES_PER_HOUR,
    OrderStatus,
    Plan,
    Plant,
    Portfolio,
    Window,
    merge_windows,
)
from ingenio.planning.genruns import run_litres
from ingenio.planning.summary.fuel import (
    depot_levels,
    first_at_or_below,
    lowest,
    spans_at_or_below,
    tank_levels,
)
from ingenio.planning.summary.idle import idle_fuel
from ingenio.planning.summary.power import (
    LIMIT_SHARE,
    MinuteProfile,
    PowerSeries,
    idle_minutes_without_power,
    minute_profile,
    plant_load_spans,
    power_series,
)

__all__ = [
    "SIGNIFICANT_SHARE",
    "DepotSummary",
    "PlanSummary",
    "PlantSummary",
    "PowerSeries",
    "depot_levels",
    "power_series",
    "summarise",
    "tank_levels",
]

SIGNIFICANT_SHARE = 0.10
"""Share of slots (or hours) from which a power limit counts as binding."""

NEAR = 0.01
"""A level within 1 % of the reserve (of the capacity, with no reserve) is "at reserve"."""


@dataclass(frozen=True)
class PlantSummary:
    """What the plan does at one plant. Hours are hours, fuel in litres, value in currency."""

    plant_id: str
    plant_name: str
    enterprise_id: str
    enterprise: str
    value: float
    potential_value: float
    orders: int
    on_time: int
    late: int
    unscheduled: int
    line_hours: float
    grid_hours: float
    generator_hours: float
    fuel_used_l: float
    fuel_received_l: float
    tank_capacity_l: float | None
    reserve_l: float | None
    lowest_tank_l: float | None
    lowest_tank_at: int | None
    grid_off_hours: float
    limit_share_grid_off: float
    binding: tuple[str, ...]

    @property
    def off_grid_line_hours(self) -> float:
        """Line-hours of production run while the grid was off."""
        return self.line_hours - self.grid_hours


@dataclass(frozen=True)
class DepotSummary:
    """Fuel through one depot: stock, deliveries in, transfers out, lowest level."""

    depot_id: str
    name: str
    stock_l: float
    received_l: float
    shipped_l: float
    lowest_l: float
    lowest_at: int
    empty_from: int | None


@dataclass(frozen=True)
class PlanSummary:
    """Per-plant summaries, portfolio totals and the binding notes of a plan."""

    portfolio: str
    planner: str
    status: str
    currency: str
    plants: tuple[PlantSummary, ...]
    depots: tuple[DepotSummary, ...]
    total_value: float
    total_potential_value: float
    total_orders: int
    total_on_time: int
    total_late: int
    total_unscheduled: int
    total_line_hours: float
    total_grid_hours: float
    total_generator_hours: float
    total_fuel_used_l: float
    total_fuel_received_l: float
    total_grid_off_hours: float
    binding: tuple[str, ...]
    idle_litres_while_starving: float = 0.0
    """Depot diesel left unused while a plant starves (``docs/planning.md``)."""
    starving: tuple[str, ...] = ()
    """Plants whose tank reaches its reserve with orders their generators could run
    late or undone."""

    def plant(self, plant_id: str) -> PlantSummary:
        """The summary of one plant (KeyError when absent)."""
        for p in self.plants:
            if p.plant_id == plant_id:
                return p
        raise KeyError(plant_id)


def when(portfolio: Portfolio, minute: int) -> str:
    """``2026-04-09 14:00 (day 4)``: local time of a minute and the day of the horizon."""
    local = portfolio.horizon.to_datetime(minute)
    first = portfolio.horizon.to_datetime(0).date()
    return f"{local:%Y-%m-%d %H:%M} (day {(local.date() - first).days + 1})"


def _overlap(start: int, end: int, windows: Sequence[Window]) -> int:
    """Minutes of ``[start, end)`` inside the (merged) windows."""
    return sum(max(0, min(end, w.end) - max(start, w.start)) for w in windows)


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _orders(n: int) -> str:
    return f"{n} order" if n == 1 else f"{n} orders"


def summarise(
    portfolio: Portfolio, plan: Plan, needs: Mapping[str, float] | None = None
) -> PlanSummary:
    """Summarise a plan per plant and for the portfolio, with notes on what binds.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan (assumed valid; an invalid one is summarised as it stands).
    needs : Mapping[str, float], optional
        Litres per plant its fuel-starved orders would burn
        (:func:`ingenio.planning.explain.fuel_needs`), for the idle litres while
        starving; None counts the generators' headroom alone.

    Returns
    -------
    PlanSummary
        Plant summaries in portfolio order, depot summaries, totals, and
        ``binding``: every plant's notes prefixed with its name, then depot notes.
    """
    depots = tuple(_depot_summary(portfolio, plan, d.id) for d in portfolio.depots)
    plants = tuple(_plant_summary(portfolio, plan, p, depots) for p in portfolio.plants)
    binding = [
        f"{p.plant_name}: {note}"
        for p in plants
        for note in p.binding
        if not note.startswith("fuel: depot")
    ]
    binding += [
        f"fuel: depot {d.name} empty from {when(portfolio, d.empty_from)}"
        for d in depots
        if d.empty_from is not None and any(p.generators for p in portfolio.plants)
    ]
    idle = idle_fuel(portfolio, plan, needs)
    if idle.litres > 0:
        binding.append(f"fuel: {idle.note()}")
    return PlanSummary(
        portfolio=portfolio.name,
        planner=plan.planner,
        status=plan.status,
        currency=portfolio.currency,
        plants=plants,
        depots=depots,
        total_value=sum(p.value for p in plants),
        total_potential_value=sum(p.potential_value for p in plants),
        total_orders=sum(p.orders for p in plants),
        total_on_time=sum(p.on_time for p in plants),
        total_late=sum(p.late for p in plants),
        total_unscheduled=sum(p.unscheduled for p in plants),
        total_line_hours=sum(p.line_hours for p in plants),
        total_grid_hours=sum(p.grid_hours for p in plants),
        total_generator_hours=sum(p.generator_hours for p in plants),
        total_fuel_used_l=sum(p.fuel_used_l for p in plants),
        total_fuel_received_l=sum(p.fuel_received_l for p in plants),
        total_grid_off_hours=sum(p.grid_off_hours for p in plants),
        binding=tuple(binding),
        idle_litres_while_starving=idle.litres,
        starving=idle.starving,
    )


def _depot_summary(portfolio: Portfolio, plan: Plan, depot_id: str) -> DepotSummary:
    depot = next(d for d in portfolio.depots if d.id == depot_id)
    received = sum(d.litres for d in portfolio.deliveries_to(depot_id))
    levels = depot_levels(portfolio, plan, depot_id)
    low = lowest(levels)
    assert low is not None  # a depot series always has its start point
    empty, _ = first_at_or_below(levels, NEAR * max(depot.stock_l + received, 1.0))
    return DepotSummary(
        depot_id=depot.id,
        name=depot.name,
        stock_l=depot.stock_l,
        received_l=received,
        shipped_l=sum(t.litres for t in plan.fuel_transfers if t.depot_id == depot_id),
        lowest_l=low[1],
        lowest_at=low[0],
        empty_from=empty,
    )


def _plant_summary(
    portfolio: Portfolio, plan: Plan, plant: Plant, depots: Iterable[DepotSummary]
) -> PlantSummary:
    order_ids = {o.id for o in portfolio.orders_of(plant.id)}
    outcomes = {o.order_id: o for o in plan.outcomes if o.order_id in order_ids}
    statuses = [outcomes[i].status if i in outcomes else OrderStatus.UNSCHEDULED for i in order_ids]
    late = statuses.count(OrderStatus.LATE)
    unscheduled = statuses.count(OrderStatus.UNSCHEDULED)
    horizon = portfolio.horizon.minutes
    off = merge_windows(
        Window(max(w.start, 0), min(w.end, horizon))
        for w in portfolio.grid_off(plant.id)
        if w.end > 0 and w.start < horizon
    )
    spans = plant_load_spans(portfolio, plan, plant)
    run_minutes = sum(e - s for s, e, _ in spans)
    off_minutes = sum(_overlap(s, e, off) for s, e, _ in spans)
    gens = {g.id: g for g in plant.generators}
    runs = [r for r in plan.generator_runs if r.generator_id in gens]
    levels = tank_levels(portfolio, plan, plant.id)
    low = lowest(levels)
    tank = plant.tank
    profile = minute_profile(portfolio, plan, plant.id)
    series = power_series(portfolio, plan, plant.id, profile)
    off_slots = [lim for lim, o in zip(series.at_limit, series.grid_off, strict=True) if o]
    limit_share = sum(off_slots) / len(off_slots) if off_slots else 0.0
    dry_below = 0.0
    if tank is not None:
        dry_below = tank.reserve_l + NEAR * (tank.reserve_l or tank.capacity_l)
    missed = tuple(
        outcomes[i].completion if i in outcomes else None
        for i in order_ids
        if i not in outcomes or outcomes[i].status is not OrderStatus.ON_TIME
    )
    ctx = _Context(portfolio, plan, plant, missed, levels, dry_below, profile, series)
    notes = _fuel_notes(ctx, depots) + _power_notes(ctx, limit_share, run_minutes, off_minutes)
    received = sum(d.litres for d in portfolio.deliveries_to(plant.id) if d.expected <= horizon)
    received += sum(t.litres for t in plan.fuel_transfers if t.plant_id == plant.id)
    enterprise = next(e for e in portfolio.enterprises if e.id == plant.enterprise_id)
    return PlantSummary(
        plant_id=plant.id,
        plant_name=plant.name,
        enterprise_id=enterprise.id,
        enterprise=enterprise.name,
        value=sum(o.value for o in outcomes.values()),
        potential_value=sum(portfolio.order(i).value for i in order_ids),
        orders=len(order_ids),
        on_time=statuses.count(OrderStatus.ON_TIME),
        late=late,
        unscheduled=unscheduled,
        line_hours=run_minutes / MINUTES_PER_HOUR,
        grid_hours=(run_minutes - off_minutes) / MINUTES_PER_HOUR,
        generator_hours=sum(r.end - r.start for r in runs) / MINUTES_PER_HOUR,
        fuel_used_l=run_litres(gens, runs),
        fuel_received_l=received,
        tank_capacity_l=tank.capacity_l if tank else None,
        reserve_l=tank.reserve_l if tank else None,
        lowest_tank_l=low[1] if low else None,
        lowest_tank_at=low[0] if low else None,
        grid_off_hours=sum(w.minutes for w in off) / MINUTES_PER_HOUR,
        limit_share_grid_off=limit_share,
        binding=tuple(notes),
    )


@dataclass(frozen=True)
class _Context:
    portfolio: Portfolio
    plan: Plan
    plant: Plant
    missed: tuple[int | None, ...]
    """Completion of each late order, None for an unscheduled one."""
    levels: list[tuple[int, float]]
    dry_below: float
    profile: MinuteProfile
    series: PowerSeries


def _fuel_notes(ctx: _Context, depots: Iterable[DepotSummary]) -> list[str]:
    """Fuel binds when the tank reaches its reserve or a depot feeding the plant runs dry."""
    plant, notes = ctx.plant, []
    if not plant.generators:
        return []
    at_reserve = False
    if plant.tank is not None and ctx.levels:
        reserve = plant.tank.reserve_l
        first, minutes = first_at_or_below(ctx.levels, ctx.dry_below)
        if first is not None and first < ctx.portfolio.horizon.minutes:
            at_reserve = True
            note = (
                f"fuel: tank at reserve ({reserve:,.0f} L) from {when(ctx.portfolio, first)}, "
                f"{minutes / MINUTES_PER_HOUR:.0f} h in all"
            )
            waiting = sum(1 for c in ctx.missed if c is None or c > first)
            if waiting:
                verb = "waits" if waiting == 1 else "wait"
                note += f"; {_orders(waiting)} late or unscheduled {verb} for grid"
            notes.append(note)
    supplied = {t.depot_id for t in ctx.plan.fuel_transfers if t.plant_id == plant.id}
    for d in depots:
        if d.empty_from is not None and (d.depot_id in supplied or at_reserve):
            notes.append(f"fuel: depot {d.name} empty from {when(ctx.portfolio, d.empty_from)}")
    return notes


def _power_notes(ctx: _Context, off_share: float, run_minutes: int, off_minutes: int) -> list[str]:
    """Power binds when the load sits at the supply limit, or work waits while lines idle."""
    plant, series, notes = ctx.plant, ctx.series, []
    if off_share >= SIGNIFICANT_SHARE:
        notes.append(f"power: load at the limit in {_pct(off_share)} of grid-off hours")
    on_slots = [lim for lim, o in zip(series.at_limit, series.grid_off, strict=True) if not o]
    on_share = sum(on_slots) / len(on_slots) if on_slots else 0.0
    if on_share >= SIGNIFICANT_SHARE:
        notes.append(
            f"power: load at the limit ({plant.grid_kw:,.0f} kW grid) in {_pct(on_share)} "
            "of grid-on hours"
        )
    gens = {g.id: g for g in plant.generators}
    runs = [r for r in ctx.plan.generator_runs if r.generator_id in gens]
    run_total = sum(r.end - r.start for r in runs)
    rated = sum(
        r.end - r.start for r in runs if r.output_kw >= LIMIT_SHARE * gens[r.generator_id].rated_kw
    )
    if run_total and rated / run_total >= SIGNIFICANT_SHARE:
        notes.append(f"power: generators at rated output in {_pct(rated / run_total)} of run hours")
    if ctx.missed:
        dry = spans_at_or_below(ctx.levels, ctx.dry_below) if ctx.levels else []
        idle = idle_minutes_without_power(ctx.portfolio, ctx.plan, plant, ctx.profile, dry)
        if idle >= MINUTES_PER_HOUR:
            notes.append(
                f"power: {_orders(len(ctx.missed))} late or unscheduled while lines stood idle "
                f"{idle / MINUTES_PER_HOUR:,.0f} line-hours in shift for lack of power"
            )
    if notes and run_minutes and off_minutes / run_minutes >= SIGNIFICANT_SHARE:
        notes.append(
            f"power: {_pct(off_minutes / run_minutes)} of the line-hours run fall in "
            "grid-off windows"
        )
    return notes
