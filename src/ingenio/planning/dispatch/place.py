"""Where one step of an order can run on one line: the dispatcher's search.

Time is cut in slots. A slot is usable on a line when it lies inside a shift,
the line is free, the step's shared resources have room and the plant has the
power (grid and solar headroom, or generators when the grid is off). Fuel is
probed slot by slot in time order (:class:`FuelProbe`), since burning now
lowers the tank for the rest of the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ingenio.domain import Portfolio, Resource, Step, merge_windows
from ingenio.planning.dispatch.power import (
    BoolArray,
    DepotPool,
    FloatArray,
    FuelProbe,
    PlantEnergy,
    ProbeMark,
    Transfer,
)

IntArray = npt.NDArray[np.int64]


@dataclass
class Placement:
    """A step placed on a line: its pieces and the trucks of fuel it needs.

    ``pieces`` are ``(start, end, processing minutes)`` in minutes; each piece
    occupies slots ``[start // slot, ceil(end / slot))``.
    """

    line_id: str
    pieces: list[tuple[int, int, int]]
    transfers: list[Transfer] = field(default_factory=list)
    waived: bool = False
    """The first piece follows an operation of its family and pays no setup."""
    earliest: bool = False
    """The first piece starts in the first usable slot: placing the step with its
    setup cannot finish sooner."""

    @property
    def finish(self) -> int:
        """End of the last piece (minutes)."""
        return self.pieces[-1][1]


def resource_capacity(res: Resource, slot_minutes: int, slots: int) -> IntArray:
    """Least capacity of ``res`` over the minutes of each slot."""
    starts = np.arange(slots, dtype=np.int64) * slot_minutes
    cap = np.full(slots, res.capacity, dtype=np.int64)
    for at, _ in sorted(res.changes):
        cap[starts >= at] = res.capacity_at(at)
    for at, _ in res.changes:
        s = at // slot_minutes
        if 0 <= s < slots and at % slot_minutes:
            cap[s] = min(int(cap[s]), res.capacity_at(at))
    return cap


class Shop:
    """Lines (shift and busy slots) and shared resources (units held per slot)."""

    def __init__(self, portfolio: Portfolio) -> None:
        h = portfolio.horizon
        self.size, self.n = h.slot_minutes, h.slots
        starts = np.arange(self.n, dtype=np.int64) * self.size
        self.shift: dict[str, BoolArray] = {}
        self.busy: dict[str, BoolArray] = {}
        for plant in portfolio.plants:
            for line in plant.lines:
                mask = np.zeros(self.n, dtype=np.bool_)
                for w in merge_windows(line.shifts):
                    mask |= (starts >= w.start) & (starts + self.size <= w.end)
                self.shift[line.id] = mask
                self.busy[line.id] = np.zeros(self.n, dtype=np.bool_)
        # Family setups (docs/plan-rules.md, duration): a step waives its setup when
        # the operation just before it on its line is of its family. Per line and
        # slot, the family code of the booking there (-1 idle).
        families = dict.fromkeys(p.family for p in portfolio.products)
        self.family = {name: i for i, name in enumerate(families)}
        self.owner = {k: np.full(self.n, -1, dtype=np.int64) for k in self.busy}
        # Lines only one family of the ordered products uses: no booking there can
        # come between a step and the operation of its family before it.
        used: dict[str, set[str]] = {}
        for pid in dict.fromkeys(o.product_id for o in portfolio.orders):
            product = portfolio.product(pid)
            for st in product.routing:
                for line_id in st.lines:
                    used.setdefault(line_id, set()).add(product.family)
        self.single = {line_id for line_id, fams in used.items() if len(fams) == 1}
        self.cap: dict[str, IntArray] = {}
        self.used: dict[str, IntArray] = {}
        for plant in portfolio.plants:
            for res in plant.resources:
                self.cap[res.id] = resource_capacity(res, self.size, self.n)
                self.used[res.id] = np.zeros(self.n, dtype=np.int64)

    def free(self, line_id: str, step: Step, first: int) -> BoolArray:
        """Slots from ``first`` where the line is in shift, idle, and resources fit."""
        ok = self.shift[line_id][first:] & ~self.busy[line_id][first:]
        for rid, units in step.resources.items():
            ok &= self.used[rid][first:] + units <= self.cap[rid][first:]
        return ok

    def warm(self, line_id: str, family: int, first: int) -> BoolArray:
        """Slots from ``first`` where a step of ``family`` starts with no setup: on a
        one-family line, after any booking; elsewhere right after a booking of its
        family (no idle slot between, so no later booking can come between)."""
        owner = self.owner[line_id]
        if line_id in self.single:
            seen = np.maximum.accumulate(owner >= 0)
            out: BoolArray = np.concatenate(([False], seen[:-1]))[first:]
            return out
        out = np.concatenate(([False], owner[:-1] == family))[first:]
        return out

    def book(self, line_id: str, step: Step, first: int, last: int, family: int = -2) -> None:
        """Occupy the line and the step's resources over slots ``[first, last)`` for a
        step of product family code ``family``."""
        self.busy[line_id][first:last] = True
        self.owner[line_id][first:last] = family
        for rid, units in step.resources.items():
            self.used[rid][first:last] += units

    def snapshot(self, line_ids: set[str], resource_ids: set[str]) -> ShopMark:
        """Copies of some lines' busy slots and resources' held units."""
        return ShopMark(
            {k: self.busy[k].copy() for k in line_ids},
            {k: self.used[k].copy() for k in resource_ids},
            {k: self.owner[k].copy() for k in line_ids},
        )

    def restore(self, saved: ShopMark) -> None:
        """Go back to a :meth:`snapshot`."""
        self.busy.update(saved.busy)
        self.used.update(saved.used)
        self.owner.update(saved.owner)


@dataclass
class ShopMark:
    """A :meth:`Shop.snapshot`: per line busy and owner slots; per resource units."""

    busy: dict[str, BoolArray]
    used: dict[str, IntArray]
    owner: dict[str, IntArray]


def place(
    shop: Shop,
    energy: PlantEnergy,
    depots: DepotPool,
    line_id: str,
    step: Step,
    quantity: float,
    ready: int,
    family: int = -2,
    warm: bool = False,
) -> tuple[Placement | None, int]:
    """Earliest placement of ``step`` on ``line_id`` starting at slot ``ready`` or later.

    Parameters
    ----------
    shop : Shop
        Lines and shared resources, with what is booked so far.
    energy : PlantEnergy
        Power and fuel of the line's plant, with what is booked so far.
    depots : DepotPool
        Depot fuel left for trucks.
    line_id : str
        The eligible line to try.
    step : Step
        The routing step to place.
    quantity : float
        Units to make (the order quantity).
    ready : int
        First slot the step may start in (release, or end of the previous step).
    family : int
        The product family code of the step (``Shop.family``).
    warm : bool
        Waive the setup: start right after an operation of ``family`` (None when no
        such start is found among the first ``WARM_TRIES``).

    Returns
    -------
    tuple of (Placement or None, int)
        The placement (None when the step cannot finish within the horizon) and
        how many slots (or windows) were refused because the fuel would not last.
    """
    if ready >= shop.n:
        return None, 0
    ok = shop.free(line_id, step, ready) & energy.power_ok(ready, step.power_kw)
    work = step.run_minutes(quantity)
    if not warm:
        return _placed(shop, energy, depots, line_id, step, work, ready, ok, False)
    # Waiving the setup: start where an operation of the family ends; the first few
    # such places, as fuel or a short window may push the start off them.
    runs = _runs(np.flatnonzero(ok & shop.warm(line_id, family, ready)))
    usable = np.flatnonzero(ok)
    rejected = 0
    for a, _ in runs[:WARM_TRIES]:
        placed, fuel = _placed(shop, energy, depots, line_id, step, work, ready + a, ok[a:], True)
        rejected += fuel
        if placed is not None:
            placed.earliest = a == int(usable[0])
            return placed, rejected
    return None, rejected


WARM_TRIES = 3
"""Places after an operation of its family where a step tries to start with no setup."""


def _placed(
    shop: Shop,
    energy: PlantEnergy,
    depots: DepotPool,
    line_id: str,
    step: Step,
    work: int,
    ready: int,
    ok: BoolArray,
    warm: bool,
) -> tuple[Placement | None, int]:
    """Earliest placement over the usable slots ``ok`` from slot ``ready``; ``warm``:
    no setup, and only if the first piece starts at ``ready``."""
    slots = np.flatnonzero(ok) + ready
    probe = FuelProbe(energy, depots)
    overhead = 0 if warm else step.setup_minutes
    if step.interruptible:
        pieces = _pieces(shop.size, energy, probe, slots, step, work, overhead)
    else:
        pieces = _window(shop.size, energy, probe, slots, step, work, overhead)
    if pieces is None or (warm and pieces[0][0] != ready * shop.size):
        return None, probe.rejected
    return Placement(line_id, pieces, list(probe.transfers), warm), probe.rejected


def _pieces(
    size: int,
    energy: PlantEnergy,
    probe: FuelProbe,
    slots: IntArray,
    step: Step,
    work: int,
    overhead: int,
) -> list[tuple[int, int, int]] | None:
    """Pieces of an interruptible step over the usable ``slots`` (sorted), or None.

    Each run of consecutive usable slots is filled from its start with the
    longest prefix whose fuel lasts (all of it when it finishes the step); a slot
    the fuel cannot cover ends the piece. A piece too short to make progress
    after its setup or restart is dropped and its fuel given back.
    """
    out: list[tuple[int, int, int]] = []
    for a, b in _runs(slots):
        pos = a
        while pos < b:
            m = min(b - pos, -(-(overhead + work) // size))
            deltas = _deltas(energy, pos, pos + m, step.power_kw)
            hopeless = probe.hopeless(pos, deltas)
            if hopeless[0]:
                probe.rejected += 1
                nxt = np.flatnonzero(~hopeless)
                pos += int(nxt[0]) if len(nxt) else m
                continue
            mark = probe.mark()
            k = _longest_prefix(probe, mark, pos, deltas)
            made = k * size - overhead
            if k == m and made >= work:
                out.append((pos * size, pos * size + overhead + work, work))
                return out
            if made > 0:
                out.append((pos * size, (pos + k) * size, made))
                work -= made
                overhead = step.restart_minutes
            else:
                probe.reset(mark)
            pos += k + 1  # past the slot the fuel could not cover (or the run's end)
    return None


def _longest_prefix(probe: FuelProbe, mark: ProbeMark, first: int, deltas: FloatArray) -> int:
    """Probe the longest prefix of ``deltas`` that fits and return its length."""
    lo, hi = probe.bounds(first, deltas)
    if hi > lo:
        if probe.add_window(first, deltas[:hi]):
            return hi
        probe.reset(mark)
        hi -= 1
        while lo < hi:  # the longest prefix that fits is in [lo, hi]
            mid = (lo + hi + 1) // 2
            fits = probe.add_window(first, deltas[:mid])
            probe.reset(mark)
            if fits:
                lo = mid
            else:
                hi = mid - 1
    if lo and not probe.add_window(first, deltas[:lo]):
        raise AssertionError("a prefix that fitted no longer fits")  # deterministic: never
    return lo


def _runs(slots: IntArray) -> list[tuple[int, int]]:
    """``[a, b)`` runs of consecutive slots in the sorted ``slots``."""
    if not len(slots):
        return []
    cuts = (np.flatnonzero(np.diff(slots) != 1) + 1).tolist()
    return [
        (int(slots[lo]), int(slots[hi - 1]) + 1)
        for lo, hi in zip([0, *cuts], [*cuts, len(slots)], strict=True)
    ]


def _deltas(energy: PlantEnergy, a: int, b: int, kw: float) -> FloatArray:
    """Extra litres burned in each slot of ``[a, b)`` with ``kw`` more load."""
    return energy.extra_burns(a, b, kw) if kw > 0 else np.zeros(b - a)


def _window(
    size: int,
    energy: PlantEnergy,
    probe: FuelProbe,
    slots: IntArray,
    step: Step,
    work: int,
    setup: int,
) -> list[tuple[int, int, int]] | None:
    """The one piece of an uninterruptible step: the earliest run of usable slots
    long enough, whose fuel lasts; None when there is none."""
    need = -(-(setup + work) // size)
    empty = probe.mark()
    for a, b in _runs(slots):
        if b - a < need:
            continue
        deltas = _deltas(energy, a, b, step.power_kw)
        hopeless = probe.hopeless(a, deltas)
        probe.rejected += int(np.count_nonzero(hopeless))
        for lo, hi in _runs(np.flatnonzero(~hopeless)):  # no window spans a hopeless slot
            for start in range(a + lo, a + hi - need + 1):
                if probe.add_window(start, deltas[start - a : start - a + need]):
                    begin = start * size
                    return [(begin, begin + setup + work, work)]
                probe.reset(empty)
    return None
