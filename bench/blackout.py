"""Blackout portfolios: dispatch vs the optimiser vs the LP upper bound.

For the generated portfolios S, M, L (``ingenio.data.generate``) and the demo, run the
greedy ``dispatch``, the optimiser (``planning.optimise.optimise``) and the portfolio
LP bound (``planning.portfolio.upper_bound``). Each (portfolio, planner) runs in its own
child process, so its peak memory (``ru_maxrss`` of the child itself plus any process it
starts) is its own and not the high-water mark of earlier runs. Each plan is checked by
``planning.validate``. With ``--time-budget`` the row's note starts with the seconds
each stage of the optimiser took. One CSV row per (portfolio, planner) goes to
``bench/results/blackout-DATE.csv`` as soon as it is done; rows already there are
skipped (``--force`` runs them again), so an interrupted run resumes.

    .venv/bin/python bench/blackout.py --sizes S --time-limit 30
    .venv/bin/python bench/blackout.py                 # S, M, L and the demo
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
PORTFOLIOS = ("S", "M", "L", "demo")
PLANNERS = ("bound", "dispatch", "optimise")
"""Run order: the bound first, so each plan's row can carry value / bound."""
FIELDS = (
    "date",
    "portfolio",
    "seed",
    "planner",
    "time_limit",
    "time_budget",
    "workers",
    "orders",
    "potential",
    "value",
    "bound",
    "value_over_bound",
    "on_time_value",
    "on_time",
    "late",
    "unscheduled",
    "seconds",
    "build_seconds",
    "base_rss_mb",
    "peak_rss_mb",
    "children_rss_mb",
    "tracemalloc_mb",
    "valid",
    "violations",
    "status",
    "note",
)
console = Console(width=None if sys.stdout.isatty() else 160)


def _rss_mb(who: int) -> float:
    """Peak resident set size in MB (Linux reports kB)."""
    return resource.getrusage(who).ru_maxrss / 1024.0


def build(name: str, seed: int):
    """The portfolio called ``name`` (S, M, L or demo)."""
    if name == "demo":
        from ingenio.data.demo import build_demo_portfolio

        return build_demo_portfolio()
    from ingenio.data.generate import generate_portfolio

    return generate_portfolio(name, seed)


