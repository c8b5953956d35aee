"""Standard scheduling benchmarks: Ingenio vs PyJobShop against the published references.

For each selected instance of PSPLIB j30/j60/j120 and the job-shop set, and each time
limit, run Ingenio (``ingenio.services.bench.solve_instance``: the code path of
``ingenio bench solve``, in process) and then the peer PyJobShop 0.0.9 (CP-SAT through
its Model API, ``peer_pyjobshop.py``), one after the other with the same workers. Each
(instance, solver, limit) appends one CSV row at once, so an interrupted run resumes
where it stopped: rows already in the CSV are skipped. At the end a Rich table per set
and limit summarises the CSV rows of the selection.

    .venv/bin/python bench/standard.py --set j30 --limit 3 --time-limit 10
    .venv/bin/python bench/standard.py                      # everything, 10 s and 60 s
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ingenio.services.bench import solve_instance

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "benchmarks"
RESULTS = Path(__file__).resolve().parent / "results"
SETS = ("j30", "j60", "j120", "jssp")
SOLVERS = ("ingenio", "pyjobshop")
FIELDS = (
    "date",
    "set",
    "instance",
    "solver",
    "time_limit",
    "workers",
    "seed",
    "makespan",
    "lower_bound",
    "status",
    "proven_optimal",
    "seconds",
    "wall_seconds",
    "valid",
    "violations",
    "ref_ub",
    "ref_lb",
    "ref_status",
    "gap_pct",
    "matches_ref",
    "note",
)
console = Console(width=None if sys.stdout.isatty() else 160)


def natural(name: str) -> list[object]:
    """Sort key: j301_2 before j3010_1, la2 before la10."""
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", name)]


def references(data: Path) -> dict[tuple[str, str], tuple[int, int | None, str]]:
    """(set, instance) -> (reference upper bound, lower bound or None, status)."""
    out: dict[tuple[str, str], tuple[int, int | None, str]] = {}
    with open(data / "psplib" / "reference.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lb = int(row["lb"]) if row["lb"] else None
            out[(row["set"], row["instance"])] = (int(row["ub"]), lb, row["status"])
    with open(data / "jssp" / "reference.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lb = int(row["best_lb"]) if row["best_lb"] else None
            out[("jssp", row["instance"])] = (int(row["best_ub"]), lb, row["status"])
    return out


def instances(data: Path, set_name: str) -> list[Path]:
    """Instance files of a set, in natural order."""
    if set_name == "jssp":
        files = [p for p in (data / "jssp").iterdir() if p.is_file() and p.suffix != ".csv"]
    else:
        files = list((data / "psplib" / set_name).glob("*.sm"))
    return sorted(files, key=lambda p: natural(p.stem))


def select(data: Path, sets: Iterable[str], limit: int | None, names: set[str] | None):
    """(set, file) pairs after the --instances and --limit filters (limit is per set)."""
    out: list[tuple[str, Path]] = []
    for s in sets:
        files = [p for p in instances(data, s) if names is None or p.stem in names]
        out.extend((s, p) for p in files[:limit])
    return out


def row_key(row: dict[str, str]) -> tuple[str, str, str, str]:
    """(set, instance, solver, time_limit) of a CSV row."""
    return (row["set"], row["instance"], row["solver"], row["time_limit"])


def latest_rows(path: Path) -> list[dict[str, str]]:
    """The CSV rows, the last one of each key only (a retried error replaces the error)."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        rows = {row_key(r): r for r in csv.DictReader(fh)}
    return list(rows.values())


def done_keys(path: Path) -> set[tuple[str, str, str, str]]:
    """Keys already in the CSV with a result; rows with status 'error' are run again."""
    return {row_key(r) for r in latest_rows(path) if r["status"] != "error"}


def limit_key(limit: float) -> str:
    """The time limit as written in the CSV (10, 60, 2.5)."""
    return f"{limit:g}"


def run_one(solver: str, set_name: str, path: Path, limit: float, workers: int, seed: int):
    """Solve one instance with one solver; an error becomes a row with status 'error'."""
    fmt = "jssp" if set_name == "jssp" else "psplib"
    try:
        if solver == "ingenio":
            return solve_instance(path, fmt, time_limit=limit, workers=workers, seed=seed), ""
        from peer_pyjobshop import solve_peer

        return solve_peer(path, fmt, limit, workers, seed), ""
    except Exception as exc:  # a crash is a result too: record it and go on
        return None, f"{type(exc).__name__}: {exc}".replace("\n", " ")[:300]


