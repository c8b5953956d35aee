"""For a plant that is stopped: when it resumes in the plan and what would bring it earlier.

A plant is *stopped* at a moment when its block's grid is off and none of its lines
runs in the plan (the board's state). It *resumes* at the first operation on one of
its lines after that moment. What would bring it earlier, in words:

* when it resumes within an hour of the grid's return (it waits for power):
  the diesel that would carry its next step's load on its largest generator from
  the moment until the grid returns (when a generator could carry that step), and
  whether its tank holds that much above the reserve. This is an **estimate** from
  that generator's fuel curve, not litres of the plan (the plan does not run that
  step then); the page says so and names the generator, load and hours;
* otherwise the generator capacity the step lacks;
* and the binding reasons of the plant's late or unscheduled orders
  (:func:`ingenio.planning.explain.explain`), which name fuel, grid time or
  capacity that would let them run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ingenio.domain import Said
from ingenio.planning.explain import reasons as explained
from ingenio.services.auth import Principal
from ingenio.services.web_views import (
    Loaded,
    board_plant,
    level_at,
    load,
    now_minute,
    tank_levels,
)
from ingenio.store.repository import Store

__all__ = ["Resumption", "resumptions"]

SLACK_MINUTES = 60
"""A plant resuming this soon after the grid returns waited for the grid."""

MAX_REASONS = 3
"""The most order reasons shown per stopped plant."""


@dataclass(frozen=True)
class Resumption:
    """A stopped plant: since when, why, when it resumes, and what would resume it earlier."""

    plant_id: str
    plant_name: str
    why: str  # grid_off, no_fuel
    stopped_since: str
    grid_back: str | None
    resumes: str | None
    litres_needed: float | None
    """An estimate (the generator's fuel curve), not litres of the plan."""
    litres_available: float | None
    estimate_generator: str | None
    estimate_kw: float | None
    estimate_hours: float | None
    """What ``litres_needed`` assumes: this generator, at this load, for these hours."""
    kw_short: float | None
    reasons: tuple[str, ...]
    waits_for_power: bool
    """Whether it resumes when the grid returns (else it waits for work or shifts)."""
    sentences: tuple[Said, ...] = ()
    """``reasons`` as sentences, for the page to say in its language."""


def resumptions(
    store: Store, principal: Principal, plan_id: int, now: datetime | None = None
) -> list[Resumption]:
    """The plants in scope of plan ``plan_id`` that are stopped at ``now`` (plant-local
    when naive; the horizon's start when outside it)."""
    loaded = load(store, principal, plan_id)
    at = now_minute(loaded.portfolio, now if now is None or now.tzinfo else
                    now.replace(tzinfo=loaded.portfolio.horizon.zone))  # fmt: skip
    out = []
    reasons: dict[str, Said] | None = None
    for pid in loaded.plants():
        row = board_plant(loaded, pid, at)
        if row.state != "stopped":
            continue
        if reasons is None:
            kept = {o.order_id: o.said or Said(o.reason) for o in loaded.plan.outcomes if o.reason}
            reasons = explained(loaded.portfolio, loaded.plan) | kept
        out.append(_resumption(loaded, pid, at, row.why, reasons))
    return out


def _resumption(
    loaded: Loaded, plant_id: str, at: int, why: str, reasons: dict[str, Said]
) -> Resumption:
    p, plan = loaded.portfolio, loaded.plan
    plant = p.plant(plant_id)
    lines = {ln.id for ln in plant.lines}
    ops = [op for op in plan.operations if op.line_id in lines]
    before = [op.end for op in ops if op.end <= at]
    after = sorted((op for op in ops if op.start > at), key=lambda op: op.start)
    band = next((w for w in p.grid_off(plant_id) if w.start <= at < w.end), None)
    litres = available = short = None
    basis: tuple[str | None, float | None, float | None] = (None, None, None)
    waits = bool(after) and band is not None and after[0].start <= band.end + SLACK_MINUTES
    if waits and band is not None:
        nxt = after[0]
        kw = p.product(p.order(nxt.order_id).product_id).routing[nxt.step].power_kw
        gens = sorted(plant.generators, key=lambda g: -g.rated_kw)
        if gens and gens[0].rated_kw >= kw:
            g = gens[0]
            load_kw = max(kw, g.min_load_fraction * g.rated_kw)
            litres = g.litres(load_kw, band.end - at)
            basis = (g.id, load_kw, (band.end - at) / 60)
            if plant.tank is not None:
                level = level_at(tank_levels(p, plan, plant_id), at)
                available = max(0.0, level - plant.tank.reserve_l)
        else:
            short = kw - (gens[0].rated_kw if gens else 0.0)
    mine = [
        o.order_id
        for o in plan.outcomes
        if o.status != "on_time" and p.product_plant(p.order(o.order_id).product_id).id == plant_id
    ]
    said = tuple(dict.fromkeys(reasons[o] for o in mine if o in reasons))[:MAX_REASONS]
    english = tuple(dict.fromkeys(str(s) for s in said))
    return Resumption(
        plant_id,
        plant.name,
        why,
        loaded.local(max(before)) if before else loaded.local(0),
        loaded.local(band.end) if band is not None else None,
        loaded.local(after[0].start) if after else None,
        litres,
        available,
        *basis,
        short,
        english,
        waits,
        said,
    )