def run_child(args: argparse.Namespace) -> dict[str, object]:
    """Inside the child: build, plan (or bound), validate, measure. Returns the row."""
    from ingenio.domain import OrderStatus

    base = _rss_mb(resource.RUSAGE_SELF)
    if args.tracemalloc:
        tracemalloc.start()
    t0 = time.perf_counter()
    portfolio = build(args.portfolio, args.seed)
    build_s = time.perf_counter() - t0
    row: dict[str, object] = {
        "portfolio": args.portfolio,
        "orders": len(portfolio.orders),
        "potential": round(sum(o.value for o in portfolio.orders), 2),
        "build_seconds": round(build_s, 3),
        "base_rss_mb": round(base, 1),
    }
    t1 = time.perf_counter()
    if args.planner == "bound":
        from ingenio.planning.portfolio import upper_bound

        row["bound"] = round(upper_bound(portfolio, time_limit_s=args.bound_time_limit), 2)
        row["status"] = "bound"
        row["valid"] = ""
    else:
        if args.planner == "dispatch":
            from ingenio.planning.dispatch import dispatch

            plan = dispatch(portfolio)
        else:
            from ingenio.planning.optimise import optimise
            from ingenio.planning.schedule import SolveParams

            params = SolveParams(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
            plan = optimise(portfolio, params, time_budget_s=args.time_budget)
        row["seconds"] = round(time.perf_counter() - t1, 3)
        from ingenio.validate import validate

        violations = validate(portfolio, plan)
        row.update(
            value=round(plan.value, 2),
            bound="" if plan.bound is None else round(plan.bound, 2),
            on_time_value=round(
                sum(o.value for o in plan.outcomes if o.status is OrderStatus.ON_TIME), 2
            ),
            on_time=plan.count(OrderStatus.ON_TIME),
            late=plan.count(OrderStatus.LATE),
            unscheduled=plan.count(OrderStatus.UNSCHEDULED),
            valid=not violations,
            violations=len(violations),
            status=plan.status,
            note=str(violations[0]) if violations else " | ".join(_first_notes(plan.notes))[:600],
        )
    row.setdefault("seconds", round(time.perf_counter() - t1, 3))
    if args.tracemalloc:
        row["tracemalloc_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    row["peak_rss_mb"] = round(_rss_mb(resource.RUSAGE_SELF), 1)
    row["children_rss_mb"] = round(_rss_mb(resource.RUSAGE_CHILDREN), 1)
    return row


def _first_notes(notes: tuple[str, ...]) -> list[str]:
    """The notes, where the time went (a budgeted optimiser's stage seconds and cuts)
    first, so the CSV's truncated note keeps them."""
    timing = [n for n in notes if n.startswith(("stage seconds", "time budget"))]
    return [*timing, *(n for n in notes if n not in timing)]


def spawn(name: str, planner: str, args: argparse.Namespace) -> dict[str, object]:
    """Run one case in a child process; an error becomes a row with status 'error'."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--portfolio",
        name,
        "--planner",
        planner,
        "--seed",
        str(args.seed),
        "--time-limit",
        str(args.time_limit),
        "--bound-time-limit",
        str(args.bound_time_limit),
        "--workers",
        str(args.workers),
    ]
    if args.tracemalloc:
        cmd.append("--tracemalloc")
    if args.time_budget is not None:
        cmd += ["--time-budget", str(args.time_budget)]
    began = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.child_timeout)
    except subprocess.TimeoutExpired:
        return {"status": "error", "note": f"timed out after {args.child_timeout} s"}
    if done.returncode != 0 or not done.stdout.strip():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": "error", "note": tail[:300], "seconds": time.perf_counter() - began}
    return json.loads(done.stdout.strip().splitlines()[-1])


def row_key(row: dict[str, str]) -> tuple[str, str, str, str, str]:
    return (
        row["portfolio"],
        row["seed"],
        row["planner"],
        row["time_limit"],
        row.get("time_budget") or "",
    )


def latest_rows(path: Path) -> list[dict[str, str]]:
    """The CSV rows, the last one of each key only."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return list({row_key(r): r for r in csv.DictReader(fh)}.values())


def _f(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def lp_bounds(rows: list[dict[str, str]], seed: str, limit: str) -> dict[str, float | None]:
    """LP bound per portfolio from the ``bound`` rows of ``seed``: the one run with the
    same time limit if any, else any other (the LP rarely needs its limit)."""
    found = [r for r in rows if r["planner"] == "bound" and r["seed"] == seed]
    found.sort(key=lambda r: r["time_limit"] == limit)  # same limit last: it wins
    return {r["portfolio"]: _f(r["bound"]) for r in found if _f(r["bound"])}


def table_for(name: str, rows: list[dict[str, str]], bound: float | None) -> Table:
    """Value, value/bound, on time / late / unscheduled, time, memory, validity."""
    mine = {r["planner"]: r for r in rows if r["portfolio"] == name}
    table = Table(title=f"{name} — {mine[next(iter(mine))]['orders']} orders")
    heads = ("planner", "value", "value/bound", "on-time value", "on time", "late", "unsched.")
    for head in (*heads, "seconds", "peak MB", "valid", "status"):
        table.add_column(head, justify="left" if head == "planner" else "right")
    for planner in ("dispatch", "optimise", "bound"):
        r = mine.get(planner)
        if r is None:
            continue
        value = _f(r["value"]) if planner != "bound" else bound
        ratio = f"{100 * value / bound:.1f} %" if value is not None and bound else "-"
        peak = (_f(r["peak_rss_mb"]) or 0.0) + (_f(r["children_rss_mb"]) or 0.0)
        table.add_row(
            planner,
            f"{value:,.0f}" if value is not None else "-",
            ratio,
            f"{_f(r['on_time_value']):,.0f}" if _f(r["on_time_value"]) is not None else "-",
            r["on_time"] or "-",
            r["late"] or "-",
            r["unscheduled"] or "-",
            r["seconds"] or "-",
            f"{peak:,.0f}" if peak else "-",
            r["valid"] or "-",
            r["status"],
        )
    return table


def improvement(rows: list[dict[str, str]], name: str) -> str | None:
    """'optimiser vs dispatch' line: % more on-time value and total value."""
    mine = {r["planner"]: r for r in rows if r["portfolio"] == name}
    if "dispatch" not in mine or "optimise" not in mine:
        return None
    d_on, o_on = _f(mine["dispatch"]["on_time_value"]), _f(mine["optimise"]["on_time_value"])
    d_v, o_v = _f(mine["dispatch"]["value"]), _f(mine["optimise"]["value"])
    if not (d_on and o_on is not None and d_v and o_v is not None):
        return None
    return (
        f"{name}: the optimiser delivers {100 * (o_on / d_on - 1):+.1f} % on-time value "
        f"and {100 * (o_v / d_v - 1):+.1f} % total value vs dispatch"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", choices=PORTFOLIOS, default=list(PORTFOLIOS))
    ap.add_argument("--planners", nargs="+", choices=PLANNERS, default=list(PLANNERS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=60.0, help="optimiser / LP limit, s")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--bound-time-limit", type=float, default=600.0, help="LP limit of the bound row, s"
    )
    ap.add_argument(
        "--time-budget", type=float, default=None, help="optimiser: seconds for the whole plan"
    )
    ap.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    ap.add_argument("--child-timeout", type=float, default=3600.0)
    ap.add_argument("--out", type=Path, default=None, help="CSV (default results/blackout-DATE)")
    ap.add_argument("--force", action="store_true", help="run cases already in the CSV again")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--portfolio", help=argparse.SUPPRESS)
    ap.add_argument("--planner", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args)))
        return 0
    out = args.out or RESULTS / f"blackout-{dt.date.today().isoformat()}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    limit = f"{args.time_limit:g}"
    previous = latest_rows(out)
    done = {row_key(r) for r in previous if r["status"] != "error"}
    bounds = lp_bounds(previous, str(args.seed), limit)
    fresh = not out.exists()
    with open(out, "a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        if fresh:
            writer.writeheader()
        for name in args.sizes:
            for planner in PLANNERS:
                if planner not in args.planners:
                    continue
                budget = "" if args.time_budget is None else f"{args.time_budget:g}"
                key = (name, str(args.seed), planner, limit, budget)
                if not args.force and key in done:
                    continue
                console.print(f"{name} {planner} ...", highlight=False)
                row = spawn(name, planner, args)
                if planner == "bound":
                    bounds[name] = _f(str(row.get("bound", "")))
                bound, value = bounds.get(name), _f(str(row.get("value", "")))
                row.update(
                    date=dt.datetime.now().isoformat(timespec="seconds"),
                    portfolio=name,
                    seed=args.seed,
                    planner=planner,
                    time_limit=limit,
                    time_budget=budget,
                    workers=args.workers,
                    value_over_bound=f"{value / bound:.4f}" if bound and value is not None else "",
                )
                writer.writerow({k: row.get(k, "") for k in FIELDS})
                fh.flush()
                console.print(
                    f"  value {row.get('value', row.get('bound', '-'))} "
                    f"{row.get('seconds', '-')} s {row.get('status', '')} {row.get('note', '')}",
                    highlight=False,
                    soft_wrap=True,
                )
    every = latest_rows(out)
    bounds = lp_bounds(every, str(args.seed), limit)
    rows = [r for r in every if r["seed"] == str(args.seed) and r["time_limit"] == limit]
    for name in args.sizes:
        if any(r["portfolio"] == name for r in rows):
            console.print(table_for(name, rows, bounds.get(name)))
            line = improvement(rows, name)
            if line:
                console.print(line, highlight=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
