"""Operations benchmarks: replanning after an unannounced outage, and a year of KPIs.

(a) **replan** — the demo portfolio is planned by dispatch (the plan in force);
    then a 3-hour unannounced grid outage hits one plant at a given moment and
    the plant is replanned (``services.replan.replan_plan``): time to the first
    valid plan (dispatch of the rest, merged and validated) and to the final one
    (CP-SAT within ``--time-limit``), value before and after, validity.
(b) **kpi** — a year of minute-level meter readings for ``--lines`` lines
    (synthetic, columnar numpy, a register reset each month), one production
    record per line and shift, a few stops a week, daily fuel draws; KPIs by day
    for the whole enterprise: wall time (without tracemalloc), peak traced memory
    of the computation (a second run under tracemalloc) and the process max RSS.

Prints a table and appends rows to ``bench/results/operations-DATE.csv``.

    .venv/bin/python bench/operations.py                     # both, PAN at day 2 10:00
    .venv/bin/python bench/operations.py --only kpi --lines 20
    .venv/bin/python bench/operations.py --only replan --plant CEM --time-limit 10
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import resource
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from ingenio.data.demo import build_demo_portfolio
from ingenio.domain import Line, Plant, Portfolio, Window
from ingenio.operations.actuals import DowntimeCause, DowntimeEvent, FuelDraw, ProductionRecord
from ingenio.operations.kpi import MeterArrays, compute_kpis
from ingenio.operations.replan import with_outage
from ingenio.planning.dispatch import dispatch
from ingenio.services.replan import affected_plants, replan_plan
from ingenio.validate import validate

RESULTS = Path(__file__).resolve().parent / "results"
FIELDS = ("date", "case", "subject", "size", "first_s", "final_s", "value_before",
          "value_first", "value_final", "valid", "kpi_s", "traced_peak_mb", "max_rss_mb",
          "note")  # fmt: skip


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_replan(
    plant_id: str, day: int, hour: int, hours: float, limit: float
) -> dict[str, object]:
    """Replan one demo plant after an unannounced outage; time both phases."""
    portfolio = build_demo_portfolio()
    plan = dispatch(portfolio)
    at = day * 1440 + hour * 60
    outage = Window(at, at + round(hours * 60))
    world = with_outage(portfolio, plant_id, outage, at)
    plants = affected_plants(world, plan, plant_id, outage)
    clock = time.perf_counter()
    first, final = replan_plan(world, plan, at, plants, "optimise", limit, note="bench")
    total = time.perf_counter() - clock
    valid = not validate(world, first.plan) and not validate(world, final.plan)
    return {
        "case": "replan", "subject": f"demo/{plant_id} at day {day} {hour:02d}:00, {hours:g} h",
        "size": len(portfolio.orders_of(plant_id)), "first_s": round(first.seconds, 3),
        "final_s": round(final.seconds, 3), "value_before": round(plan.value),
        "value_first": round(first.plan.value), "value_final": round(final.plan.value),
        "valid": valid, "max_rss_mb": round(_rss_mb()), "note": f"{final.plan.planner}; "
        f"total {total:.1f} s",
    }  # fmt: skip


def _year_portfolio(n_lines: int) -> Portfolio:
    """The demo, its lines repeated to ``n_lines`` (round-the-clock-or-shift as the demo's)."""
    p = build_demo_portfolio()
    lines = [ln for pl in p.plants for ln in pl.lines]
    plants = list(p.plants)
    extra = n_lines - len(lines)
    if extra > 0:  # clones of the first plant's lines, in that plant
        first = plants[0]
        clones = tuple(replace(ln, id=f"{ln.id}-X{i}") for i in range(extra)
                       for ln in first.lines[:1])  # fmt: skip
        plants[0] = Plant(first.id, first.name, first.enterprise_id, first.block_id,
                          first.grid_kw, (*first.lines, *clones), first.resources,
                          first.generators, first.tank, first.solar)  # fmt: skip
        p = replace(p, plants=tuple(plants))
    return p


def _year_actuals(p: Portfolio, n_lines: int, start: dt.datetime) -> tuple[
    MeterArrays, list[ProductionRecord], list[DowntimeEvent], list[FuelDraw]
]:  # fmt: skip
    """Synthetic actuals: minute meter readings (columns), records, stops, draws."""
    rng = np.random.default_rng(7)
    lines: list[Line] = [ln for pl in p.plants for ln in pl.lines][:n_lines]
    minutes = 365 * 1440
    t0 = start.timestamp()
    at = np.tile(t0 + 60.0 * np.arange(minutes), len(lines))
    line = np.repeat(np.arange(len(lines), dtype=np.int16), minutes)
    kwh = np.empty(len(at))
    for i in range(len(lines)):
        steps = rng.uniform(0.0, 3.0, minutes)
        reg = np.cumsum(steps)
        month = minutes // 12
        for m in range(1, 12):  # a register reset each month
            reg[m * month :] -= reg[m * month - 1]
        kwh[i * minutes : (i + 1) * minutes] = reg
    meters = MeterArrays(tuple(ln.id for ln in lines), line, at, kwh)
    records, stops, draws = [], [], []
    for ln in lines:
        base = ln.id.split("-X")[0]
        product = next(pr for pr in p.products if any(base in s.lines for s in pr.routing))
        for d in range(365):
            day = start + dt.timedelta(days=d)
            records.append(ProductionRecord(ln.id, product.id, None, float(rng.integers(50, 500)),
                                            float(rng.integers(0, 20)),
                                            day + dt.timedelta(hours=6),
                                            day + dt.timedelta(hours=14)))  # fmt: skip
            if d % 2 == 0:
                cause = list(DowntimeCause)[d % len(DowntimeCause)]
                stops.append(DowntimeEvent(ln.id, cause, day + dt.timedelta(hours=9),
                                           day + dt.timedelta(hours=10, minutes=30)))  # fmt: skip
    for pl in p.plants:
        for g in pl.generators:
            draws += [FuelDraw(g.id, 50.0, start + dt.timedelta(days=d, hours=12))
                      for d in range(365)]  # fmt: skip
    return meters, records, stops, draws


def bench_kpi(n_lines: int) -> dict[str, object]:
    """KPIs by day over a year of minute readings of ``n_lines`` lines."""
    p = _year_portfolio(n_lines)
    zone = p.horizon.zone
    start = dt.datetime(2026, 1, 1, tzinfo=zone)
    end = dt.datetime(2027, 1, 1, tzinfo=zone)
    meters, records, stops, draws = _year_actuals(p, n_lines, start)
    kwargs = {"production": records, "downtime": stops, "meters": meters, "fuel_draws": draws}
    clock = time.perf_counter()
    report = compute_kpis(p, start, end, "day", **kwargs)  # type: ignore[arg-type]
    seconds = time.perf_counter() - clock
    tracemalloc.start()
    compute_kpis(p, start, end, "day", **kwargs)  # type: ignore[arg-type]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    data_mb = (meters.at.nbytes + meters.kwh.nbytes + meters.line.nbytes) / 2**20
    return {
        "case": "kpi", "subject": f"{n_lines} lines x 1 year by day, every enterprise",
        "size": len(meters), "kpi_s": round(seconds, 3), "traced_peak_mb": round(peak / 2**20),
        "max_rss_mb": round(_rss_mb()),
        "note": f"{len(report.rows)} rows; input columns {data_mb:.0f} MB; "
                f"{len(records)} records, {len(stops)} stops",
    }  # fmt: skip


def main() -> None:
    """Run the benchmarks named by the options."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("replan", "kpi"))
    ap.add_argument("--plant", default="PAN")
    ap.add_argument("--day", type=int, default=1, help="Day of the horizon (0 = first).")
    ap.add_argument("--hour", type=int, default=10)
    ap.add_argument("--outage-hours", type=float, default=3.0)
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--lines", type=int, default=20)
    args = ap.parse_args()
    rows: list[dict[str, object]] = []
    if args.only in (None, "replan"):
        rows.append(bench_replan(args.plant, args.day, args.hour, args.outage_hours,
                                 args.time_limit))  # fmt: skip
    if args.only in (None, "kpi"):
        rows.append(bench_kpi(args.lines))
    today = dt.date.today().isoformat()
    table = Table(title="operations benchmarks")
    table.add_column("field")
    for row in rows:
        row["date"] = today
        table.add_column(str(row["case"]), overflow="fold")
    for f in FIELDS[2:]:
        if any(row.get(f, "") != "" for row in rows):
            table.add_row(f, *(str(row.get(f, "")) for row in rows))
    Console().print(table)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"operations-{today}.csv"
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, FIELDS)
        if new:
            writer.writeheader()
        writer.writerows([{f: row.get(f, "") for f in FIELDS} for row in rows])
    Console().print(f"wrote {path}")


if __name__ == "__main__":
    main()
