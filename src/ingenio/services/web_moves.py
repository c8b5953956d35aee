"""Moving one operation of a plan by hand, checked by the independent validator.

The move keeps the operation's line and length and puts it at a new start. The
generators of its plant are re-dispatched only over the stretch the move touches
(least-fuel set covering the deficit, as the dispatcher does); everything else of
the plan is kept. The new plan is accepted only when :func:`ingenio.validate.validate`
finds no violation that the plan did not already have; otherwise the reasons come
back in words. Accepted, it is saved as a new plan version (a draft), audited.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from ingenio.domain import N_, GeneratorRun, Operation, Plan, Portfolio, PowerSource, Said, said
from ingenio.energy import build_timeline
from ingenio.errors import IngenioError
from ingenio.formats.plan_file import plan_to_document
from ingenio.operations.replan import outcomes
from ingenio.planning.dispatch import Commitment
from ingenio.services.auth import Principal
from ingenio.services.web_views import Loaded, load
from ingenio.store.repository import Store
from ingenio.validate import validate

__all__ = ["MoveCheck", "Shortfall", "check_move", "save_move"]

_TOL = 1e-6


@dataclass(frozen=True)
class Shortfall:
    """The first moment the moved plant lacks power: what it has and what it needs."""

    at: str
    need_kw: float
    grid_kw: float
    generators_kw: float
    generators: tuple[str, ...]


@dataclass(frozen=True)
class MoveCheck:
    """The outcome of a proposed move."""

    ok: bool
    order_id: str
    step: int
    line_id: str
    old_start: str
    new_start: str
    new_end: str
    shortfall: Shortfall | None
    reasons: tuple[str, ...]
    grid_kwh_delta: float
    generator_kwh_delta: float
    litres_delta: float
    value_delta: float
    plan: Plan | None
    sentences: tuple[Said, ...] = ()
    """The validator's ``reasons`` as sentences, for a page to say in its language."""


def _find(loaded: Loaded, order_id: str, step: int, line_id: str) -> int:
    for i, op in enumerate(loaded.plan.operations):
        if op.order_id == order_id and op.step == step and op.line_id == line_id:
            return i
    raise _no_operation(order_id, step, line_id)


def _no_operation(order_id: str, step: int, line_id: str) -> IngenioError:
    sentence = said(
        N_("no operation %(order)s/%(step)s on line %(line)s"),
        order=order_id,
        step=step,
        line=line_id,
    )
    return IngenioError(sentence, kind="not_found", code="operation_not_found")


