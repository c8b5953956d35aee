"""Mutation benchmark: how many small bugs in the validator, the KPIs and the audit log do
their tests catch?

An AST harness, no dependency beyond the project's test extra. For every target module it
builds mutants (one small change each: a comparison flipped, an arithmetic or boolean
operator swapped, a constant bumped, a ``not`` dropped, a return value replaced by None),
writes each mutant over the module in a private copy of ``src/`` and runs only the tests
of that target with ``pytest -x -q -p no:cacheprovider``. A failing (or hanging) test run
kills the mutant; a green run means the mutant survived: a bug no test would notice.

Mutants known to be equivalent (no observable behaviour changes) are listed, each with a
one-line reason, in ``bench/mutation_equivalent.txt`` and left out of the score.

    python bench/mutation.py                      # every target, every mutant
    python bench/mutation.py --module validator   # one target
    python bench/mutation.py --sample 40 --seed 1 # 40 random mutants per target
    python bench/mutation.py --json               # only the JSON summary on stdout
    python bench/mutation.py --list               # the mutants, without running them

See bench/README.md for how to judge a survivor.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# --- what is mutated, and which tests judge it (repoint here when modules move) ----------
# "tests" are pytest arguments: test files, folders or options. A module or test file named
# here that does not exist is an error: the table must follow the tree.

TARGETS: dict[str, dict[str, list[str]]] = {
    "validator": {
        "modules": [
            "src/ingenio/validate/__init__.py",
            "src/ingenio/validate/rules.py",
            "src/ingenio/validate/orders.py",
            "src/ingenio/validate/energy.py",
        ],
        "tests": [
            "tests/unit/test_validate.py",
            "tests/unit/test_validate_boundaries.py",
            "tests/unit/test_validate_branches.py",
            "tests/unit/validate",
        ],
    },
    # The rules added for batteries, islanding solar and generator starts (issue 14),
    # judged by their own hand-made plans.
    "validator_power": {
        "modules": [
            "src/ingenio/validate/battery.py",
            "src/ingenio/validate/solar.py",
            "src/ingenio/validate/starts.py",
        ],
        "tests": [
            "tests/unit/test_battery_rules.py",
            "tests/unit/test_islanding.py",
            "tests/unit/test_generator_starts.py",
            "tests/unit/test_battery.py",
            "tests/unit/test_battery_rules_edges.py",
        ],
    },
    "kpi": {
        "modules": [
            "src/ingenio/operations/kpi/__init__.py",
            "src/ingenio/operations/kpi/compute.py",
            "src/ingenio/operations/kpi/accumulate.py",
            "src/ingenio/operations/kpi/buckets.py",
            "src/ingenio/operations/kpi/energy.py",
            "src/ingenio/operations/kpi/orders.py",
            "src/ingenio/operations/kpi/tally.py",
        ],
        "tests": [
            "tests/unit/test_kpi.py",
            "tests/unit/test_kpi_calendars.py",
            "tests/unit/test_kpi_edges.py",
            # the HTML report around the KPIs: slow (plotly) and not about their numbers
            "--deselect=tests/unit/test_kpi.py::test_plan_report_charts_the_kpis_when_given",
        ],
    },
    "tenancy": {
        # who sees what: the tenancy service, the parts of auth that decide a principal's
        # rights (roles, token scope, session CSRF, token making) and the API's dependency.
        # The role x tenant matrix over every route (test_api_matrix.py) is left out: it
        # takes ~25 s a run on its own and tests the same rules through the API.
        "modules": [
            "src/ingenio/services/tenancy.py",
            "src/ingenio/services/auth.py::Principal,principal_of_session,principal_of_token,"
            "create_token",
            "src/ingenio/api/deps.py",
        ],
        "tests": [
            "tests/services/test_tenancy.py",
            "tests/services/test_tenancy_changes.py",
            "tests/services/test_principal_scope.py",
            "tests/integration/test_api_routes.py::"
            "test_cookie_state_change_needs_the_csrf_header_bearer_does_not[sqlite]",
            "tests/integration/test_api_routes.py::"
            "test_read_token_reads_but_cannot_write_nor_make_tokens[sqlite]",
        ],
    },
    "audit": {
        "modules": [
            "src/ingenio/store/audit.py",
            # the log as each account reads it (tenancy.audit_log is in "tenancy")
            "src/ingenio/store/accounts_repo.py::AccountsStore.account_audit",
        ],
        "tests": [
            "tests/integration/test_audit_log.py",
            "tests/integration/test_actuals_store.py",
        ],
    },
}

EQUIVALENT_FILE = ROOT / "bench" / "mutation_equivalent.txt"
"""One equivalent mutant a line: ``<mutant id> :: <why it cannot change behaviour>``."""

WORKERS = 2

# --- mutants ------------------------------------------------------------------------------

_CMP_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BIN_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
}
_BOOL_SWAP: dict[type[ast.boolop], type[ast.boolop]] = {ast.And: ast.Or, ast.Or: ast.And}


@dataclass(frozen=True)
class Mutant:
    """One change to one module.

    ``id`` does not carry the line number: it names the module, the change, and the first 8
    hex digits of the SHA-1 of the source line's text (stripped), with ``#n`` when the same
    change occurs more than once on lines of the same text. Moving code up or down keeps
    the id; editing the line's text gives a new one (and the mutant must be judged again).
    """

    target: str
    path: str  # relative to ROOT
    line: int
    operator: str
    original: str
    mutated: str
    index: int  # position in the module's walk (to rebuild the mutant)
    nth: int = 0  # the same change on lines of the same text: 0, 1, ... in walk order
    text_hash: str = ""  # sha1 of the stripped source line, 8 hex digits

    @property
    def id(self) -> str:
        base = f"{self.path}@{self.text_hash}:{self.operator}:{self.original} -> {self.mutated}"
        return base if self.nth == 0 else f"{base} #{self.nth}"


def _skipped(tree: ast.Module) -> set[int]:
    """ids of nodes never mutated: annotations, docstrings, ``__all__``, type-checking."""
    skip: set[int] = set()

    def drop(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            drop(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            drop(node.returns)
        elif isinstance(node, ast.AnnAssign):
            drop(node.annotation)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            drop(node)
        elif isinstance(node, ast.JoinedStr):
            # Numbers inside format specs ({x:.1f}) only change the text shape.
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    drop(value.format_spec)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in {"TypeVar", "cast"}:
                drop(node)
        elif isinstance(node, ast.If) and isinstance(node.test, ast.Name):
            if node.test.id == "TYPE_CHECKING":
                drop(node)
    return skip


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)
    )


def _changes(node: ast.AST) -> Iterator[tuple[str, str, ast.AST]]:
    """``(operator, mutated text, mutated node)`` for each mutation of ``node``."""
    if isinstance(node, ast.Compare):
        for k, op in enumerate(node.ops):
            other = _CMP_SWAP.get(type(op))
            if other is not None:
                new = copy.deepcopy(node)
                new.ops[k] = other()
                yield "compare", ast.unparse(new), new
    elif isinstance(node, ast.BinOp) and not (_is_text(node.left) or _is_text(node.right)):
        other_b = _BIN_SWAP.get(type(node.op))
        if other_b is not None:
            new_b = copy.deepcopy(node)
            new_b.op = other_b()
            yield "arith", ast.unparse(new_b), new_b
    elif isinstance(node, ast.AugAssign):
        other_b = _BIN_SWAP.get(type(node.op))
        if other_b is not None and not _is_text(node.value):
            new_a = copy.deepcopy(node)
            new_a.op = other_b()
            yield "arith", ast.unparse(new_a), new_a
    elif isinstance(node, ast.BoolOp):
        new_o = copy.deepcopy(node)
        new_o.op = _BOOL_SWAP[type(node.op)]()
        yield "boolean", ast.unparse(new_o), new_o
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        kind = "boolean" if isinstance(node.op, ast.Not) else "arith"
        yield kind, ast.unparse(node.operand), copy.deepcopy(node.operand)
    elif isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool):
            yield "constant", repr(not v), ast.Constant(not v)
        elif isinstance(v, int):
            yield "constant", repr(v + 1), ast.Constant(v + 1)
        elif isinstance(v, float):
            new_v = v + 1.0 if v == 0.0 else v * 2
            yield "constant", repr(new_v), ast.Constant(new_v)
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return", "return None", ast.Return(ast.Constant(None))


def _candidates(tree: ast.Module) -> Iterator[tuple[int, ast.AST, str, str, ast.AST]]:
    """Every ``(index, node, operator, mutated text, mutated node)`` of a module, in walk order."""
    skip = _skipped(tree)
    # Docstrings are plain string constants: never mutated (strings are not).
    index = 0
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        for operator, text, new in _changes(node):
            yield index, node, operator, text, new
            index += 1


def split_spec(spec: str) -> tuple[str, frozenset[str] | None]:
    """``path`` or ``path::Name,Class.method``: the file, and the definitions kept (None: all)."""
    path, _, names = spec.partition("::")
    return path, frozenset(n.strip() for n in names.split(",") if n.strip()) if names else None


def _named(tree: ast.Module) -> dict[str, ast.stmt]:
    """Top-level functions, classes and assignments by name, and methods as ``Class.name``."""
    out: dict[str, ast.stmt] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out[stmt.name] = stmt
        if isinstance(stmt, ast.ClassDef):
            for inner in stmt.body:
                if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                    out[f"{stmt.name}.{inner.name}"] = inner
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            out.update({t.id: stmt for t in targets if isinstance(t, ast.Name)})
    return out


def _inside_names(tree: ast.Module, names: frozenset[str]) -> set[int]:
    """ids of the nodes inside the named top-level definitions or methods (``Class.name``)."""
    named = _named(tree)
    return {id(n) for name in names for n in ast.walk(named[name])}


def mutants_of(target: str, spec: str) -> list[Mutant]:
    """All mutants of one module file (relative to ROOT), or of some of its top-level names.

    ``spec`` is a path, or ``path::Name,Class.method`` to mutate only inside those top-level
    functions, classes, assignments or methods (the ids are the same as for the whole module).
    """
    path, names = split_spec(spec)
    source = (ROOT / path).read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    out: list[Mutant] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    found = [(index, node, operator, text) for index, node, operator, text, _ in _candidates(tree)]
    keep: set[int] = set()
    if names is not None:
        unknown = names - set(_named(tree))
        if unknown:
            raise SystemExit(f"{path} has no top-level {sorted(unknown)}; update TARGETS")
        keep = _inside_names(tree, names)
    # nth counts in source order (not walk order), so it is stable while the code moves
    found.sort(key=lambda f: (getattr(f[1], "lineno", 0), getattr(f[1], "col_offset", 0), f[0]))
    for index, node, operator, text in found:
        line = getattr(node, "lineno", 0)
        original = (
            "return " + ast.unparse(node.value)
            if isinstance(node, ast.Return) and node.value
            else ast.unparse(node)
        )
        line_text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        h = hashlib.sha1(line_text.encode("utf-8")).hexdigest()[:8]
        key = (h, operator, original, text)
        nth = seen.get(key, 0)
        seen[key] = nth + 1
        if names is None or id(node) in keep:
            out.append(Mutant(target, path, line, operator, original, text, index, nth, h))
    return sorted(out, key=lambda m: m.index)


class _Replace(ast.NodeTransformer):
    def __init__(self, old: ast.AST, new: ast.AST) -> None:
        self.old, self.new = old, new

    def visit(self, node: ast.AST) -> ast.AST:
        if node is self.old:
            return ast.copy_location(self.new, node)
        out: ast.AST = super().visit(node)
        return out


def mutated_source(m: Mutant) -> str:
    """The source of ``m.path`` with the mutant applied."""
    tree = ast.parse((ROOT / m.path).read_text(encoding="utf-8"))
    for index, node, _, _, new in _candidates(tree):
        if index == m.index:
            mutated = _Replace(node, new).visit(tree)
            return ast.unparse(ast.fix_missing_locations(mutated)) + "\n"
    raise LookupError(f"mutant {m.id} not found (the module changed?)")


# --- running ------------------------------------------------------------------------------


def load_equivalent(path: Path = EQUIVALENT_FILE) -> dict[str, str]:
    """Mutant id -> reason, from the committed list."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if " :: " not in line:
            raise SystemExit(f"{path}:{n}: expected '<mutant id> :: <reason>', got {raw!r}")
        mid, reason = line.split(" :: ", 1)
        out[mid.strip()] = reason.strip()
    return out


