"""Job shops, larger ones included: Ingenio vs PyJobShop 0.0.9 against the best-known makespans.

Instances: ta01-ta40 from the shared files (``reference.csv`` for the best known), ta41-ta70
generated here by Taillard's generator from his published seeds (30x20, 50x15, 50x20;
best known from ``ingenio.benchmarks.taillard.BEST_KNOWN``), and ``own-NxM-K``: the same
generator with our own seeds (gap to the simple lower bound, and the two solvers
compared directly). Each (instance, solver, limit) appends one CSV row as soon as it is
done (the columns of ``standard.py``); an interrupted run resumes. Then a table per
limit: per size, both solvers' mean gap and how often Ingenio is better/equal/worse.

    .venv/bin/python bench/jssp_large.py --instances ta41,ta51,ta61 --time-limit 10
    .venv/bin/python bench/jssp_large.py --check     # generator == shared ta01-ta40
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table
from standard import (
    DATA,
    FIELDS,
    RESULTS,
    SOLVERS,
    latest_rows,
    limit_key,
    make_row,
    natural,
    references,
)

from ingenio.benchmarks import read_jssp, taillard
from ingenio.services.bench import solve_instance

console = Console(width=None if sys.stdout.isatty() else 160)
OWN_SIZES = ((30, 20), (50, 15), (50, 20))
OWN_SEED = 20261203


def own_seeds(count: int) -> dict[str, tuple[int, int, int, int]]:
    """``own-NxM-K`` -> (jobs, machines, time seed, machine seed), from one fixed seed."""
    rng = random.Random(OWN_SEED)
    out: dict[str, tuple[int, int, int, int]] = {}
    for n, m in OWN_SIZES:
        for k in range(1, count + 1):
            out[f"own-{n}x{m}-{k}"] = (
                n,
                m,
                rng.randrange(1, 2**31 - 1),
                rng.randrange(1, 2**31 - 1),
            )
    return out


def catalogue(data: Path, own: int) -> dict[str, tuple[str, int | None, int | None]]:
    """Every instance name -> (size group, best-known makespan or None, lower bound or None)."""
    refs = references(data)
    out: dict[str, tuple[str, int | None, int | None]] = {}
    for number, (n, m, _, _) in taillard.SEEDS.items():
        name = f"ta{number:02d}"
        if number <= 40:
            ub, lb, _ = refs[("jssp", name)]
            out[name] = (f"{n}x{m}", ub, lb)
        elif number <= 70:
            out[name] = (f"{n}x{m}", taillard.BEST_KNOWN[number], None)
    for name, (n, m, _, _) in own_seeds(own).items():
        out[name] = (f"own {n}x{m}", None, None)
    return out


def materialise(name: str, data: Path, folder: Path, own: int) -> Path:
    """The instance file: the shared one for ta01-ta40, else generated into ``folder``."""
    if name.startswith("ta") and int(name[2:]) <= 40:
        return data / "jssp" / name
    if name.startswith("ta"):
        inst = taillard.ta(int(name[2:]))
    else:
        n, m, ts, ms = own_seeds(own)[name]
        inst = taillard.generate(n, m, ts, ms, name=name)
    path = folder / name
    path.write_text(taillard.to_text(inst), encoding="utf-8")
    return path


def check(data: Path) -> int:
    """Generated ta01-ta40 against the shared files; prints and returns the mismatches."""
    bad = [
        i
        for i in range(1, 41)
        if taillard.ta(i).jobs != read_jssp(data / "jssp" / f"ta{i:02d}").jobs
    ]
    console.print(f"generator vs shared ta01-ta40: {40 - len(bad)} identical, mismatches {bad}")
    return len(bad)


def run(solver: str, path: Path, limit: float, workers: int, seed: int):
    """One solve; an error becomes a row with status 'error'."""
    try:
        if solver == "ingenio":
            return solve_instance(path, "jssp", time_limit=limit, workers=workers, seed=seed), ""
        from peer_pyjobshop import solve_peer

        return solve_peer(path, "jssp", limit, workers, seed), ""
    except Exception as exc:  # a crash is a result too
        return None, f"{type(exc).__name__}: {exc}".replace("\n", " ")[:300]


def summarise(rows: list[dict[str, str]], limit: str, groups: list[str]) -> tuple[Table, str]:
    """Per size group: both solvers' mean gap (to best known, else to the lower bound) and
    Ingenio better / equal / worse on makespan, as a Rich table and as Markdown."""
    heads = ("size", "n", "ingenio gap %", "pyjobshop gap %", "ingenio better/equal/worse", "valid")
    table = Table(title=f"job shop — time limit {limit} s (gap to best known; own: to lower bound)")
    for h in heads:
        table.add_column(h, justify="left" if h == "size" else "right")
    md = [
        f"### time limit {limit} s",
        "",
        "| " + " | ".join(heads) + " |",
        "|" + "---|" * len(heads),
    ]
    for g in [*groups, "all"]:
        sel = [r for r in rows if r["time_limit"] == limit and (g == "all" or r["set"] == g)]
        by: dict[str, dict[str, dict[str, str]]] = {s: {} for s in SOLVERS}
        for r in sel:
            by[r["solver"]][r["instance"]] = r
        both = sorted(set(by["ingenio"]) & set(by["pyjobshop"]), key=natural)
        if not both:
            continue

        def gap(r: dict[str, str]) -> float | None:
            ref = int(r["ref_ub"]) if r["ref_ub"] else int(r["ref_lb"]) if r["ref_lb"] else None
            return 100.0 * (int(r["makespan"]) - ref) / ref if r["makespan"] and ref else None

        cells = []
        for s in SOLVERS:
            gaps = [gap(by[s][i]) for i in both]
            ok = [x for x in gaps if x is not None]
            cells.append(f"{sum(ok) / len(ok):.2f}" if ok and len(ok) == len(gaps) else "-")
        ms = [(by["ingenio"][i]["makespan"], by["pyjobshop"][i]["makespan"]) for i in both]
        better = sum(1 for a, b in ms if a and (not b or int(a) < int(b)))
        equal = sum(1 for a, b in ms if a and b and int(a) == int(b))
        valid = sum(1 for i in both if by["ingenio"][i]["valid"] == "True")
        row = [
            g,
            str(len(both)),
            *cells,
            f"{better}/{equal}/{len(both) - better - equal}",
            f"{valid}/{len(both)}",
        ]
        table.add_row(*row)
        md.append("| " + " | ".join(row) + " |")
    return table, "\n".join(md) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument(
        "--instances", default="ta01-ta70", help="names or ranges: ta21-ta40,ta41,own-30x20-1"
    )
    ap.add_argument("--own", type=int, default=2, help="own-seed instances per size")
    ap.add_argument("--time-limit", nargs="+", type=float, default=[10.0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--solvers", nargs="+", choices=SOLVERS, default=list(SOLVERS))
    ap.add_argument(
        "--out", type=Path, default=None, help="CSV (default results/jssp-large-DATE.csv)"
    )
    ap.add_argument("--summary-only", action="store_true")
    ap.add_argument(
        "--check", action="store_true", help="only compare the generator with ta01-ta40"
    )
    return ap.parse_args(argv)


def expand(spec: str, known: list[str]) -> list[str]:
    """``ta21-ta40,own-30x20-1`` -> names (ranges over ``taNN`` only)."""
    out: list[str] = []
    for part in spec.split(","):
        if "-" in part and part.startswith("ta"):
            a, b = part.split("-")
            out += [f"ta{i:02d}" for i in range(int(a[2:]), int(b[2:]) + 1)]
        elif part == "own":
            out += [k for k in known if k.startswith("own-")]
        else:
            out.append(part)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.check:
        return 1 if check(args.data) else 0
    out = args.out or RESULTS / f"jssp-large-{dt.date.today().isoformat()}.csv"
    cat = catalogue(args.data, args.own)
    names = expand(args.instances, list(cat))
    unknown = [n for n in names if n not in cat]
    if unknown:
        console.print(f"[red]unknown instances: {unknown}[/red]")
        return 1
    console.print(f"load average at start: {os.getloadavg()}")
    done = {
        (r["instance"], r["solver"], r["time_limit"])
        for r in latest_rows(out)
        if r["status"] != "error"
    }
    todo = [
        (limit, name, solver)
        for limit in args.time_limit
        for name in names
        for solver in args.solvers
        if (name, solver, limit_key(limit)) not in done
    ]
    console.print(f"{len(names)} instance(s), {len(todo)} run(s) to do, writing {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if todo and not args.summary_only:
        fresh = not out.exists()
        with (
            tempfile.TemporaryDirectory() as tmp,
            open(out, "a", newline="", encoding="utf-8") as fh,
        ):
            writer = csv.DictWriter(fh, fieldnames=FIELDS)
            if fresh:
                writer.writeheader()
            for i, (limit, name, solver) in enumerate(todo, 1):
                group, ub, lb = cat[name]
                path = materialise(name, args.data, Path(tmp), args.own)
                if lb is None and ub is None:
                    lb = taillard.lower_bound(read_jssp(path))
                result, note = run(solver, path, limit, args.workers, args.seed)
                status = "best_known" if ub else "lower_bound"
                row = make_row(
                    group,
                    path,
                    solver,
                    limit,
                    args.workers,
                    args.seed,
                    result,
                    note,
                    (ub, lb, status),
                )
                writer.writerow(row)
                fh.flush()
                console.print(
                    f"[{i}/{len(todo)}] {name} {solver} {limit_key(limit)} s: makespan "
                    f"{row['makespan'] or '-'} (ref {ub or lb}) {row['status']} {row['seconds']} s "
                    f"valid={row['valid']} {note}",
                    highlight=False,
                    soft_wrap=True,
                )
    rows = [r for r in latest_rows(out) if r["instance"] in set(names)]
    groups = sorted({cat[n][0] for n in names}, key=lambda g: (g.startswith("own"), natural(g)))
    ran = bool(todo) and not args.summary_only
    md = [f"load average at the end: {os.getloadavg()}" if ran else "reprinted from the CSV", ""]
    for limit in args.time_limit:
        table, text = summarise(rows, limit_key(limit), groups)
        console.print(table)
        md.append(text)
    console.print(md[0])
    out.with_suffix(".md").write_text("\n".join(md), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
