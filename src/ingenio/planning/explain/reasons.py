"""Why an order is late or unscheduled: its binding reason, in words and numbers.

Computed from the portfolio and the plan alone (any planner): the earliest an order
could be done on its own (release, predecessors, shifts, power the plant could ever
have), the hours of power its lines have before the due date, how busy the plan
keeps those lines and with what, and when the plant's tank reaches its reserve.
The checks run from the hardest limit to the softest; the first that holds is the
reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ingenio.domain import (
    MINUTES_PER_DAY,
    MINUTES_PER_HOUR,
    N_,
    Order,
    OrderStatus,
    Plan,
    Plant,
    Portfolio,
    PriorityClass,
    Said,
    said,
)
from ingenio.planning.capacity import OrderWindow, PlantMinutes, StepWindow, earliest_finish
from ingenio.planning.explain.context import (
    Context,
    battery_empty_before,
    context,
    fuel_exhausted,
    longest_run,
    stats,
)
from ingenio.planning.explain.insert import diesel_to_fit, fit, litres_for
from ingenio.planning.summary import FuelNeeds

__all__ = ["explain", "fuel_needs", "reasons", "with_explanations"]

MOSTLY = 0.5
"""Share of the busy time from which the essential orders are said to have taken a line."""


def _h(minutes: float) -> Said:
    return said(N_("%(hours).1f h"), hours=minutes / MINUTES_PER_HOUR)


def _orders(n: int) -> Said:
    if n == 1:
        return said(N_("%(n)s other order"), n=n)
    return said(N_("%(n)s other orders"), n=n)


_DUE = said(N_("the due date"))
_END = said(N_("the horizon end"))


def _latest_ready(ctx: Context, window: OrderWindow, limit: int) -> int | None:
    """The latest minute from which the order's steps, in turn and on their own (shifts
    and the power the plant could have), are done by ``limit``; None when not even from
    its release. The earliest finish only grows with the start, so a bisection finds it."""
    order, pm = window.order, ctx.minutes[window.plant_id]

    def done_by(ready: int) -> bool:
        at = ready
        for sw in window.steps:
            end = earliest_finish(pm, sw.step, order.quantity, at)
            if end is None or end > limit:
                return False
            at = end
        return True

    lo = max(0, order.release)
    if lo >= limit or not done_by(lo):
        return None
    hi = limit  # done_by(limit) is False: a step takes at least a minute
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if done_by(mid) else (lo, mid)
    return lo


def _waits(
    ctx: Context,
    window: OrderWindow,
    pred: str,
    done: int,
    limit: int,
    in_plan: bool,
    until: Said = _DUE,
) -> Said | None:
    """The reason when predecessor ``pred``, done at ``done`` (at the earliest, or in the
    plan when ``in_plan``), plus the transfer from its plant, starts the order too late to
    be done by ``limit`` (``until`` in words) even on its own; None when that start is
    not what binds."""
    order = window.order
    gap = ctx.portfolio.link_gap(order, pred)
    start = done + gap
    by = _latest_ready(ctx, window, limit)
    if by is None or start <= by:
        return None
    there = ctx.windows[pred].plant_id
    if gap == 0:  # same plant, or no transfer to speak of
        if in_plan:
            return said(
                N_("waits for order %(pred)s, done %(when)s in this plan"),
                pred=pred,
                when=ctx.when(done),
            )
        return said(
            N_(
                "waits for order %(pred)s, done at the earliest %(when)s: %(left)s before due, "
                "%(work)s of work"
            ),
            pred=pred,
            when=ctx.when(done),
            left=_h(max(0, order.due - done)),
            work=_h(sum(_shortest(s) for s in window.steps)),
        )
    if in_plan:
        when = said(N_("done %(when)s in this plan"), when=ctx.when(done))
    else:
        when = said(N_("done at the earliest %(when)s"), when=ctx.when(done))
    return said(
        N_(
            "waits for order %(pred)s of plant %(plant)s, %(done)s, then %(transfer)s of "
            "transfer: it cannot start before %(start)s, too late to finish by %(limit)s; it "
            "would finish in time starting by %(by)s, %(early)s sooner (order %(pred)s done "
            "earlier or a shorter transfer)"
        ),
        pred=pred,
        plant=there,
        done=when,
        transfer=_h(gap),
        start=ctx.when(start),
        limit=until,
        by=ctx.when(by),
        early=_h(start - by),
    )


def _root(ctx: Context, pred: str, missing: Callable[[str], bool]) -> str:
    """The first order up the chain from ``pred`` (itself ``missing``) whose own
    predecessors are not ``missing``: where the chain of undone orders starts."""
    while True:
        up = [p for p in ctx.portfolio.order(pred).predecessors if missing(p)]
        if not up:
            return pred
        pred = up[0]


def _undone(ctx: Context, order: Order, pred: str) -> Said:
    """The order waits for a predecessor the plan leaves undone: say so, and why (the
    reason of the order where that chain starts, so a long chain stays two sentences
    deep)."""
    template = N_(
        "waits for order %(pred)s of plant %(plant)s, which this plan leaves undone: %(why)s"
    )
    root = _root(ctx, pred, lambda p: p not in ctx.done)
    first = ctx.portfolio.order(root)
    why = _reason(ctx, first, _status_of(ctx, first))
    if root != pred:
        why = said(template, pred=root, plant=ctx.windows[root].plant_id, why=why)
    return said(template, pred=pred, plant=ctx.windows[pred].plant_id, why=why)


def _span(ctx: Context, window: OrderWindow, k: int, until: int) -> tuple[int, int]:
    """``[start, end)`` in which step ``k`` must run for the order to be done by ``until``."""
    sw = window.steps[k]
    start = max(0, sw.start if sw.start >= 0 else window.order.release)
    end = min(ctx.portfolio.horizon.minutes, int(until - sw.tail))
    return start, max(start, end)


def _hours(pm: PlantMinutes, sw: StepWindow, a: int, b: int, mask_of: str) -> int:
    """Minutes in ``[a, b)`` on the step's lines: in shift (``shift``), with any power
    the plant could have (``power``), or with grid and solar alone (``grid``)."""
    total = 0
    for ln in dict.fromkeys(sw.step.lines):
        mask = pm.shift[ln][a:b]
        if mask_of == "power":
            mask = mask & pm.able(sw.step.power_kw)[a:b]
        elif mask_of == "grid":
            mask = mask & (pm.base_kw[a:b] >= sw.step.power_kw - 1e-6)
        total += int(np.count_nonzero(mask))
    return total


def _shortest(sw: StepWindow) -> float:
    """Least minutes from the step's first start to its last end."""
    if sw.step.interruptible:
        return sw.work / len(set(sw.step.lines))
    return float(math.ceil(sw.work - 1e-6))


