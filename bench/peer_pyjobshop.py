"""The peer: the same benchmark instance built in PyJobShop 0.0.9's Model API and solved
with its OR-Tools CP-SAT backend; its schedule is mapped back into an Ingenio plan and
checked by Ingenio's own validator, so both solvers are judged by the same rules.

PSPLIB: one task per job of positive duration, a renewable resource per instance
resource, ``add_end_before_start`` for each precedence (through zero-duration jobs, as
Ingenio's converter does). Job shop: a machine per machine, a job per job, one task per
operation of positive time with ``add_end_before_start`` along the routing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

from ingenio.benchmarks import jssp, psplib
from ingenio.domain import Operation, OrderOutcome, OrderStatus, Plan, Portfolio
from ingenio.validate import validate


@dataclass(frozen=True)
class PeerRun:
    """What one PyJobShop solve gave (fields as Ingenio's ``BenchRun``)."""

    instance: str
    makespan: int | None
    lower_bound: int | None
    status: str
    seconds: float
    valid: bool
    violations: int
    wall_seconds: float
    first_violation: str = ""

    @property
    def proven_optimal(self) -> bool:
        return self.makespan is not None and (
            self.status == "optimal" or self.lower_bound == self.makespan
        )


# (order id, step index, line id) of each PyJobShop task, in task order
Slots = list[tuple[str, int, str]]


def psplib_model(instance: psplib.PsplibInstance):
    """PyJobShop model of an RCPSP instance and the Ingenio slot of each task."""
    from pyjobshop import Model

    model = Model()
    resources = [
        model.add_renewable(cap, name=psplib.resource_id(r))
        for r, cap in enumerate(instance.capacities)
    ]
    preds = psplib.real_predecessors(instance)
    tasks = {}
    slots: Slots = []
    for number in preds:
        job = instance.job(number)
        task = model.add_task(name=psplib.order_id(number))
        used = [(res, d) for res, d in zip(resources, job.demands, strict=True) if d > 0]
        model.add_mode(task, [r for r, _ in used], job.duration, [d for _, d in used])
        tasks[number] = task
        slots.append((psplib.order_id(number), 0, f"L{number}"))
    for number, before in preds.items():
        for p in before:
            model.add_end_before_start(tasks[p], tasks[number])
    return model, slots


def jssp_model(instance: jssp.JsspInstance):
    """PyJobShop model of a job-shop instance and the Ingenio slot of each task."""
    from pyjobshop import Model

    model = Model()
    machines = [model.add_machine(name=jssp.machine_id(k)) for k in range(instance.machines)]
    slots: Slots = []
    for j, ops in enumerate(instance.jobs):
        job = model.add_job(name=jssp.order_id(j))
        previous = None
        step = 0
        for op in ops:
            if op.duration <= 0:
                continue
            task = model.add_task(job, name=f"{jssp.order_id(j)}-{step}")
            model.add_mode(task, machines[op.machine], op.duration)
            if previous is not None:
                model.add_end_before_start(previous, task)
            slots.append((jssp.order_id(j), step, jssp.machine_id(op.machine)))
            previous = task
            step += 1
    return model, slots


def as_plan(portfolio: Portfolio, slots: Slots, spans: list[tuple[int, int]]) -> Plan:
    """The peer's schedule as an Ingenio plan (every order on time, full value)."""
    ops = tuple(
        Operation(order, step, line, start, end, 1.0)
        for (order, step, line), (start, end) in zip(slots, spans, strict=True)
    )
    completion: dict[str, int] = {}
    for op in ops:
        completion[op.order_id] = max(completion.get(op.order_id, 0), op.end)
    outcomes = tuple(
        OrderOutcome(o.id, OrderStatus.ON_TIME, completion[o.id], 0, o.value)
        if o.id in completion
        else OrderOutcome(o.id, OrderStatus.UNSCHEDULED, None, 0, 0.0)
        for o in portfolio.orders
    )
    return Plan("pyjobshop", ops, (), (), outcomes)


def solve_peer(path: Path, fmt: str, time_limit: float, workers: int, seed: int = 0) -> PeerRun:
    """Build, solve (makespan) and validate one instance with PyJobShop."""
    began = time.perf_counter()
    if fmt == "psplib":
        inst_p = psplib.read_psplib(path)
        portfolio = psplib.to_portfolio(inst_p)
        model, slots = psplib_model(inst_p)
    else:
        inst_j = jssp.read_jssp(path)
        portfolio = jssp.to_portfolio(inst_j)
        model, slots = jssp_model(inst_j)
    result = model.solve(
        solver="ortools",
        time_limit=time_limit,
        num_workers=workers,
        display=False,
        random_seed=seed,
    )
    status = str(result.status.value).lower()
    found = bool(result.best.tasks) and result.objective != float("inf")
    violations = []
    makespan = None
    if found:
        spans = [(t.start, t.end) for t in result.best.tasks]
        plan = as_plan(portfolio, slots, spans)
        violations = validate(portfolio, plan)
        makespan = int(result.best.makespan)
    return PeerRun(
        instance=path.stem,
        makespan=makespan,
        lower_bound=math.ceil(float(result.lower_bound) - 1e-6) if found else None,
        status=status,
        seconds=round(float(result.runtime), 3),
        valid=found and not violations,
        violations=len(violations),
        wall_seconds=round(time.perf_counter() - began, 3),
        first_violation=str(violations[0]) if violations else "",
    )
