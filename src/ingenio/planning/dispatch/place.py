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
        # Lines that only ordered products of one family may use: there a step waives
        # its setup after any earlier operation on the line (docs/plan-rules.md).
        families: dict[str, set[str]] = {}
        for pid in dict.fromkeys(o.product_id for o in portfolio.orders):
            product = portfolio.product(pid)
            for st in product.routing:
                for line_id in st.lines:
                    families.setdefault(line_id, set()).add(product.family)
        self.single = {line_id for line_id, fams in families.items() if len(fams) == 1}
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

    def warm_from(self, line_id: str) -> int | None:
        """First slot from which a step on ``line_id`` waives its setup: just after
        the line's first booked operation, on a line only one family uses (every
        operation there then follows one of its family, and no later booking can
        come between of another family); None elsewhere (every step pays)."""
        if line_id not in self.single:
            return None
        busy = np.flatnonzero(self.busy[line_id])
        if not len(busy):
            return None
        idle = np.flatnonzero(~self.busy[line_id][busy[0] :])
        return int(busy[0] + idle[0]) if len(idle) else self.n

    def book(self, line_id: str, step: Step, first: int, last: int) -> None:
        """Occupy the line and the step's resources over slots ``[first, last)``."""
        self.busy[line_id][first:last] = True
        for rid, units in step.resources.items():
            self.used[rid][first:last] += units

    def snapshot(
        self, line_ids: set[str], resource_ids: set[str]
    ) -> tuple[dict[str, BoolArray], dict[str, IntArray]]:
        """Copies of some lines' busy slots and resources' held units."""
        busy = {k: self.busy[k].copy() for k in line_ids}
        return busy, {k: self.used[k].copy() for k in resource_ids}

    def restore(self, saved: tuple[dict[str, BoolArray], dict[str, IntArray]]) -> None:
        """Go back to a :meth:`snapshot`."""
        self.busy.update(saved[0])
        self.used.update(saved[1])


def place(
    shop: Shop,
    energy: PlantEnergy,
    depots: DepotPool,
    line_id: str,
    step: Step,
    quantity: float,
    ready: int,
    setup: int | None = None,
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
    setup : int or None
        Setup minutes of the first piece (None: the step's own ``setup_minutes``).

    Returns
    -------
    tuple of (Placement or None, int)
        The placement (None when the step cannot finish within the horizon) and
        how many slots (or windows) were refused because the fuel would not last.
    """
    if ready >= shop.n:
        return None, 0
    ok = shop.free(line_id, step, ready) & energy.power_ok(ready, step.power_kw)
    slots = np.flatnonzero(ok) + ready
    probe = FuelProbe(energy, depots)
    work = step.run_minutes(quantity)
    overhead = step.setup_minutes if setup is None else setup
    if step.interruptible:
        pieces = _pieces(shop.size, energy, probe, slots, step, work, overhead)
    else:
        pieces = _window(shop.size, energy, probe, slots, step, work, overhead)
    if pieces is None:
        return None, probe.rejected
    return Placement(line_id, pieces, list(probe.transfers)), probe.rejected


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