def _by_arrival(ctx: Context, order: Order) -> list[str]:
    """The order's predecessors, the one whose part arrives last (earliest completion
    plus transfer) first."""

    def arrival(pred: str) -> int:
        done = ctx.windows[pred].completion
        return -1 if done is None else done + ctx.portfolio.link_gap(order, pred)

    return sorted(order.predecessors, key=arrival, reverse=True)


def _cannot_ever(ctx: Context, window: OrderWindow) -> Said:
    """The order cannot be done inside the horizon at all."""
    order, n = window.order, ctx.portfolio.horizon.minutes
    if order.release >= n:
        return said(N_("released %(when)s, after the horizon ends"), when=ctx.when(order.release))
    never = N_(
        "waits for order %(pred)s of plant %(plant)s, which cannot be done within the "
        "horizon: %(why)s"
    )
    for pred in order.predecessors:
        if ctx.windows[pred].completion is None:
            # Name where the chain starts, so a long chain stays two sentences deep.
            root = _root(ctx, pred, lambda p: ctx.windows[p].completion is None)
            why = _cannot_ever(ctx, ctx.windows[root])
            if root != pred:
                why = said(never, pred=root, plant=ctx.windows[root].plant_id, why=why)
            return said(never, pred=pred, plant=ctx.windows[pred].plant_id, why=why)
    for pred in _by_arrival(ctx, order):
        done = ctx.windows[pred].completion
        waits = None if done is None else _waits(ctx, window, pred, done, n, False, _END)
        if waits is not None:
            return waits
    pm = ctx.minutes[window.plant_id]
    for k, sw in enumerate(window.steps):
        if sw.finish is None:
            a, b = _span(ctx, window, k, n)
            have = _hours(pm, sw, a, b, "power")
            return said(
                N_(
                    "%(has)s %(hours)s of power in shifts from %(when)s to the horizon end; "
                    "step %(step)s needs %(need)s"
                ),
                has=ctx.lines(sw.step.lines),
                hours=_h(have),
                when=ctx.when(a),
                step=sw.step.name,
                need=_h(sw.work),
            )
    return said(N_("cannot be done within the horizon"))