def make_row(set_name, path, solver, limit, workers, seed, run, note, ref) -> dict[str, object]:
    """One CSV row."""
    ub, lb, status = ref if ref else (None, None, "")
    makespan = getattr(run, "makespan", None)
    gap = 100.0 * (makespan - ub) / ub if makespan is not None and ub else None
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "set": set_name,
        "instance": path.stem,
        "solver": solver,
        "time_limit": limit_key(limit),
        "workers": workers,
        "seed": seed,
        "makespan": "" if makespan is None else makespan,
        "lower_bound": "" if run is None or run.lower_bound is None else run.lower_bound,
        "status": run.status if run else "error",
        "proven_optimal": bool(run and run.proven_optimal),
        "seconds": run.seconds if run else "",
        "wall_seconds": run.wall_seconds if run else "",
        "valid": bool(run and run.valid),
        "violations": run.violations if run else "",
        "ref_ub": "" if ub is None else ub,
        "ref_lb": "" if lb is None else lb,
        "ref_status": status,
        "gap_pct": "" if gap is None else f"{gap:.3f}",
        "matches_ref": makespan is not None and makespan == ub,
        "note": note or (run.first_violation if run else ""),
    }


def summarise(rows: list[dict[str, str]], set_name: str, limit: str) -> Table:
    """Per solver: solved, mean gap to the reference, proven optima, matches, mean time."""
    table = Table(title=f"{set_name} — time limit {limit} s")
    for head in ("solver", "n", "solved", "valid", "mean gap %", "optimal", "= ref", "mean s"):
        table.add_column(head, justify="left" if head == "solver" else "right")
    for solver in SOLVERS:
        mine = [r for r in rows if r["solver"] == solver]
        if not mine:
            continue
        gaps = [float(r["gap_pct"]) for r in mine if r["gap_pct"]]
        secs = [float(r["seconds"]) for r in mine if r["seconds"]]
        table.add_row(
            solver,
            str(len(mine)),
            str(sum(1 for r in mine if r["makespan"])),
            str(sum(1 for r in mine if r["valid"] == "True")),
            f"{sum(gaps) / len(gaps):.2f}" if gaps else "-",
            str(sum(1 for r in mine if r["proven_optimal"] == "True")),
            str(sum(1 for r in mine if r["matches_ref"] == "True")),
            f"{sum(secs) / len(secs):.2f}" if secs else "-",
        )
    return table


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="benchmark folder (psplib/, jssp/)")
    ap.add_argument("--set", nargs="+", choices=SETS, default=list(SETS), dest="sets")
    ap.add_argument("--limit", type=int, default=None, help="first N instances of each set")
    ap.add_argument("--instances", default=None, help="comma-separated names, e.g. ft06,la01")
    ap.add_argument("--time-limit", nargs="+", type=float, default=[10.0, 60.0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--solvers", nargs="+", choices=SOLVERS, default=list(SOLVERS))
    ap.add_argument("--out", type=Path, default=None, help="CSV (default results/standard-DATE)")
    ap.add_argument("--summary-only", action="store_true", help="only print the tables")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out or RESULTS / f"standard-{dt.date.today().isoformat()}.csv"
    names = set(args.instances.split(",")) if args.instances else None
    chosen = select(args.data, args.sets, args.limit, names)
    if not chosen:
        console.print("[red]no instance matches the filters[/red]")
        return 1
    refs = references(args.data)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = done_keys(out)
    todo = [
        (limit, s, p, solver)
        for limit in args.time_limit
        for s, p in chosen
        for solver in args.solvers
        if (s, p.stem, solver, limit_key(limit)) not in done
    ]
    console.print(f"{len(chosen)} instance(s), {len(todo)} run(s) to do, writing {out}")
    if not args.summary_only and todo:
        fresh = not out.exists()
        with open(out, "a", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=FIELDS)
            if fresh:
                writer.writeheader()
            for i, (limit, s, path, solver) in enumerate(todo, 1):
                run, note = run_one(solver, s, path, limit, args.workers, args.seed)
                row = make_row(
                    s,
                    path,
                    solver,
                    limit,
                    args.workers,
                    args.seed,
                    run,
                    note,
                    refs.get((s, path.stem)),
                )
                writer.writerow(row)
                fh.flush()
                console.print(
                    f"[{i}/{len(todo)}] {s} {path.stem} {solver} {limit_key(limit)} s: "
                    f"makespan {row['makespan'] or '-'} (ref {row['ref_ub']}) "
                    f"{row['status']} {row['seconds']} s valid={row['valid']} {note}",
                    highlight=False,
                    soft_wrap=True,
                )
    if not out.exists():
        return 0
    rows = latest_rows(out)
    wanted = {(s, p.stem) for s, p in chosen}
    for limit in args.time_limit:
        for s in args.sets:
            sel = [
                r
                for r in rows
                if r["set"] == s
                and (s, r["instance"]) in wanted
                and r["time_limit"] == limit_key(limit)
            ]
            if sel:
                console.print(summarise(sel, s, limit_key(limit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
