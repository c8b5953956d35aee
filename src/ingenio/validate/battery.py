"""Battery rules of the plan validator: ``battery-flow`` and ``battery-soc``.

Private helper of :mod:`ingenio.validate`. A battery's flows are piecewise constant,
so its stored energy is piecewise linear: it is checked at every breakpoint, and a
broken stretch is one violation.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence

from ingenio.domain import (
    N_,
    Battery,
    BatteryFlow,
    Plan,
    Plant,
    Portfolio,
    Said,
    Violation,
    said,
)
from ingenio.validate.energy import (
    TOL,
    Clock,
    Job,
    battery_series,
    segments,
    stretches,
    when,
)
from ingenio.validate.spans import span_fault


def check_battery_flows(
    portfolio: Portfolio, plan: Plan, jobs: Sequence[Job], out: list[Violation]
) -> None:
    """Rule ``battery-flow``: flows name a known battery, lie inside the horizon, do not
    overlap, stay within ``power_kw`` out and ``charge_kw`` in; a battery without
    ``generator_charging`` charges only from fuel-free power."""
    end = portfolio.horizon.minutes
    by_battery: dict[str, list[BatteryFlow]] = defaultdict(list)
    for f in plan.battery_flows:
        what = said(
            N_("battery %(battery)s flow of %(kw).1f kW [%(start)s, %(end)s)"),
            battery=f.battery_id,
            kw=f.kw,
            start=f.start,
            end=f.end,
        )
        if not portfolio.has("battery", f.battery_id):
            sentence = said(N_("%(what)s names unknown battery"), what=what)
            out.append(Violation.of("battery-flow", sentence, f.battery_id))
            continue
        b = portfolio.battery(f.battery_id)
        fault = span_fault(what, f.start, f.end, end, N_("%(what)s is empty"))
        if fault is not None:
            out.append(Violation.of("battery-flow", fault, b.plant_id))
            continue
        if f.kw > 0:
            limit = b.power_kw
            over = N_("%(what)s is over its discharge limit of %(limit).1f kW")
        else:
            limit = b.charge_kw
            over = N_("%(what)s is over its charge limit of %(limit).1f kW")
        if abs(f.kw) > limit + TOL:
            out.append(Violation.of("battery-flow", said(over, what=what, limit=limit), b.plant_id))
        by_battery[b.id].append(f)
    for bid in sorted(by_battery):
        flows = sorted(by_battery[bid], key=lambda f: (f.start, f.end))
        for x, y in itertools.pairwise(flows):
            if y.start < x.end:
                out.append(
                    Violation.of(
                        "battery-flow",
                        said(
                            N_(
                                "battery %(battery)s flows [%(start1)s, %(end1)s) and "
                                "[%(start2)s, %(end2)s) overlap"
                            ),
                            battery=bid,
                            start1=x.start,
                            end1=x.end,
                            start2=y.start,
                            end2=y.end,
                        ),
                        portfolio.battery(bid).plant_id,
                    )
                )
    load: dict[str, dict[int, float]] = defaultdict(dict)
    for job in jobs:
        if job.line is not None and job.step.power_kw > 0:
            series = load[job.line.plant_id]
            series[job.op.start] = series.get(job.op.start, 0.0) + job.step.power_kw
            series[job.op.end] = series.get(job.op.end, 0.0) - job.step.power_kw
    for plant in portfolio.plants:
        if plant.batteries:
            _check_charge_source(portfolio, plan, plant, load[plant.id], out)


def _check_charge_source(
    portfolio: Portfolio,
    plan: Plan,
    plant: Plant,
    load: Mapping[int, float],
    out: list[Violation],
) -> None:
    """Charging of batteries without generator charging <= grid + solar + discharge - load."""
    tied = {b.id for b in plant.batteries if not b.generator_charging}
    chg: dict[int, float] = {}
    for f in plan.battery_flows:
        if f.battery_id in tied and f.kw < 0 and f.end > f.start:
            chg[f.start] = chg.get(f.start, 0.0) - f.kw
            chg[f.end] = chg.get(f.end, 0.0) + f.kw
    if not chg:
        return
    dis = battery_series(portfolio, plan)[0].get(plant.id, {})
    off: dict[int, float] = {}
    for w in portfolio.grid_off(plant.id):
        off[w.start] = off.get(w.start, 0.0) + 1.0
        off[w.end] = off.get(w.end, 0.0) - 1.0
    h = portfolio.horizon
    clock = Clock(h, min(chg), max(chg)) if plant.solar is not None else None
    hours = clock.marks if clock is not None else []

    def bad() -> Iterator[tuple[int, int, float, Said]]:
        for a, b, (c, kw, n_off, d) in segments([chg, load, off, dis], hours):
            if c <= TOL:
                continue
            grid_on = n_off <= 0.5
            sun = 0.0
            if plant.solar is not None and clock is not None:
                sun = plant.solar.kw(clock.hour(a), grid_on)
            free = (plant.grid_kw if grid_on else 0.0) + sun + d - kw
            if c > max(0.0, free) + TOL:
                text = said(
                    N_(
                        "batteries without generator charging take %(kw).1f kW at %(when)s "
                        "but only %(free).1f kW of grid, solar and battery power is left "
                        "after the load"
                    ),
                    kw=c,
                    when=when(h, a),
                    free=max(0.0, free),
                )
                yield a, b, c - max(0.0, free), text

    for start, stop, text in stretches(bad()):
        out.append(
            Violation.of(
                "battery-flow",
                said(
                    N_(
                        "plant %(plant)s: %(short)s; charging from generators during minutes "
                        "[%(start)s, %(end)s)"
                    ),
                    plant=plant.id,
                    short=text,
                    start=start,
                    end=stop,
                ),
                plant.id,
            )
        )


def check_battery_soc(portfolio: Portfolio, plan: Plan, out: list[Violation]) -> None:
    """Rule ``battery-soc``: stored energy = initial + efficiency * charged - discharged
    stays within ``[min_soc * capacity, capacity]`` at every minute."""
    flows: dict[str, list[BatteryFlow]] = defaultdict(list)
    for f in plan.battery_flows:
        if portfolio.has("battery", f.battery_id) and f.end > f.start:
            flows[f.battery_id].append(f)
    for bid in sorted(flows):
        b = portfolio.battery(bid)
        for start, stop, text in stretches(_outside(portfolio, b, flows[bid])):
            out.append(
                Violation.of(
                    "battery-soc",
                    said(
                        N_(
                            "battery %(battery)s of plant %(plant)s %(state)s; outside its "
                            "bounds during minutes [%(start)s, %(end)s)"
                        ),
                        battery=bid,
                        plant=b.plant_id,
                        state=text,
                        start=start,
                        end=stop,
                    ),
                    b.plant_id,
                )
            )


def _outside(
    portfolio: Portfolio, b: Battery, flows: list[BatteryFlow]
) -> Iterator[tuple[int, int, float, Said]]:
    """Segments where the stored energy leaves its bounds: ``(a, b, excess, text)``."""
    rate: dict[int, float] = {}
    for f in flows:
        kw = f.kw if f.kw > 0 else f.kw * b.efficiency  # kW out of the store
        rate[f.start] = rate.get(f.start, 0.0) + kw
        rate[f.end] = rate.get(f.end, 0.0) - kw
    h = portfolio.horizon
    energy = b.initial_kwh
    tol = TOL * max(1.0, b.capacity_kwh)
    for a, z, (out_kw,) in segments([rate]):
        low = energy
        energy -= out_kw * (z - a) / 60
        if energy < b.floor_kwh - tol:
            cross = a
            if low >= b.floor_kwh - tol and out_kw > 0:
                cross += max(0, math.floor((low - b.floor_kwh) * 60 / out_kw))
            text = said(
                N_(
                    "falls to %(kwh).1f kWh at %(when)s, under its floor of %(floor).1f kWh "
                    "(min_soc %(min_soc)g): empty from %(empty)s"
                ),
                kwh=energy,
                when=when(h, z),
                floor=b.floor_kwh,
                min_soc=b.min_soc,
                empty=when(h, cross),
            )
            yield cross, z, b.floor_kwh - energy, text
        elif energy > b.capacity_kwh + tol:
            cross = a
            if low <= b.capacity_kwh + tol and out_kw < 0:
                cross += max(0, math.floor((b.capacity_kwh - low) * 60 / -out_kw))
            text = said(
                N_("holds %(kwh).1f kWh at %(when)s, over its capacity of %(capacity).1f kWh"),
                kwh=energy,
                when=when(h, z),
                capacity=b.capacity_kwh,
            )
            yield cross, z, energy - b.capacity_kwh, text