def _too_short(ctx: Context, window: OrderWindow) -> Said:
    """Even alone, the order's earliest completion is after its due date."""
    order = window.order
    chain = sum(_shortest(s) for s in window.steps)
    for pred in _by_arrival(ctx, order):
        done = ctx.windows[pred].completion
        waits = None if done is None else _waits(ctx, window, pred, done, order.due, False)
        if waits is not None:
            return waits
    # No predecessor binds, so the order is late even started at its release.
    ready = max(0, order.release)
    if chain > order.due - ready:
        return said(
            N_("released %(when)s: %(left)s before due, %(work)s of work"),
            when=ctx.when(order.release),
            left=_h(max(0, order.due - ready)),
            work=_h(chain),
        )
    pm = ctx.minutes[window.plant_id]
    for k, sw in enumerate(window.steps):
        if sw.finish is not None and sw.finish + sw.tail <= order.due:
            continue
        a, b = _span(ctx, window, k, order.due)
        shift = _hours(pm, sw, a, b, "shift")
        if shift < sw.work:
            return said(
                N_(
                    "%(has)s %(hours)s of shifts between release and due; step %(step)s "
                    "needs %(need)s"
                ),
                has=ctx.lines(sw.step.lines),
                hours=_h(shift),
                step=sw.step.name,
                need=_h(sw.work),
            )
        power = _hours(pm, sw, a, b, "power")
        grid = _grid_only(ctx, window, k, power) if power < sw.work else None
        if grid is not None:
            return grid  # alone, every hour the grid can carry the step is free
        if power < sw.work or sw.step.interruptible:
            return said(
                N_("%(has)s %(hours)s of power before the due date; the order needs %(need)s"),
                has=ctx.lines(sw.step.lines),
                hours=_h(power),
                need=_h(sw.work),
            )
        longest = max(longest_run(pm.usable(ln, sw.step.power_kw)[a:b]) for ln in sw.step.lines)
        return said(
            N_(
                "the longest stretch of shift with power on %(lines)s before the due date is "
                "%(longest)s; step %(step)s runs %(need)s without a break"
            ),
            lines=", ".join(dict.fromkeys(sw.step.lines)),
            longest=_h(longest),
            step=sw.step.name,
            need=_h(sw.work),
        )
    return said(N_("cannot be done by %(when)s even on its own"), when=ctx.when(order.due))


