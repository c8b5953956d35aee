"""Aggregate figures of a portfolio: line-hours and energy demanded vs what the grid
windows allow, and generator fuel wanted vs fuel available.

Used to calibrate the demo (orders are drawn until demand reaches a multiple of the
grid-on capacity; fuel is a share of what the gensets would want) and to report it.
Loads are sampled at slot starts: every demo time is a multiple of the slot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ingenio.domain import (
    MINUTES_PER_HOUR,
    Generator,
    Horizon,
    Plant,
    Portfolio,
    Product,
    Step,
    Window,
    merge_windows,
)


def line_power_kw(products: Iterable[Product]) -> dict[str, float]:
    """Highest ``power_kw`` of any step a line can run, by line id."""
    out: dict[str, float] = {}
    for product in products:
        for step in product.routing:
            for line_id in step.lines:
                out[line_id] = max(out.get(line_id, 0.0), step.power_kw)
    return out


def minutes_outside(windows: Sequence[Window], off: Sequence[Window]) -> int:
    """Minutes of ``windows`` not covered by any of ``off``."""
    merged_off = merge_windows(off)
    total = 0
    for w in merge_windows(windows):
        total += w.minutes - sum(
            max(0, min(w.end, o.end) - max(w.start, o.start)) for o in merged_off
        )
    return total


def step_minutes(step: Step, quantity: float) -> int:
    """Line minutes one order's step takes: setup plus processing."""
    return step.setup_minutes + step.run_minutes(quantity)


def generator_litres_per_hour(generators: Sequence[Generator], load_kw: float) -> float:
    """Litres per hour for the gensets to carry ``load_kw`` (capped at their rating).

    The biggest genset is loaded first; a genset that runs runs at least at its minimum.
    """
    remaining = min(load_kw, sum(g.rated_kw for g in generators))
    litres = 0.0
    for gen in sorted(generators, key=lambda g: -g.rated_kw):
        if remaining <= 0:
            break
        output = max(gen.min_kw, min(gen.rated_kw, remaining))
        litres += gen.litres_per_hour(output)
        remaining -= output
    return litres


@dataclass(frozen=True)
class PlantSupply:
    """What a plant's grid windows and gensets allow, whatever the orders.

    ``line_hours_on``: shift hours of its lines with the grid on. ``energy_on_kwh``:
    grid energy its lines in shift could take (capped at ``grid_kw``).
    ``generator_hours_wanted`` / ``litres_wanted``: gensets carrying the lines in shift
    (up to their rating) whenever the grid is off. ``litres_full``: gensets carrying the
    plant's full load through every grid-off hour, in shift or not.
    """

    plant_id: str
    line_hours_on: float
    energy_on_kwh: float
    generator_hours_wanted: float
    litres_wanted: float
    litres_full: float
    litres_per_hour_full: float


def plant_supply(
    plant: Plant, off: Sequence[Window], line_kw: Mapping[str, float], horizon: Horizon
) -> PlantSupply:
    """Grid-on capacity and genset fuel wanted for one plant (``off``: grid-off windows)."""
    slot = horizon.slot_minutes
    hours = slot / MINUTES_PER_HOUR
    off_merged = merge_windows(off)
    full_load = sum(line_kw.get(ln.id, 0.0) for ln in plant.lines)
    lph_full = generator_litres_per_hour(plant.generators, full_load) if plant.generators else 0.0
    energy = gen_hours = litres = 0.0
    for start in range(0, horizon.minutes, slot):
        load = sum(
            line_kw.get(ln.id, 0.0)
            for ln in plant.lines
            if any(w.start <= start < w.end for w in ln.shifts)
        )
        if any(o.start <= start < o.end for o in off_merged):
            if load > 0 and plant.generators:
                gen_hours += hours
                litres += generator_litres_per_hour(plant.generators, load) * hours
        else:
            energy += min(plant.grid_kw, load) * hours
    off_hours = sum(o.minutes for o in off_merged) / MINUTES_PER_HOUR
    return PlantSupply(
        plant_id=plant.id,
        line_hours_on=sum(minutes_outside(ln.shifts, off) for ln in plant.lines) / 60,
        energy_on_kwh=energy,
        generator_hours_wanted=gen_hours,
        litres_wanted=litres,
        litres_full=lph_full * off_hours,
        litres_per_hour_full=lph_full,
    )


@dataclass(frozen=True)
class PlantFigures:
    """Supply and demand of one plant."""

    supply: PlantSupply
    orders: int
    line_hours_demand: float
    energy_demand_kwh: float
    usable_litres: float
    """Tank above its reserve plus deliveries straight to the plant."""