def _pytest(src: Path, tests: list[str], timeout: float) -> str:
    """``killed`` (tests fail or hang) or ``survived`` (tests pass), running from ROOT."""
    env = dict(os.environ, PYTHONPATH=str(src), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "killed"  # a hang is a detected bug
    if proc.returncode == 0:
        return "survived"
    if proc.returncode in (1, 2):  # tests failed, or collection failed (import error)
        return "killed"
    raise RuntimeError(f"pytest exited with {proc.returncode}: {proc.stdout[-2000:]!r}")


def _workdirs(n: int, base: Path) -> list[Path]:
    """n private copies of ``src/`` (the mutant is written into one, then restored)."""
    dirs = []
    for k in range(n):
        d = base / f"w{k}" / "src"
        shutil.copytree(ROOT / "src", d, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        dirs.append(d)
    return dirs


def run(
    mutants: list[Mutant],
    timeout: float,
    progress: bool,
    on_result: Callable[[Mutant, str], None] | None = None,
) -> dict[str, str]:
    """Mutant id -> ``killed`` / ``survived``, two mutants at a time (``on_result`` after each)."""
    results: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="ingenio-mut-") as tmp:
        free: queue.Queue[Path] = queue.Queue()
        for d in _workdirs(WORKERS, Path(tmp)):
            free.put(d)

        def one(m: Mutant) -> tuple[Mutant, str]:
            src = free.get()
            rel = Path(m.path).relative_to("src")
            target_file = src / rel
            original = target_file.read_text(encoding="utf-8")
            try:
                target_file.write_text(mutated_source(m), encoding="utf-8")
                return m, _pytest(src, TARGETS[m.target]["tests"], timeout)
            finally:
                target_file.write_text(original, encoding="utf-8")
                free.put(src)

        with ThreadPoolExecutor(WORKERS) as pool:
            for done, (m, outcome) in enumerate(pool.map(one, mutants), 1):
                results[m.id] = outcome
                if on_result is not None:
                    on_result(m, outcome)
                if progress:
                    print(f"[{done}/{len(mutants)}] {outcome:8} {m.id}", file=sys.stderr)
    return results


def baseline(targets: list[str]) -> float:
    """Run each target's tests on the unmutated tree; the slowest run time (s)."""
    worst = 0.0
    for t in targets:
        t0 = time.monotonic()
        outcome = _pytest(ROOT / "src", TARGETS[t]["tests"], 900)
        took = time.monotonic() - t0
        if outcome != "survived":
            raise SystemExit(f"the tests of {t} fail without any mutant: fix them first")
        worst = max(worst, took)
    return worst


def summarise(
    mutants: list[Mutant], results: dict[str, str], equivalent: dict[str, str]
) -> dict[str, dict[str, object]]:
    """Per target: killed, survived, equivalent, total, score (equivalent excluded)."""
    out: dict[str, dict[str, object]] = {}
    for target in dict.fromkeys(m.target for m in mutants):
        ms = [m for m in mutants if m.target == target]
        eq = [m for m in ms if m.id in equivalent and results[m.id] == "survived"]
        killed = sum(1 for m in ms if results[m.id] == "killed")
        survived = [m for m in ms if results[m.id] == "survived" and m.id not in equivalent]
        scored = len(ms) - len(eq)
        out[target] = {
            "killed": killed,
            "survived": len(survived),
            "equivalent": len(eq),
            "total": len(ms),
            "score": round(killed / scored, 4) if scored else None,
            "modules": {
                p: {
                    "killed": sum(1 for m in ms if m.path == p and results[m.id] == "killed"),
                    "total": sum(1 for m in ms if m.path == p),
                }
                for p in dict.fromkeys(m.path for m in ms)
            },
            "survivors": [m.id for m in survived],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", choices=sorted(TARGETS))
    parser.add_argument("--sample", type=int, help="random mutants per target")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--timeout", type=float, help="seconds per mutant (default: 5 x baseline + 30)"
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON summary")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument(
        "--match", help="only the mutants whose id contains this text (to try one survivor)"
    )
    parser.add_argument("--out", type=Path, help="also write the full JSON result here")
    parser.add_argument(
        "--recheck",
        type=Path,
        help="a previous --out result: run again only its survivors (tests added since can "
        "only kill more), keep its killed mutants, and report the whole set",
    )
    parser.add_argument(
        "--resume",
        type=Path,
        help="the FILE.partial.json an interrupted run with --out FILE kept: the same mutants "
        "(targets, sample, seed), without running again those it already ran",
    )
    args = parser.parse_args(argv)

    targets = args.module or list(TARGETS)
    mutants: list[Mutant] = []
    rng = random.Random(args.seed)
    previous: dict[str, str] = {}
    sample, seed, equivalent = args.sample, args.seed, load_equivalent()
    if args.recheck is not None:
        old = json.loads(args.recheck.read_text(encoding="utf-8"))
        targets = [t for t in old["targets"] if t in TARGETS]
        sample, seed = old["sample"], old["seed"]
        rng = random.Random(seed)
    if args.resume is not None:
        partial = json.loads(args.resume.read_text(encoding="utf-8"))
        targets = [t for t in partial["targets"] if t in TARGETS]
        sample, seed = partial["sample"], partial["seed"]
        rng = random.Random(seed)
    for t in targets:
        missing = [
            p
            for p in [*(split_spec(m)[0] for m in TARGETS[t]["modules"]), *TARGETS[t]["tests"]]
            if not p.startswith("-") and not (ROOT / p.split("::")[0]).exists()
        ]
        if missing:
            raise SystemExit(f"target {t} names files that do not exist: {missing}; update TARGETS")
        paths = TARGETS[t]["modules"]
        ms = [m for p in paths for m in mutants_of(t, p)]
        if args.recheck is not None and "results" in old:
            ms = [m for m in ms if m.id in old["results"]]  # the very same mutants
        elif sample is not None and sample < len(ms):
            ms = sorted(rng.sample(ms, sample), key=lambda m: (m.path, m.index))
        mutants.extend(ms)
    if args.recheck is not None:
        if "results" in old:
            previous = old["results"]
        else:  # a result written before "results" was kept: rebuild it from the survivors
            lived = {i for s in old["targets"].values() for i in s["survivors"]}
            previous = {
                m.id: "survived" if m.id in lived or m.id in equivalent else "killed"
                for m in mutants
            }
        mutants = [m for m in mutants if m.id in previous]
    if args.match:
        mutants = [m for m in mutants if args.match in m.id]
    if args.list:
        for m in mutants:
            mark = "  [equivalent]" if m.id in equivalent else ""
            print(f"{m.target:9} {m.id}  (line {m.line}){mark}")
        print(f"{len(mutants)} mutants", file=sys.stderr)
        return 0

    t0 = time.monotonic()
    base = baseline(targets)
    timeout = args.timeout or 5 * base + 30
    todo = [m for m in mutants if previous.get(m.id) != "killed"]
    results = {m.id: "killed" for m in mutants if m not in todo}
    if args.resume is not None:
        known = {m.id: partial["results"][m.id] for m in todo if m.id in partial["results"]}
        results.update(known)
        todo = [m for m in todo if m.id not in known]
    partial_out = None if args.out is None else args.out.with_suffix(".partial.json")

    def keep(m: Mutant, outcome: str) -> None:  # so that an interrupted run can --resume
        results[m.id] = outcome
        if partial_out is not None:
            state = {"sample": sample, "seed": seed, "targets": targets, "results": results}
            partial_out.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")

    results.update(run(todo, timeout, progress=not args.json, on_result=keep))
    if partial_out is not None:
        partial_out.unlink(missing_ok=True)
    elapsed = time.monotonic() - t0
    summary = summarise(mutants, results, equivalent)
    short = {
        t: {"killed": s["killed"], "total": s["total"], "score": s["score"]}
        for t, s in summary.items()
    }
    if args.out is not None:
        full = {
            "date": time.strftime("%Y-%m-%d"),
            "seconds": round(elapsed, 1),
            "workers": WORKERS,
            "sample": sample,
            "seed": seed,
            "timeout": timeout,
            "recheck_of": str(args.recheck) if args.recheck else None,
            "targets": summary,
            "results": results,
        }
        args.out.write_text(json.dumps(full, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(short))
        return 0
    print(
        f"\n{len(mutants)} mutants in {elapsed:.0f} s ({WORKERS} workers, timeout {timeout:.0f} s)"
    )
    for t, s in summary.items():
        score = "n/a" if s["score"] is None else f"{100 * float(s['score']):.1f} %"  # type: ignore[arg-type]
        print(
            f"{t:9} killed {s['killed']:4}  survived {s['survived']:4}  "
            f"equivalent {s['equivalent']:3}  total {s['total']:4}  score {score}"
        )
        for p, c in s["modules"].items():  # type: ignore[attr-defined]
            print(f"    {p}: {c['killed']}/{c['total']} killed")
    for t, s in summary.items():
        if s["survivors"]:
            print(f"\nsurvivors of {t}:")
            for mid in s["survivors"]:  # type: ignore[attr-defined]
                print(f"  {mid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