def _carried(ctx: Context, order: Order) -> float | None:
    """Litres with which the order fits in the plan as it stands (:func:`fit`) when the
    generators carry the load the grid cannot beside the plan's other load: per minute of
    the placement, the shortfall ``other load + step kW - grid and solar`` on the
    generators; None when it fits nowhere."""
    found = fit(ctx, order, _status_of(ctx, order))
    if found is None:
        return None
    window = ctx.windows[order.id]
    plant = ctx.portfolio.plant(window.plant_id)
    base = ctx.minutes[plant.id].base_kw
    litres = 0.0
    for sw, (_, pieces) in zip(window.steps, found.steps, strict=True):
        for lo, hi, _ in pieces:
            other = ctx.load[plant.id][lo:hi] - ctx.own_load(order, plant.id, lo, hi)
            short = other + sw.step.power_kw - base[lo:hi]
            litres += sum(litres_for(plant, float(kw), 1) for kw in short[short > 1e-6])
    return litres


def _grid_only(
    ctx: Context, window: OrderWindow, k: int, free: float, in_plan: bool = False
) -> Said | None:
    """When step ``k`` draws more than the plant's generators, islanding solar and
    batteries can carry, it runs only while the grid is on, so fuel cannot carry it: say
    so, with the ``free`` minutes of grid power its lines have and what would have to
    change; None for a step they can carry, or at a plant without generators (there all
    power is the grid's, and the plain hours of power say it). ``in_plan``: the grid's
    room is short beside the plan's other load, which the generators could carry while
    the step runs on the grid; when that makes the order fit, say it and the diesel."""
    sw = window.steps[k]
    plant = ctx.portfolio.plant(window.plant_id)
    if not plant.generators:
        return None
    rated = sum(g.rated_kw for g in plant.generators)
    # A grid-tied array trips with the grid: it cannot help in a blackout.
    islands = plant.solar is not None and plant.solar.islanding
    sun = max(plant.solar.profile_kw) if plant.solar is not None and islands else 0.0
    stored = sum(bat.power_kw for bat in plant.batteries)
    if sw.step.power_kw <= rated + sun + stored + 1e-9:
        return None
    if sun:
        carry = said(N_("(%(rated)s kW) and solar can carry"), rated=f"{rated:,.0f}")
    else:
        carry = said(N_("(%(rated)s kW) can carry"), rated=f"{rated:,.0f}")
    if plant.solar is not None and not islands:
        carry = said(
            N_("%(carry)s (its solar array is grid-tied and stops with the grid)"), carry=carry
        )
    litres = _carried(ctx, window.order) if in_plan and plant.tank is not None else None
    if litres is not None:
        return said(
            N_(
                "%(name)s draws %(kw)s kW, more than the plant's generators %(carry)s, so "
                "it runs only on grid power: %(has)s %(hours)s of grid power free before "
                "%(due)s beside the plant's other load, the order needs %(need)s; it would "
                "run if the generators carried part of that load meanwhile (about %(litres)s L "
                "of diesel for plant %(plant)s), with %(more)s more grid time on the line, or "
                "a later due date"
            ),
            name=said(N_("step %(step)s"), step=sw.step.name),
            kw=f"{sw.step.power_kw:,.0f}",
            carry=carry,
            has=ctx.lines(sw.step.lines),
            hours=_h(free),
            due=_DUE,
            need=_h(sw.work),
            litres=f"{litres:,.0f}",
            plant=plant.id,
            more=_h(sw.work - free),
        )
    return said(
        N_(
            "%(name)s draws %(kw)s kW, more than the plant's generators %(carry)s, so "
            "it runs only on grid power: %(has)s %(hours)s of grid power free before "
            "%(due)s, the order needs %(need)s; it would run with %(more)s more grid "
            "time on the line, a later due date, or %(short)s kW more generator capacity"
        ),
        name=said(N_("step %(step)s"), step=sw.step.name),
        kw=f"{sw.step.power_kw:,.0f}",
        carry=carry,
        has=ctx.lines(sw.step.lines),
        hours=_h(free),
        due=_DUE,
        need=_h(sw.work),
        more=_h(sw.work - free),
        short=f"{sw.step.power_kw - rated - sun:,.0f}",
    )


