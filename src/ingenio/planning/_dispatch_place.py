"""Where one step of an order can run on one line: the dispatcher's search.

Time is cut in slots. A slot is usable on a line when it lies inside a shift,
the line is free, the step's shared resources have room and the plant has the
power (grid and solar headroom, or generators when the grid is off). Fuel is
probed slot by slot in time order (:class:`FuelProbe`), since burning now
lowers the tank for the rest of the horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ingenio.domain import Portfolio, Resource, Step
from ingenio.planning._dispatch_power import (
    BoolArray,
    DepotPool,
    FuelProbe,
    PlantEnergy,
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
                for w in line.shifts:
                    mask |= (starts >= w.start) & (starts + self.size <= w.end)
                self.shift[line.id] = mask
                self.busy[line.id] = np.zeros(self.n, dtype=np.bool_)
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
) -> tuple[Placement | None, int]:
    """Earliest placement of ``step`` on ``line_id`` starting at slot ``ready`` or later.

    Returns
    -------
    tuple
        The placement (None when the step cannot finish within the horizon) and
        the number of slots refused because the plant's fuel would not last.
    """
    if ready >= shop.n:
        return None, 0
    ok = shop.free(line_id, step, ready) & energy.power_ok(ready, step.power_kw)
    slots = np.flatnonzero(ok) + ready
    probe = FuelProbe(energy, depots)
    work = step.run_minutes(quantity)
    if step.interruptible:
        pieces = _pieces(shop.size, energy, probe, slots, step, work)
    else:
        pieces = _window(shop.size, energy, probe, slots, step, work)
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
) -> list[tuple[int, int, int]] | None:
    """Pieces of an interruptible step over the usable ``slots`` (sorted), or None.

    A piece grows over consecutive slots while the fuel lasts; a piece too short
    to make progress after its setup or restart is dropped and its fuel given back.
    """
    kw = step.power_kw
    out: list[tuple[int, int, int]] = []
    overhead = step.setup_minutes
    first, count = -1, 0
    mark = probe.mark()

    def close() -> None:
        nonlocal overhead, work
        made = count * size - overhead
        if made > 0:
            out.append((first * size, (first + count) * size, made))
            work -= made
            overhead = step.restart_minutes
        else:
            probe.reset(mark)

    for s in slots.tolist():
        if count and s != first + count:
            close()
            count = 0
        if not count:
            mark = probe.mark()
        if not probe.add(s, energy.extra_burn(s, kw) if kw > 0 else 0.0):
            if count:
                close()
            count = 0
            continue
        if not count:
            first = s
        count += 1
        if count * size >= overhead + work:
            start = first * size
            out.append((start, start + overhead + work, work))
            return out
    return None


def _window(
    size: int,
    energy: PlantEnergy,
    probe: FuelProbe,
    slots: IntArray,
    step: Step,
    work: int,
) -> list[tuple[int, int, int]] | None:
    """The one piece of an uninterruptible step: the earliest run of usable slots
    long enough, whose fuel lasts; None when there is none."""
    need = math.ceil((step.setup_minutes + work) / size)
    if len(slots) < need:
        return None
    breaks = np.flatnonzero(np.diff(slots) != 1) + 1
    cuts = breaks.tolist()
    bounds = zip([0, *cuts], [*cuts, len(slots)], strict=True)
    empty = probe.mark()
    for lo, hi in bounds:
        if hi - lo < need:
            continue
        a, b = int(slots[lo]), int(slots[hi - 1]) + 1
        deltas = np.zeros(b - a)
        if step.power_kw > 0:
            for s in range(a, b):
                deltas[s - a] = energy.extra_burn(s, step.power_kw)
        for start in range(a, b - need + 1):
            window = deltas[start - a : start - a + need]
            if probe.add_window(start, window):
                begin = start * size
                return [(begin, begin + step.setup_minutes + work, work)]
            probe.reset(empty)
    return None
