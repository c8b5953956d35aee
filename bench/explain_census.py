"""Census of the explanations of a plan: how many late or undone orders of each plant
get each kind of reason (the sentence's template), and how long the explaining takes.

    .venv/bin/python bench/explain_census.py out/demo/plan.json [--portfolio FILE]

Without ``--portfolio`` the plan is read against the demo portfolio
(``build_demo_portfolio``), as ``ingenio demo`` writes it. Run it with another
checkout's ``src`` first on ``PYTHONPATH`` to compare two versions on one plan.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path

from ingenio.data.demo import build_demo_portfolio
from ingenio.formats.plan_file import plan_from_document
from ingenio.formats.portfolio import load_portfolio
from ingenio.planning.explain import reasons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("--portfolio", type=Path, default=None)
    args = parser.parse_args()
    portfolio = load_portfolio(args.portfolio) if args.portfolio else build_demo_portfolio()
    plan = plan_from_document(json.loads(args.plan.read_text()), portfolio, str(args.plan))
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    clock = time.perf_counter()
    found = reasons(portfolio, plan)
    seconds = time.perf_counter() - clock
    kinds = Counter(
        (portfolio.product_plant(portfolio.order(oid).product_id).id, why.template)
        for oid, why in found.items()
    )
    for (plant, template), n in sorted(kinds.items()):
        print(f"{plant}\t{n}\t{' '.join(template.split())[:110]}")
    print(f"{len(found)} reasons in {seconds:.2f} s")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