def _step_reason(ctx: Context, window: OrderWindow, k: int, a: int, b: int) -> Said:
    """Why step ``k`` does not fit in ``[a, b)``, ``b`` being its latest on-time end."""
    order, sw = window.order, window.steps[k]
    st = stats(ctx, window, k, a, b)
    lines = list(dict.fromkeys(sw.step.lines))
    need, name, due = sw.work, said(N_("step %(step)s"), step=sw.step.name), _DUE
    has = ctx.lines(lines)
    if st.shift < need:
        return said(
            N_("%(has)s %(hours)s of shifts before %(due)s; %(name)s needs %(need)s"),
            has=has,
            hours=_h(st.shift),
            due=due,
            name=name,
            need=_h(need),
        )
    if st.power < need:
        # A step only the grid can carry lacks grid time: say what would have to change.
        return _grid_only(ctx, window, k, st.idle_power) or said(
            N_("%(has)s %(hours)s of power before %(due)s; the order needs %(need)s"),
            has=has,
            hours=_h(st.power),
            due=due,
            need=_h(need),
        )
    if st.idle < need:
        if order.priority is not PriorityClass.ESSENTIAL and st.essential >= MOSTLY * st.busy:
            names = " / ".join(ctx.portfolio.line(ln).name for ln in lines)
            return said(
                N_("essential orders took the %(lines)s until %(when)s"),
                lines=names,
                when=ctx.when(st.until),
            )
        return said(
            N_(
                "%(has)s %(hours)s free before %(due)s (%(busy).0f%% busy with %(others)s); "
                "%(name)s needs %(need)s"
            ),
            has=has,
            hours=_h(st.idle),
            due=due,
            busy=100 * st.busy / max(1, st.shift),
            others=_orders(len(st.others)),
            name=name,
            need=_h(need),
        )
    if st.idle_power < need:
        plant = ctx.portfolio.plant(window.plant_id)
        rated = sum(g.rated_kw for g in plant.generators)
        grid = _grid_only(ctx, window, k, st.idle_power, in_plan=True)
        if grid is not None:
            return grid
        dry = fuel_exhausted(ctx, window.plant_id, b)
        fuels = plant.tank is not None and bool(plant.generators)
        diesel = diesel_to_fit(ctx, order, _status_of(ctx, order)) if fuels else None
        litres = _litres_for(plant, sw.step.power_kw, need - st.idle_power)
        if dry is not None and diesel is not None:
            return said(
                N_(
                    "plant %(plant)s fuel allocation exhausted on %(day)s; %(has)s %(hours)s "
                    "of grid power free before %(due)s, the order needs %(need)s; it would "
                    "run with about %(litres)s L more diesel for plant %(plant)s before "
                    "%(when)s"
                ),
                plant=window.plant_id,
                day=ctx.day(dry),
                has=has,
                hours=_h(st.idle_power),
                due=due,
                need=_h(need),
                litres=f"{litres:,.0f}",
                when=ctx.when(b),
            )
        flat = None if dry is not None else battery_empty_before(ctx, window.plant_id, a, b)
        if fuels and diesel is None and flat is None:
            # More diesel alone would not do: beside the plan's other orders and load
            # the order's steps find no line time with power, even from generators.
            return said(
                N_(
                    "%(has)s %(hours)s of grid power free before %(due)s, the order needs "
                    "%(need)s; with more diesel it would still fit nowhere in this plan "
                    "(its steps in turn find no free line time with room on the "
                    "generators (%(rated)s kW) beside the other load): it would run if "
                    "other orders made room, with more grid time, or a later due date"
                ),
                has=has,
                hours=_h(st.idle_power),
                due=due,
                need=_h(need),
                rated=f"{rated:,.0f}",
            )
        spent = fuel_exhausted(ctx, window.plant_id, ctx.portfolio.horizon.minutes + 1)
        if diesel is not None and spent is not None:
            # The tank still had diesel then, but the plan burns it all on other orders
            # later: the allocation, not the time, is short (the order is starving).
            return said(
                N_(
                    "plant %(plant)s spends its fuel allocation on other orders (at its "
                    "reserve from %(day)s); %(has)s %(hours)s of grid power free before "
                    "%(due)s, the order needs %(need)s; it would run with about %(litres)s L "
                    "more diesel for plant %(plant)s before %(when)s"
                ),
                plant=window.plant_id,
                day=ctx.day(spent),
                has=has,
                hours=_h(st.idle_power),
                due=due,
                need=_h(need),
                litres=f"{litres:,.0f}",
                when=ctx.when(b),
            )
        if diesel is not None:
            # Diesel left over and generator room beside the other load: the plan's choice.
            return said(
                N_(
                    "%(has)s %(hours)s of grid power free before %(due)s, the order needs "
                    "%(need)s; the generators (%(rated)s kW) had room for it and the tank "
                    "the diesel (about %(litres)s L), never at its reserve: the plan did not "
                    "use them"
                ),
                has=has,
                hours=_h(st.idle_power),
                due=due,
                need=_h(need),
                rated=f"{rated:,.0f}",
                litres=f"{litres:,.0f}",
            )
        if flat is not None:
            return said(
                N_(
                    "battery %(battery)s empty at %(when)s; %(has)s %(hours)s of power before "
                    "%(due)s, the order needs %(need)s"
                ),
                battery=flat[0],
                when=ctx.when(flat[1]),
                has=has,
                hours=_h(st.idle_power),
                due=due,
                need=_h(need),
            )
        return said(
            N_("%(has)s %(hours)s of power before %(due)s; the order needs %(need)s"),
            has=has,
            hours=_h(st.idle_power),
            due=due,
            need=_h(need),
        )
    if st.idle_resources < need:
        return said(
            N_(
                "shared resource %(resource)s held by other orders: %(hours)s left on "
                "%(lines)s before %(due)s; %(name)s needs %(need)s"
            ),
            resource=", ".join(sorted(sw.step.resources)),
            hours=_h(st.idle_resources),
            lines=", ".join(lines),
            due=due,
            name=name,
            need=_h(need),
        )
    longest = max(st.gaps, default=0)
    if longest < need + sw.step.setup_minutes:
        # Grid time is short only in pieces: generators could join them into a stretch.
        bridged = _bridged(ctx, window, k)
        if bridged is not None:
            return said(
                N_(
                    "%(has)s %(hours)s free with grid power before %(due)s, in gaps of at most "
                    "%(longest)s, too short for the %(need)s of %(name)s; with the generators "
                    "the order would be done by then (about %(litres)s L of diesel), %(fuel)s"
                ),
                has=has,
                hours=_h(st.free),
                due=due,
                longest=_h(longest),
                need=_h(need),
                name=name,
                litres=f"{bridged[0]:,.0f}",
                fuel=bridged[1],
            )
    if st.free < need and sw.step.resources:
        # Grid time and the shared resource each suffice, but not at the same time.
        return said(
            N_(
                "%(has)s %(power)s free with grid power and %(held)s with %(resource)s free "
                "before %(due)s, but only %(hours)s with both; %(name)s needs %(need)s: it "
                "would run if other orders freed %(resource)s while the grid is on, or with "
                "more grid time"
            ),
            has=has,
            power=_h(st.idle_power),
            held=_h(st.idle_resources),
            resource=", ".join(sorted(sw.step.resources)),
            due=due,
            hours=_h(st.free),
            name=name,
            need=_h(need),
        )
    if not sw.step.interruptible and longest < need:
        return said(
            N_(
                "the longest free stretch with power on %(lines)s before %(due)s is "
                "%(longest)s; %(name)s runs %(need)s without a break"
            ),
            lines=", ".join(lines),
            due=due,
            longest=_h(longest),
            name=name,
            need=_h(need),
        )
    if longest >= need + sw.step.setup_minutes:
        return said(
            N_(
                "%(has)s %(hours)s free with power before %(due)s (longest gap %(longest)s), "
                "enough for the %(need)s of %(name)s: the plan did not use it in time"
            ),
            has=has,
            hours=_h(st.free),
            due=due,
            longest=_h(longest),
            need=_h(need),
            name=name,
        )
    return said(
        N_(
            "%(has)s %(hours)s free with power before %(due)s, in %(gaps)s gaps of at most "
            "%(longest)s; %(name)s needs %(need)s plus setup and restarts"
        ),
        has=has,
        hours=_h(st.free),
        due=due,
        gaps=len(st.gaps),
        longest=_h(longest),
        name=name,
        need=_h(need),
    )