@dataclass(frozen=True)
class DemoFigures:
    """Portfolio totals; ratios > 1 mean demand exceeds what the windows allow."""

    plants: tuple[PlantFigures, ...]
    depot_litres: float
    """Depot stocks plus deliveries to depots."""

    @property
    def line_hours_demand(self) -> float:
        """Line-hours the orders need (setups included)."""
        return sum(p.line_hours_demand for p in self.plants)

    @property
    def line_hours_on(self) -> float:
        """Shift line-hours with the grid on."""
        return sum(p.supply.line_hours_on for p in self.plants)

    @property
    def energy_demand_kwh(self) -> float:
        """Energy the orders need."""
        return sum(p.energy_demand_kwh for p in self.plants)

    @property
    def energy_on_kwh(self) -> float:
        """Grid energy the lines in shift could take."""
        return sum(p.supply.energy_on_kwh for p in self.plants)

    @property
    def litres_wanted(self) -> float:
        """Fuel for gensets carrying lines in shift through every grid-off hour."""
        return sum(p.supply.litres_wanted for p in self.plants)

    @property
    def litres_full(self) -> float:
        """Fuel for gensets carrying full plant load through every grid-off hour."""
        return sum(p.supply.litres_full for p in self.plants)

    @property
    def usable_litres(self) -> float:
        """Tanks above reserve, depots and all deliveries."""
        return sum(p.usable_litres for p in self.plants) + self.depot_litres

    @property
    def demand_ratio(self) -> float:
        """Line-hours demanded / grid-on shift line-hours."""
        return self.line_hours_demand / self.line_hours_on

    @property
    def fuel_coverage(self) -> float:
        """Usable fuel / fuel wanted by the gensets."""
        return self.usable_litres / self.litres_wanted


def demo_figures(portfolio: Portfolio) -> DemoFigures:
    """Compute the figures of a portfolio (grid-off = outage probability >= 0.5)."""
    line_kw = line_power_kw(portfolio.products)
    plants = []
    for plant in portfolio.plants:
        supply = plant_supply(plant, portfolio.grid_off(plant.id), line_kw, portfolio.horizon)
        orders = portfolio.orders_of(plant.id)
        hours = energy = 0.0
        for order in orders:
            for step in portfolio.product(order.product_id).routing:
                h = step_minutes(step, order.quantity) / MINUTES_PER_HOUR
                hours += h
                energy += h * step.power_kw
        usable = (plant.tank.usable_l if plant.tank else 0.0) + sum(
            d.litres for d in portfolio.deliveries_to(plant.id)
        )
        plants.append(PlantFigures(supply, len(orders), hours, energy, usable))
    depot = sum(d.stock_l for d in portfolio.depots) + sum(
        x.litres for d in portfolio.depots for x in portfolio.deliveries_to(d.id)
    )
    return DemoFigures(tuple(plants), depot)


def render_figures(figures: DemoFigures) -> str:
    """A plain-text table of the figures, one row per plant and a total."""
    head = (
        f"{'plant':6} {'orders':>6} {'line-h dem':>10} {'line-h on':>9} {'ratio':>5} "
        f"{'MWh dem':>8} {'MWh on':>8} {'gen-h':>6} {'L wanted':>9} {'L full':>9} "
        f"{'L usable':>9}"
    )
    rows = [head]
    for p in figures.plants:
        s = p.supply
        rows.append(
            f"{s.plant_id:6} {p.orders:6d} {p.line_hours_demand:10.0f} {s.line_hours_on:9.0f} "
            f"{p.line_hours_demand / s.line_hours_on:5.2f} {p.energy_demand_kwh / 1e3:8.0f} "
            f"{s.energy_on_kwh / 1e3:8.0f} {s.generator_hours_wanted:6.0f} "
            f"{s.litres_wanted:9.0f} {s.litres_full:9.0f} {p.usable_litres:9.0f}"
        )
    f = figures
    plant_usable = sum(p.usable_litres for p in f.plants)
    rows.append(
        f"{'total':6} {sum(p.orders for p in f.plants):6d} {f.line_hours_demand:10.0f} "
        f"{f.line_hours_on:9.0f} {f.demand_ratio:5.2f} {f.energy_demand_kwh / 1e3:8.0f} "
        f"{f.energy_on_kwh / 1e3:8.0f} {'':6} {f.litres_wanted:9.0f} {f.litres_full:9.0f} "
        f"{plant_usable:9.0f}"
    )
    rows.append(
        f"energy ratio {f.energy_demand_kwh / f.energy_on_kwh:.2f}; usable diesel "
        f"{f.usable_litres:.0f} L (plants {plant_usable:.0f} + depot and its deliveries "
        f"{f.depot_litres:.0f}) = {f.fuel_coverage:.2f} of wanted, "
        f"{f.usable_litres / f.litres_full:.2f} of full"
    )
    return "\n".join(rows)
