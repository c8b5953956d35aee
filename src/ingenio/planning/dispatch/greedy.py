"""The baseline planner: the greedy rule a planner with a spreadsheet uses.

Orders go in earliest-due-date order (ties: priority class, then id), an
order's predecessors just before it when they are not placed yet; each
order's steps in routing order; each step on the eligible line that finishes it
earliest, at slot granularity. A step runs whenever there is power: grid and
solar headroom first, the plant's generators when the grid is off and the fuel
above the reserve lasts (trucked from depots on demand, first come first
served). Interruptible steps are split into pieces around gaps; uninterruptible
steps need one contiguous window. A step waives its family setup where the plan
rules allow it and no later booking can undo that: after any operation on a line only
one family of the ordered products uses, or right after an operation of its family.
An order that cannot be completed within the horizon gets no operations at all.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import replace

import numpy as np

from ingenio.domain import (
    MINUTES_PER_DAY,
    FuelTransfer,
    GeneratorRun,
    Operation,
    Order,
    OrderOutcome,
    OrderStatus,
    Plan,
    Portfolio,
    PowerSource,
    Step,
)
from ingenio.energy import build_timeline
from ingenio.planning.battery import with_battery_flows
from ingenio.planning.dispatch.place import IntArray, Placement, Shop, place
from ingenio.planning.dispatch.power import TOL, BoolArray, DepotPool, PlantEnergy

__all__ = ["dispatch"]

_Piece = tuple[str, int, str, int, int, float]
"""``(order id, step index, line id, start, end, quantity)``."""


class _Dispatcher:
    """Mutable planning state: lines, resources, plant energy, depots."""

    def __init__(self, portfolio: Portfolio) -> None:
        self.p = portfolio
        self.size = portfolio.horizon.slot_minutes
        self.shop = Shop(portfolio)
        self.depots = DepotPool.build(portfolio)
        self.energy = {
            plant.id: PlantEnergy(plant, build_timeline(portfolio, plant.id))
            for plant in portfolio.plants
        }

    def run(self, order: Order, after: int = 0) -> tuple[list[_Piece], str]:
        """Schedule one order, or nothing; returns its pieces and a reason if it fails.

        No step starts before minute ``after`` (when its predecessors are complete).
        """
        product = self.p.product(order.product_id)
        routing = product.routing
        energy = self.energy[self.p.product_plant(order.product_id).id]
        saved = None
        if len(routing) > 1 or energy.timed:
            lines = {ln for step in routing for ln in step.lines}
            res = {r for step in routing for r in step.resources}
            saved = (self.shop.snapshot(lines, res), energy.snapshot(), self.depots.snapshot())
        if order.release >= self.p.horizon.minutes:
            return [], "released after the horizon ends"
        ready = max(0, order.release, after)
        pieces: list[_Piece] = []
        reason = ""
        for k, step in enumerate(routing):
            first = -(-ready // self.size)
            best: Placement | None = None
            refused = 0
            for line_id in dict.fromkeys(step.lines):
                fam = self.shop.family[product.family]
                # Waiving the setup first, so a tie goes to the placement that waives it.
                for warm in (True, False) if step.setup_minutes > 0 else (False,):
                    placed, fuel = place(
                        self.shop,
                        energy,
                        self.depots,
                        line_id,
                        step,
                        order.quantity,
                        first,
                        fam,
                        warm,
                    )
                    refused += fuel
                    if placed is not None and (best is None or placed.finish < best.finish):
                        best = placed
                    if placed is not None and placed.earliest:
                        break  # paying the setup from the same slot cannot finish sooner
            if best is None:
                cause = self._cause(energy, step, order.quantity, first, self.shop.n, refused)
                if saved is not None:
                    self.shop.restore(saved[0])
                    energy.restore(saved[1])
                    self.depots.restore(saved[2])
                if cause == "not enough time":
                    return [], "not enough time left in the horizon"
                return [], f"cannot finish within the horizon: {cause}"
            if not reason and order.due < best.finish:
                due = min(self.shop.n, order.due // self.size)
                cause = self._cause(energy, step, order.quantity, first, due, refused)
                if cause == "not enough time":
                    reason = (
                        "earlier steps finished too close to due"
                        if k
                        else "predecessors finished too close to due"
                        if after > order.release
                        else "not enough time between release and due"
                    )
                else:
                    reason = f"{cause} before due"
            self._commit(energy, step, best, self.shop.family[product.family])
            pieces += _quantities(order, k, step, best)
            ready = best.finish
        if energy.timed and not self._settle(energy):
            assert saved is not None
            self.shop.restore(saved[0])
            energy.restore(saved[1])
            self.depots.restore(saved[2])
            return [], "cannot finish within the horizon: plant fuel exhausted (generator runs)"
        done = max(end for _, _, _, _, end, _ in pieces)
        return pieces, reason if done > order.due else ""

    def _commit(self, energy: PlantEnergy, step: Step, placed: Placement, family: int) -> None:
        """Book the placement's line, resources, load and fuel trucks."""
        for start, end, _ in placed.pieces:
            first, last = start // self.size, -(-end // self.size)
            self.shop.book(placed.line_id, step, first, last, family)
            if step.power_kw > 0:
                energy.add_load(first, last, step.power_kw)
        for depot, slot, planned in placed.transfers:
            # With start costs the probe over-counts burn: truck no more than fits.
            over = energy.starts.any or energy.timed
            litres = min(planned, energy.room(slot)) if over else planned
            if litres > TOL:
                energy.add_transfer((depot, slot, litres))
                self.depots.take(depot, slot, litres)

    def _settle(self, energy: PlantEnergy) -> bool:
        """With timed generators the probe only estimates: check the exact burn of the
        shaped runs and truck what it lacks; False when the depots cannot cover it."""
        if not energy.fuel_short():
            return True
        trucks = energy.plan_transfers(np.zeros(energy.timeline.slots), self.depots)
        if trucks is None:
            return False
        for depot, slot, litres in trucks:
            energy.add_transfer((depot, slot, litres))
            self.depots.take(depot, slot, litres)
        return not energy.fuel_short()

    def _cause(
        self, energy: PlantEnergy, step: Step, quantity: float, first: int, until: int, fuel: int
    ) -> str:
        """What kept ``step`` from finishing in slots ``[first, until)``, in a few words.

        Constraints are added one at a time (time, shifts, idle lines, shared
        resources, power, fuel); the first that leaves no line enough room is
        the cause.
        """
        unbroken = not step.interruptible
        causes = (
            "no shift window long enough" if unbroken else "not enough shift time",
            "lines busy with earlier orders",
            "shared resource not available",
            "no power window long enough" if unbroken else "not enough power",
        )
        need = -(-(step.setup_minutes + step.run_minutes(quantity)) // self.size)
        if until - first < need:
            return "not enough time"
        room = [False] * len(causes)
        for line_id in dict.fromkeys(step.lines):
            shift = self.shop.shift[line_id][first:until]
            idle = shift & ~self.shop.busy[line_id][first:until]
            fits = self.shop.free(line_id, step, first)[: until - first]
            power = fits & energy.power_ok(first, step.power_kw)[: until - first]
            for i, mask in enumerate((shift, idle, fits, power)):
                room[i] = room[i] or _longest(mask, unbroken) >= need
        for i, cause in enumerate(causes):
            if not room[i]:
                return cause
        return "plant fuel exhausted" if fuel else "gaps too short for setup and restarts"

    def runs(self) -> list[GeneratorRun]:
        """Generator runs: maximal constant-output stretches of the commitment."""
        out: list[GeneratorRun] = []
        for plant in self.p.plants:
            energy = self.energy[plant.id]
            if energy.timed:
                out.extend(energy.shaped_runs())
                continue
            deficit = energy.load - energy.base
            per_gen: dict[int, list[tuple[int, float]]] = defaultdict(list)
            for s in np.flatnonzero(deficit > TOL).tolist():
                for i, kw in energy.commitment.outputs(float(deficit[s])):
                    per_gen[i].append((s, kw))
            for i in sorted(per_gen):
                gid = plant.generators[i].id
                start, prev, level = -1, -2, 0.0
                for s, kw in [*per_gen[i], (-9, -1.0)]:  # a sentinel closes the last run
                    if s != prev + 1 or kw != level:
                        if start >= 0:
                            a, b = start * self.size, (prev + 1) * self.size
                            out.append(GeneratorRun(gid, a, b, level))
                        start, level = s, kw
                    prev = s
        return out

    def sources(self) -> dict[str, IntArray]:
        """Per plant and slot: bit 1 grid, 2 solar, 4 generator, 8 battery supply the load."""
        out: dict[str, IntArray] = {}
        for pid, e in self.energy.items():
            grid, solar = e.timeline.grid_kw, e.timeline.solar_kw
            code: IntArray = np.where(grid > 0, 1, 0).astype(np.int64)
            code |= np.where((e.load > grid + TOL) & (solar > 0), 2, 0)
            code |= np.where((grid <= 0) & (e.load <= TOL) & (solar > 0), 2, 0)
            code |= np.where(e.load - e.base > TOL, 4, 0)
            # a battery carries part of the load: no single source (8 is "mixed")
            bat = e.timeline.battery_kw
            code |= np.where((bat > 0) & (e.load > grid + solar + TOL), 8, 0)
            out[pid] = code
        return out


def _longest(mask: BoolArray, unbroken: bool) -> int:
    """Longest run of True in ``mask`` when ``unbroken``, else the count of True."""
    if not unbroken:
        return int(np.count_nonzero(mask))
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return int((edges[1::2] - edges[::2]).max()) if len(edges) else 0


def _quantities(order: Order, k: int, step: Step, placed: Placement) -> list[_Piece]:
    """Pieces with their share of the quantity, in proportion to processing minutes."""
    work = sum(made for _, _, made in placed.pieces)
    out: list[_Piece] = []
    left = order.quantity
    for i, (start, end, made) in enumerate(placed.pieces):
        qty = left if i == len(placed.pieces) - 1 else order.quantity * made / work
        left -= qty
        out.append((order.id, k, placed.line_id, start, end, qty))
    return out


_SOURCE = {1: PowerSource.GRID, 2: PowerSource.SOLAR, 4: PowerSource.GENERATOR, 0: PowerSource.GRID}


def dispatch(portfolio: Portfolio) -> Plan:
    """Plan ``portfolio`` with the greedy earliest-due-date dispatch rule.

    Parameters
    ----------
    portfolio : Portfolio
        What to plan.

    Returns
    -------
    Plan
        Operations, generator runs, fuel transfers and one outcome per order
        (``planner="dispatch"``), with a short ``reason`` for late and
        unscheduled orders. Deterministic: the same portfolio gives the same
        plan (only ``seconds`` varies).

    Notes
    -----
    All pieces of a step run on one line. A piece starts at a slot start and
    books whole slots (line, resources, load); the last piece of a step ends
    as soon as its work is done, and the next step starts at the following slot.
    Generators run only in slots where the grid gives nothing, at the
    least-fuel commitment for the plant's whole deficit in the slot. Fuel is
    trucked at the start of the first slot that would dip into the reserve,
    exactly the shortfall (less if the tank would overflow, then again later),
    from the depot with most fuel to spare.
    """
    clock = time.perf_counter()
    d = _Dispatcher(portfolio)
    pieces: dict[str, list[_Piece]] = {}
    reasons: dict[str, str] = {}
    for order in _sequence(portfolio):
        missing = [p for p in order.predecessors if not pieces[p]]
        if missing:
            pieces[order.id] = []
            reasons[order.id] = f"predecessor {missing[0]} is unscheduled"
            continue
        after = max(
            (
                end + portfolio.link_gap(order, p)
                for p in order.predecessors
                for *_, end, _ in pieces[p]
            ),
            default=0,
        )
        pieces[order.id], reasons[order.id] = d.run(order, after)
    codes = d.sources()
    ops: list[Operation] = []
    for order_pieces in pieces.values():
        for oid, k, line_id, start, end, qty in order_pieces:
            pid = portfolio.line(line_id).plant_id
            code = int(np.bitwise_or.reduce(codes[pid][start // d.size : -(-end // d.size)]))
            source = _SOURCE.get(code, PowerSource.MIXED)
            ops.append(Operation(oid, k, line_id, start, end, qty, source))
    ops.sort(key=lambda op: (op.start, op.line_id, op.order_id, op.step))
    outcomes = tuple(_outcome(portfolio, o, pieces[o.id], reasons[o.id]) for o in portfolio.orders)
    plan = Plan(
        planner="dispatch",
        operations=tuple(ops),
        generator_runs=tuple(sorted(d.runs(), key=lambda r: (r.generator_id, r.start))),
        fuel_transfers=_transfers(d),
        outcomes=outcomes,
    )
    plan = with_battery_flows(portfolio, plan)
    return replace(plan, seconds=time.perf_counter() - clock)


def _sequence(portfolio: Portfolio) -> list[Order]:
    """Orders by due date (ties: priority class, then id), each after its predecessors.

    An order's predecessors that are not yet placed go just before it, in the
    same order, recursively (the portfolio guarantees no cycle).
    """
    key = {o.id: (o.due, o.priority.rank, o.id) for o in portfolio.orders}
    out: list[Order] = []
    seen: set[str] = set()
    for root in sorted(portfolio.orders, key=lambda o: key[o.id]):
        if root.id in seen:
            continue
        stack = [(root, iter(sorted(root.predecessors, key=key.__getitem__)))]
        seen.add(root.id)
        while stack:
            order, preds = stack[-1]
            pred = next((p for p in preds if p not in seen), None)
            if pred is None:
                out.append(order)
                stack.pop()
            else:
                seen.add(pred)
                nxt = portfolio.order(pred)
                stack.append((nxt, iter(sorted(nxt.predecessors, key=key.__getitem__))))
    return out


def _transfers(d: _Dispatcher) -> tuple[FuelTransfer, ...]:
    """The trucks booked, one per depot, plant and minute."""
    litres: dict[tuple[int, str, str], float] = defaultdict(float)
    for pid, energy in d.energy.items():
        for depot, slot, x in energy.transfers:
            litres[(slot * d.size, pid, d.depots.ids[depot])] += x
    return tuple(FuelTransfer(dep, pid, at, x) for (at, pid, dep), x in sorted(litres.items()))


def _outcome(portfolio: Portfolio, order: Order, pieces: list[_Piece], reason: str) -> OrderOutcome:
    """The outcome of ``order`` as ``docs/plan-rules.md`` defines it."""
    if not pieces:
        return OrderOutcome(order.id, OrderStatus.UNSCHEDULED, None, 0, 0.0, reason)
    last = max(k for _, k, _, _, _, _ in pieces)
    done = max(end for _, k, _, _, end, _ in pieces if k == last)
    late = max(0, done - order.due)
    if late == 0:
        return OrderOutcome(order.id, OrderStatus.ON_TIME, done, 0, order.value)
    factor = max(0.0, 1 - portfolio.late_decay_per_day * late / MINUTES_PER_DAY)
    return OrderOutcome(order.id, OrderStatus.LATE, done, late, order.value * factor, reason)