def _bridged(ctx: Context, window: OrderWindow, k: int) -> tuple[float, Said] | None:
    """When the order fits in the plan as it stands by its due date with the generators
    (:func:`fit`): the litres that placement burns, and why the plan did not burn them
    (the plant's allocation runs out, or it did not use the tank it had). None too when
    step ``k`` draws more than the generators can carry: they cannot run it between
    the grid's gaps."""
    plant = ctx.portfolio.plant(window.plant_id)
    if plant.tank is None or not plant.generators:
        return None
    if window.steps[k].step.power_kw > sum(g.rated_kw for g in plant.generators) + 1e-9:
        return None
    found = fit(ctx, window.order, OrderStatus.LATE)  # LATE: done by its due date
    if found is None:
        return None
    spent = fuel_exhausted(ctx, plant.id, ctx.portfolio.horizon.minutes + 1)
    if spent is None:
        return found.litres, said(N_("and the tank had it: the plan did not use them"))
    return found.litres, said(
        N_("but plant %(plant)s fuel allocation is exhausted on %(day)s"),
        plant=plant.id,
        day=ctx.day(spent),
    )


def _litres_for(plant: Plant, kw: float, minutes: float) -> float:
    """Diesel to carry ``kw`` for ``minutes`` on the plant's generators (a rough figure
    for an explanation, :func:`~ingenio.planning.explain.insert.litres_for`)."""
    return litres_for(plant, kw, minutes)


