"""Burn idle depot fuel: fuel-starved orders placed into a plant's plan in domain terms.

Private helper of :mod:`ingenio.planning.optimise`. The measure *idle litres while
starving* counts an order as fuel-starved when it fits in the plan as it stands with
more diesel (:func:`ingenio.planning.explain.order_fit`). The plant model cannot always
take that placement: it gives generators only some grid-on stretches, and keeps tasks
on a circuit-setup line from interleaving, so a fill read in model terms
(:func:`ingenio.planning.schedule.filled`) rejected every such order on the demo while
the depot kept its diesel. Here the placement is written straight into the plan: the
order's operations go where ``order_fit`` found room, the plant's generator runs are
re-derived minute by minute from the new load (least-fuel commitment, each generator
at least at its minimum), and the result is kept only when :func:`ingenio.validate.validate`
accepts it on the plant's sub-portfolio (its grants as deliveries) and it ranks higher.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from ingenio.domain import (
    BatteryFlow,
    GeneratorRun,
    Operation,
    OrderStatus,
    Plan,
    Portfolio,
    PowerSource,
)
from ingenio.planning.capacity import plant_minutes
from ingenio.planning.dispatch import Commitment
from ingenio.planning.explain import Fit, fuel_needs, order_fit
from ingenio.planning.optimise.feedback import RoundState, merge_round, summed, used_grants
from ingenio.planning.optimise.merge import TransferError, jit_transfers, outcomes, plan_key
from ingenio.planning.portfolio import Grant, grant_points, merge_grants, share_spare
from ingenio.planning.restrict import plant_portfolio
from ingenio.validate import validate

KW_STEP = 1e-3
"""Deficits are compared to this precision when cutting runs."""


def _operations(portfolio: Portfolio, order_id: str, found: Fit) -> list[Operation]:
    """The order's operations where ``found`` places them (quantity by processing minutes)."""
    order = portfolio.order(order_id)
    out: list[Operation] = []
    for k, (line_id, pieces) in enumerate(found.steps):
        work = sum(w for _, _, w in pieces) or 1
        for lo, hi, w in pieces:
            out.append(
                Operation(
                    order_id, k, line_id, lo, hi, order.quantity * w / work, PowerSource.MIXED
                )
            )
    return out


def generator_runs(
    portfolio: Portfolio,
    plant_id: str,
    operations: Sequence[Operation],
    flows: Sequence[BatteryFlow] = (),
) -> list[GeneratorRun] | None:
    """Runs covering the plant's load above grid, solar and battery ``flows`` (kept as
    they are: charging adds load, discharging supply) in every minute, or None when the
    generators cannot carry it (least fuel per distinct deficit; touching runs of one
    generator merged when their output is the same)."""
    pm = plant_minutes(portfolio, plant_id)
    plant = portfolio.plant(plant_id)
    n = portfolio.horizon.minutes
    load = np.zeros(n)
    for op in operations:
        if not plant.has_line(op.line_id):
            continue
        order = portfolio.order(op.order_id)
        kw = portfolio.product(order.product_id).routing[op.step].power_kw
        load[max(0, op.start) : min(n, op.end)] += kw
    mine = {b.id for b in plant.batteries}
    for f in flows:
        if f.battery_id in mine:
            load[max(0, f.start) : min(n, f.end)] -= f.kw
    deficit = np.round(np.maximum(0.0, load - pm.base_kw) / KW_STEP) * KW_STEP
    gens = tuple(plant.generators)
    commit = Commitment(gens, portfolio.horizon.slot_minutes)
    runs: list[GeneratorRun] = []
    open_: dict[int, GeneratorRun] = {}
    change = np.flatnonzero(np.diff(deficit)) + 1
    cuts = [0, *change.tolist(), n]
    for a, b in itertools.pairwise(cuts):
        need = float(deficit[a])
        outs = dict(commit.outputs(need)) if need > 0 else {}
        if need > 0 and not outs:
            return None
        for i in list(open_):
            run = open_[i]
            if outs.get(i) != run.output_kw:
                runs.append(run)
                del open_[i]
        for i, kw in outs.items():
            prev = open_.get(i)
            open_[i] = (
                GeneratorRun(gens[i].id, a, b, kw)
                if prev is None
                else GeneratorRun(prev.generator_id, prev.start, b, kw)
            )
    runs.extend(open_.values())
    return sorted(runs, key=lambda r: (r.start, r.generator_id))


def inserted(portfolio: Portfolio, plan: Plan, order_id: str, found: Fit) -> Plan | None:
    """``plan`` (one plant, depot-free portfolio) with the order placed as ``found`` says
    and generator runs re-derived, or None when that breaks a rule."""
    plant_id = portfolio.line(found.steps[0][0]).plant_id
    ops = [op for op in plan.operations if op.order_id != order_id]
    ops += _operations(portfolio, order_id, found)
    runs = generator_runs(portfolio, plant_id, ops, plan.battery_flows)
    if runs is None:
        return None
    ops.sort(key=lambda op: (op.start, op.line_id, op.order_id, op.step))
    trial = Plan(
        plan.planner,
        tuple(ops),
        tuple(runs),
        (),
        outcomes(portfolio, ops),
        status=plan.status,
        notes=plan.notes,
        battery_flows=plan.battery_flows,
    )
    return None if validate(portfolio, trial) else trial