def _plant_runs(
    portfolio: Portfolio, ops: list[Operation], plant_id: str, lo: int, hi: int
) -> tuple[list[GeneratorRun], Shortfall | None, dict[int, bool]]:
    """Least-fuel generator runs of a plant over ``[lo, hi)``, the first shortfall, and
    for each operation index whether it needs a generator somewhere."""
    plant = portfolio.plant(plant_id)
    lines = {ln.id for ln in plant.lines}
    kw: dict[int, float] = defaultdict(float)
    mine = [(i, op) for i, op in enumerate(ops) if op.line_id in lines]
    for _, op in mine:
        need = portfolio.product(portfolio.order(op.order_id).product_id).routing[op.step].power_kw
        if need > 0 and op.end > lo and op.start < hi:
            kw[max(op.start, lo)] += need
            kw[min(op.end, hi)] -= need
    timeline = build_timeline(portfolio, plant_id)
    size = portfolio.horizon.slot_minutes
    cuts = sorted({lo, hi, *kw, *range((lo // size + 1) * size, hi, size)})
    gens = plant.generators
    commit = Commitment(gens, size)
    total = sum(g.rated_kw for g in gens)
    load, short = 0.0, None
    parts: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    gen_on: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(cuts):
        load += kw.get(a, 0.0)
        base = timeline.base_kw(timeline.slot_of(a))
        deficit = load - base
        if deficit <= _TOL:
            continue
        gen_on.append((a, b))
        if deficit > total + _TOL:
            if short is None:
                at = portfolio.horizon.to_datetime(a).strftime("%Y-%m-%d %H:%M")
                short = Shortfall(at, load, base, total, tuple(g.id for g in gens))
            outs = tuple((k, g.rated_kw) for k, g in enumerate(gens))
        else:
            outs = commit.outputs(deficit)
        for k, out in outs:
            parts[k].append((a, b, round(out, 6)))
    runs: list[GeneratorRun] = []
    for k, segs in parts.items():
        first, last, level = segs[0]
        for a, b, out in segs[1:]:
            if a == last and out == level:
                last = b
                continue
            runs.append(GeneratorRun(gens[k].id, first, last, level))
            first, last, level = a, b, out
        runs.append(GeneratorRun(gens[k].id, first, last, level))
    needs = {
        i: any(a < op.end and op.start < b for a, b in gen_on) for i, op in mine if lo <= op.start
    }
    return runs, short, needs


def _clip(run: GeneratorRun, lo: int, hi: int) -> list[GeneratorRun]:
    """The parts of a run outside ``[lo, hi)``."""
    out = []
    if run.start < lo:
        out.append(replace(run, end=min(run.end, lo)))
    if run.end > hi:
        out.append(replace(run, start=max(run.start, hi)))
    return [r for r in out if r.end > r.start]


def _energy(portfolio: Portfolio, plan: Plan, plant_id: str) -> tuple[float, float, float]:
    """Generator kWh, litres and grid kWh (load minus generators) of a plant."""
    gen_kwh = litres = 0.0
    for r in plan.generator_runs:
        g = portfolio.generator(r.generator_id)
        if g.plant_id == plant_id:
            gen_kwh += r.output_kw * (r.end - r.start) / 60
            litres += g.litres(r.output_kw, r.end - r.start)
    lines = {ln.id for ln in portfolio.plant(plant_id).lines}
    load_kwh = 0.0
    for op in plan.operations:
        if op.line_id in lines:
            step = portfolio.product(portfolio.order(op.order_id).product_id).routing[op.step]
            load_kwh += step.power_kw * (op.end - op.start) / 60
    return gen_kwh, litres, max(0.0, load_kwh - gen_kwh)


def check_move(
    store: Store,
    principal: Principal,
    plan_id: int,
    order_id: str,
    step: int,
    line_id: str,
    new_start: datetime,
) -> MoveCheck:
    """Check moving operation ``order_id/step`` on ``line_id`` to start at ``new_start``
    (plant-local wall-clock time when naive).

    Raises
    ------
    AccessDenied
        When the principal may not make plans (``plans.create``).
    IngenioError
        ``not_found`` for a plan, plant or operation out of scope.
    """
    loaded = load(store, principal, plan_id)
    principal.require("plans.create")
    p, plan = loaded.portfolio, loaded.plan
    i = _find(loaded, order_id, step, line_id)
    plant_id = p.line(line_id).plant_id
    if plant_id not in loaded.plants():
        raise _no_operation(order_id, step, line_id)
    old = plan.operations[i]
    start = p.horizon.to_minute(new_start)
    start -= start % 5
    moved = replace(old, start=start, end=start + (old.end - old.start))
    ops = list(plan.operations)
    ops[i] = moved
    lo, hi = max(0, min(old.start, moved.start)), max(old.end, moved.end)
    lo = lo - lo % p.horizon.slot_minutes
    hi = min(p.horizon.minutes, hi)
    new_runs, short, needs = _plant_runs(p, ops, plant_id, lo, hi)
    gids = {g.id for g in p.plant(plant_id).generators}
    runs = [
        part
        for r in plan.generator_runs
        for part in ([r] if r.generator_id not in gids else _clip(r, lo, hi))
    ]
    runs = sorted([*runs, *new_runs], key=lambda r: (r.generator_id, r.start))
    ops[i] = replace(moved, source=PowerSource.GENERATOR if needs.get(i) else PowerSource.GRID)
    reasons = {o.order_id: o.reason for o in plan.outcomes}
    candidate = replace(
        plan,
        planner="manual",
        operations=tuple(ops),
        generator_runs=tuple(runs),
        outcomes=outcomes(p, ops, reasons),
        notes=(*plan.notes, f"moved {order_id}/{step} on {line_id} by {principal.name}"),
    )
    before = {(v.rule, v.message) for v in validate(p, plan)}
    new = [v for v in validate(p, candidate) if (v.rule, v.message) not in before]
    fresh = tuple(v.message for v in new)
    g0, l0, k0 = _energy(p, plan, plant_id)
    g1, l1, k1 = _energy(p, candidate, plant_id)
    ok = not fresh and short is None
    return MoveCheck(
        ok,
        order_id,
        step,
        line_id,
        loaded.local(old.start),
        loaded.local(moved.start),
        loaded.local(moved.end),
        short,
        fresh,
        k1 - k0,
        g1 - g0,
        l1 - l0,
        candidate.value - plan.value,
        candidate if ok else None,
        tuple(v.said or said(v.message) for v in new),
    )


def save_move(
    store: Store,
    principal: Principal,
    plan_id: int,
    order_id: str,
    step: int,
    line_id: str,
    new_start: datetime,
) -> int:
    """Check the move again and save it as a new draft plan version; returns its id.

    Raises
    ------
    IngenioError
        ``rule_broken`` when the validator refuses the move.
    """
    check = check_move(store, principal, plan_id, order_id, step, line_id, new_start)
    if not check.ok or check.plan is None:
        reasons = check.sentences or (said(N_("no power")),)
        joined = reasons[0]
        for reason in reasons[1:]:
            joined = said(N_("%(first)s; %(next)s"), first=joined, next=reason)
        raise IngenioError(
            said(N_("the move breaks the plan rules: %(reasons)s"), reasons=joined),
            kind="rule_broken",
            code="move_refused",
        )
    loaded = load(store, principal, plan_id)
    record = loaded.view.plan
    saved = store.save_plan(
        portfolio_version_id=record.portfolio_version_id,
        planner="manual",
        status=record.status,
        value=check.plan.value,
        bound=record.bound,
        seconds=0.0,
        document=plan_to_document(check.plan, loaded.portfolio),
        summary=record.summary,
        actor=principal.name,
    )
    return saved.id