def _status_of(ctx: Context, order: Order) -> OrderStatus:
    """The order's status in the plan (unscheduled when it has no outcome)."""
    for o in ctx.plan.outcomes:
        if o.order_id == order.id:
            return o.status
    return OrderStatus.UNSCHEDULED


def _in_plan(ctx: Context, window: OrderWindow, status: OrderStatus) -> Said:
    """The order could be on time on its own: what the plan gave the others."""
    order = window.order
    first = window.steps[0]
    ready = first.start
    for pred in order.predecessors:
        done = ctx.done.get(pred)
        if done is None:
            return _undone(ctx, order, pred)
        waits = _waits(ctx, window, pred, done, order.due, in_plan=True)
        if waits is not None:
            return waits
        # in this plan the order's part arrives no sooner than this
        ready = max(ready, done + ctx.portfolio.link_gap(order, pred))
    ends = ctx.step_ends.get(order.id, {})
    spans: list[tuple[int, int, int]] = []
    for k, sw in enumerate(window.steps):
        a, b = max(ready, sw.start), int(order.due - sw.tail)
        if b > a:
            spans.append((k, a, b))
        if status is OrderStatus.LATE and ends:
            if ends.get(k, 0) > order.due - sw.tail:
                break
            ready = ends.get(k, ready)
    if not spans:
        return said(
            N_("earlier steps ended too late to finish by %(when)s"), when=ctx.when(order.due)
        )

    def slack(item: tuple[int, int, int]) -> float:
        k, a, b = item
        return stats(ctx, window, k, a, b).free / max(window.steps[k].work, 1e-9)

    k, a, b = min(spans, key=slack)
    return _step_reason(ctx, window, k, a, b)