def topped_up(
    portfolio: Portfolio, plan: Plan, order_ids: Sequence[str], seconds: float
) -> tuple[Plan, list[str]]:
    """``plan`` with as many of ``order_ids`` (late or undone) placed as fit and pay,
    in the order given, within about ``seconds``; and the orders placed.

    ``portfolio`` is a plant's depot-free sub-portfolio (grants as deliveries)."""
    if portfolio.depots:
        return plan, []
    clock = time.perf_counter()
    best, placed = plan, []
    for oid in order_ids:
        if time.perf_counter() - clock > seconds:
            break
        found = order_fit(portfolio, best, oid)
        if found is None:
            continue
        trial = inserted(portfolio, best, oid, found)
        if trial is not None and plan_key(portfolio, trial) > plan_key(portfolio, best):
            best = trial
            placed.append(oid)
    return best, placed


TOPUP_SECONDS = 5.0
"""Seconds a plant's top-up may take (fits are tried until then)."""


def topup_round(
    portfolio: Portfolio,
    state: RoundState,
    deadline: float | None = None,
    needs: Mapping[str, float] | None = None,
) -> bool:
    """Give the depot fuel the merged plan leaves to the plants with fuel-starved orders,
    one plant at a time (most missed value per litre they need first), and place those
    orders into the plant's plan (:func:`topped_up`); True when a plant took more orders.

    Each plant keeps only the grants its transfers draw, so what one plant does not
    burn is left for the next. ``needs``: :func:`ingenio.planning.explain.fuel_needs` of
    the merged plan, when the caller has it."""
    merged = state.merged
    if merged is None or not portfolio.depots:
        return False
    if needs is None:
        needs = fuel_needs(portfolio, merged)
    if not needs:
        return False
    missed: dict[str, list[tuple[float, str]]] = {}
    for o in merged.outcomes:
        order = state.work.order(o.order_id) if state.work.has("order", o.order_id) else None
        if order is None or o.status is OrderStatus.ON_TIME:
            continue
        pid = portfolio.product_plant(order.product_id).id
        if pid in needs and pid in state.plans:
            missed.setdefault(pid, []).append((order.value - o.value, order.id))
    grants: dict[str, tuple[Grant, ...]] = {}
    for plant in portfolio.plants:
        moved = sum(t.litres for t in merged.fuel_transfers if t.plant_id == plant.id)
        grants[plant.id] = used_grants(state.grants.get(plant.id, ()), moved)
    plans = dict(state.plans)
    better: list[str] = []
    ranked = sorted(missed, key=lambda p: (-sum(v for v, _ in missed[p]) / needs[p], p))
    for pid in ranked:
        if deadline is not None and time.perf_counter() > deadline:
            state.notes.append("top-up: stopped, the time budget is spent")
            break
        taken = [g for gs in grants.values() for g in gs]
        spare = merge_grants(share_spare(portfolio, grant_points(portfolio), taken, {pid: 1.0}))
        extra = spare.get(pid, ())
        if sum(x for _, _, x in extra) < 1.0:
            break
        trial = merge_grants([(pid, g) for g in (*grants[pid], *extra)])[pid]
        sub = plant_portfolio(state.work, pid, summed(trial))
        seconds = TOPUP_SECONDS
        if deadline is not None:
            seconds = min(seconds, max(0.0, deadline - time.perf_counter()))
        cands = [oid for _, oid in sorted(missed[pid], key=lambda x: (-x[0], x[1]))]
        plan, placed = topped_up(sub, plans[pid], cands, seconds)
        if not placed:
            continue
        try:
            moves = jit_transfers(portfolio, pid, plan.generator_runs, trial)
        except TransferError as exc:
            state.notes.append(f"top-up: {pid}'s new plan burns fuel its grants miss: {exc}")
            continue
        plans[pid] = replace(plan, notes=(*plan.notes, f"top-up: placed {', '.join(placed)}"))
        grants[pid] = used_grants(trial, sum(t.litres for t in moves))
        better.append(pid)
    if not better:
        return False
    previous = (state.plans, state.grants)
    state.plans, state.grants = plans, grants
    again = merge_round(portfolio, state)
    if again is None:
        state.plans, state.grants = previous
        return False
    litres = sum(t.litres for t in again.fuel_transfers) - sum(
        t.litres for t in merged.fuel_transfers
    )
    state.merged = again
    state.notes.append(
        f"top-up: {litres:,.0f} L more depot fuel burned by fuel-starved orders of "
        + ", ".join(better)
    )
    return True