def _reason(ctx: Context, order: Order, status: OrderStatus) -> Said:
    window = ctx.windows[order.id]
    if window.completion is None:
        return _cannot_ever(ctx, window)
    if window.completion > order.due:
        reason = _too_short(ctx, window)
        decay = ctx.portfolio.late_decay_per_day
        late = window.completion - order.due
        if status is OrderStatus.UNSCHEDULED and decay > 0 and decay * late >= MINUTES_PER_DAY:
            reason = said(
                N_("%(reason)s; done %(days).1f days late it would earn nothing"),
                reason=reason,
                days=late / MINUTES_PER_DAY,
            )
        return reason
    return _in_plan(ctx, window, status)


def explain(portfolio: Portfolio, plan: Plan) -> dict[str, str]:
    """The binding reason of every late or unscheduled order of ``plan``, in English
    (:func:`reasons` keeps them as sentences to translate)."""
    return {order_id: str(reason) for order_id, reason in reasons(portfolio, plan).items()}


def reasons(portfolio: Portfolio, plan: Plan) -> dict[str, Said]:
    """The binding reason of every late or unscheduled order of ``plan``.

    Parameters
    ----------
    portfolio
        The portfolio the plan is for.
    plan
        The plan (any planner).

    Returns
    -------
    dict
        Order id -> reason, e.g. ``"line R2 has 6.0 h of power before the due date;
        the order needs 9.0 h"``, for each outcome that is late or unscheduled.
    """
    todo = [o for o in plan.outcomes if o.status is not OrderStatus.ON_TIME]
    if not todo:
        return {}
    ctx = context(portfolio, plan)
    return {
        o.order_id: _reason(ctx, portfolio.order(o.order_id), o.status)
        for o in todo
        if portfolio.has("order", o.order_id)
    }


def with_explanations(portfolio: Portfolio, plan: Plan) -> Plan:
    """``plan`` with each late or unscheduled outcome's ``reason`` set by :func:`explain`."""
    found = reasons(portfolio, plan)
    if not found:
        return plan
    outcomes = tuple(
        replace(o, reason=str(found[o.order_id]), said=found[o.order_id])
        if o.order_id in found
        else o
        for o in plan.outcomes
    )
    return replace(plan, outcomes=outcomes)


def fuel_needs(portfolio: Portfolio, plan: Plan) -> FuelNeeds:
    """Per plant, the diesel its fuel-starved orders would burn (and, in ``least``, the
    litres of the one that needs least).

    An order is fuel-starved when it is late or unscheduled, its plant's tank reaches its
    reserve before the order's latest worthwhile end, every step draws no more than the
    plant's generators and solar can carry, and it fits in the plan as it stands with
    more diesel (:func:`~ingenio.planning.explain.insert.diesel_to_fit`); the litres are
    what that placement burns. Plants without such an order are left out. Used by the
    measure *idle litres while starving* (``docs/planning.md``)."""
    todo = [
        o
        for o in plan.outcomes
        if o.status is not OrderStatus.ON_TIME and portfolio.has("order", o.order_id)
    ]
    if not todo:
        return FuelNeeds()
    ctx = context(portfolio, plan)
    out: dict[str, float] = {}
    least: dict[str, float] = {}
    for o in todo:
        order = portfolio.order(o.order_id)
        window = ctx.windows.get(order.id)
        if window is None:
            continue
        plant = portfolio.plant(window.plant_id)
        rated = sum(g.rated_kw for g in plant.generators)
        sun = max(plant.solar.profile_kw) if plant.solar is not None else 0.0
        if any(sw.step.power_kw > rated + sun + 1e-9 for sw in window.steps):
            continue
        if fuel_exhausted(ctx, plant.id, portfolio.horizon.minutes + 1) is None:
            continue
        litres = diesel_to_fit(ctx, order, o.status)
        if litres is not None and litres > 0:
            out[plant.id] = out.get(plant.id, 0.0) + litres
            least[plant.id] = min(litres, least.get(plant.id, math.inf))
    return FuelNeeds(out, least)
