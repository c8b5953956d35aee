"""Power and fuel bookkeeping for the greedy dispatcher.

Per plant: the committed load per slot, the generator commitment that covers
it, the fuel burned and the slack above the tank reserve. Per depot: the stock
per slot. A :class:`FuelProbe` checks, slot by slot, whether extra burn fits the
fuel trajectory of a plant, trucking fuel from the depots when it must.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ingenio.domain import Generator, GeneratorRun, Plant, Portfolio
from ingenio.domain.time import MINUTES_PER_HOUR
from ingenio.energy import PowerTimeline
from ingenio.planning.dispatch.starts import StartCosts
from ingenio.planning.genruns import earliest_load, shape_runs, slot_burn

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
TOL = 1e-9
"""Slack kept on every kW and litre comparison (the validator allows 1e-6)."""
_EXACT_MAX = 10
"""Generator sets are enumerated exactly up to this many generators per plant."""


def suffix_min(values: FloatArray) -> FloatArray:
    """``out[s] = min(values[s:])``."""
    return np.minimum.accumulate(values[::-1])[::-1].copy()


class Commitment:
    """Least-fuel generator set and outputs covering a deficit, memoised.

    For a set, every generator starts at its ``min_kw`` and the rest of the
    deficit goes to the lowest marginal fuel (``fuel_b``) first; the set with the
    least fuel wins (ties: fewer generators, then declaration order).
    """

    def __init__(
        self,
        generators: tuple[Generator, ...],
        slot_minutes: int,
        allowed: frozenset[int] | None = None,
    ) -> None:
        self.generators = generators
        self.slot_hours = slot_minutes / MINUTES_PER_HOUR
        self.total_kw = sum(g.rated_kw for g in generators)
        self._memo: dict[float, tuple[float, tuple[tuple[int, float], ...]]] = {}
        n = len(generators)
        if n <= _EXACT_MAX:
            sets = [c for k in range(1, n + 1) for c in itertools.combinations(range(n), k)]
        else:  # too many to enumerate: nested sets by fuel per rated kW
            gens = generators
            order = sorted(range(n), key=lambda i: (gens[i].fuel_a + gens[i].fuel_b, i))
            sets = [tuple(sorted(order[: k + 1])) for k in range(n)]
        if allowed is not None:  # generators that cannot carry load yet (warm-up)
            sets = [s for s in sets if allowed.issuperset(s)]
        self._sets = [(s, sum(generators[i].rated_kw for i in s)) for s in sets]

    def _solve(self, deficit: float) -> tuple[float, tuple[tuple[int, float], ...]]:
        best: tuple[float, int, tuple[int, ...], tuple[tuple[int, float], ...]] | None = None
        for members, rated in self._sets:
            if rated + TOL < deficit:
                continue
            outs = {i: self.generators[i].min_kw for i in members}
            rest = deficit - sum(outs.values())
            for i in sorted(members, key=lambda j: (self.generators[j].fuel_b, j)):
                if rest <= 0:
                    break
                g = self.generators[i]
                add = min(rest, g.rated_kw - outs[i])
                outs[i] += add
                rest -= add
            litres = sum(self.generators[i].litres_per_hour(o) for i, o in outs.items())
            key = (litres * self.slot_hours, len(members), members, tuple(sorted(outs.items())))
            if best is None or key[:3] < best[:3]:
                best = key
        if best is None:
            return float("inf"), ()
        return best[0], best[3]

    def fuel(self, deficit: float) -> float:
        """Litres burned in one slot to cover ``deficit`` kW (0 when <= 0, inf if impossible)."""
        if deficit <= TOL:
            return 0.0
        hit = self._memo.get(deficit)
        if hit is None:
            hit = self._memo[deficit] = self._solve(deficit)
        return hit[0]

    def outputs(self, deficit: float) -> tuple[tuple[int, float], ...]:
        """``(generator index, output kW)`` of the running generators for ``deficit``."""
        if deficit <= TOL:
            return ()
        self.fuel(deficit)
        return self._memo[deficit][1]


@dataclass
class DepotPool:
    """Stock of every depot per slot start, after the transfers planned so far."""

    ids: tuple[str, ...]
    level: list[FloatArray]
    sufmin: list[FloatArray]
    total: FloatArray
    """Sum over depots of ``sufmin``: the most all depots can give by each slot."""

    @classmethod
    def build(cls, portfolio: Portfolio) -> DepotPool:
        """Depot stock plus deliveries expected at or before each slot start."""
        size, n = portfolio.horizon.slot_minutes, portfolio.horizon.slots
        levels: list[FloatArray] = []
        for depot in portfolio.depots:
            arr = np.full(n, float(depot.stock_l))
            for d in portfolio.deliveries_to(depot.id):
                first = max(0, -(-d.expected // size))
                if first < n:
                    arr[first:] += d.litres
            levels.append(arr)
        sufmin = [suffix_min(a) for a in levels]
        return cls(tuple(d.id for d in portfolio.depots), levels, sufmin, _total(sufmin, n))

    def any_fuel(self) -> bool:
        """True when some depot will ever have fuel to give."""
        return any(float(m[-1]) > TOL for m in self.sufmin)

    def take(self, depot: int, slot: int, litres: float) -> None:
        """Book ``litres`` out of ``depot`` from ``slot`` on."""
        self.level[depot][slot:] -= litres
        self.sufmin[depot] = suffix_min(self.level[depot])
        self.total = _total(self.sufmin, len(self.total))

    def snapshot(self) -> list[FloatArray]:
        """Copy of the levels, for :meth:`restore`."""
        return [a.copy() for a in self.level]

    def restore(self, saved: list[FloatArray]) -> None:
        """Go back to a :meth:`snapshot`."""
        self.level = [a.copy() for a in saved]
        self.sufmin = [suffix_min(a) for a in self.level]
        self.total = _total(self.sufmin, len(self.total))


def _total(arrays: list[FloatArray], n: int) -> FloatArray:
    """Element-wise sum of ``arrays`` (zeros when there are none)."""
    out = np.zeros(n)
    for a in arrays:
        out += np.maximum(a, 0.0)
    return out


Transfer = tuple[int, int, float]
"""``(depot index, slot, litres)``: a truck arriving at the start of ``slot``."""


class PlantEnergy:
    """Committed load, generator burn and fuel slack of one plant, per slot."""

    def __init__(self, plant: Plant, timeline: PowerTimeline) -> None:
        self.plant = plant
        self.timeline = timeline
        self.base: FloatArray = timeline.grid_kw + timeline.solar_kw + timeline.battery_kw
        self.gen_ok: BoolArray = (timeline.grid_kw <= 0.0) & (timeline.generator_kw > 0.0)
        self.gen_kw = float(timeline.generator_kw.max()) if timeline.slots else 0.0
        self.commitment = Commitment(plant.generators, timeline.slot_minutes)
        n = timeline.slots
        self.load: FloatArray = np.zeros(n)
        self.burn: FloatArray = np.zeros(n)
        self.cumburn: FloatArray = np.zeros(n)
        self.avail: FloatArray = timeline.fuel_l.copy()
        self.sufmin: FloatArray = suffix_min(self.avail)
        self.capacity = plant.tank.capacity_l if plant.tank else 0.0
        self.reserve = plant.tank.reserve_l if plant.tank else 0.0
        self.transfers: list[Transfer] = []
        self.starts = StartCosts(plant.generators, self.commitment.fuel, self.commitment.outputs)
        self.timed = any(g.timed for g in plant.generators)
        """Starts take time or runs have a minimum length: the burn of the shaped runs
        (``planning/genruns.py``) is recomputed exactly on every commit."""
        self.gen_cap: FloatArray = np.full(n, self.gen_kw)
        self._by_slot: list[Commitment] = []
        self._which: npt.NDArray[np.int64] = np.zeros(n, dtype=np.int64)
        self._margin = 0
        if self.timed:
            self._timed_setup(n, timeline.slot_minutes)

    def _timed_setup(self, n: int, size: int) -> None:
        """One commitment per set of generators that can carry load (a generator
        cannot before its first warm-up ends, ``start_minutes`` after the origin)."""
        gens = self.plant.generators
        first = [-(-earliest_load(g) // size) for g in gens]
        memo: dict[frozenset[int], int] = {}
        for s in range(n):
            allowed = frozenset(i for i in range(len(gens)) if first[i] <= s)
            if allowed not in memo:
                memo[allowed] = len(self._by_slot)
                self._by_slot.append(Commitment(gens, size, allowed))
            self._which[s] = memo[allowed]
            self.gen_cap[s] = min(self.gen_kw, sum(gens[i].rated_kw for i in allowed))
        # slots beyond which a load change cannot move a warm-up, a minimum run or a
        # bridged stop (the window of :meth:`extra_burns`)
        reach = max(g.start_minutes for g in gens) + max(g.min_run_minutes for g in gens)
        self._margin = -(-reach // size) + 2

    def slot_runs(self, load: FloatArray, lo: int = 0, hi: int | None = None) -> list[GeneratorRun]:
        """Runs at slot grain carrying ``load`` in slots ``[lo, hi)``, not yet shaped:
        per slot the least-fuel commitment of the generators available there."""
        size = self.timeline.slot_minutes
        hi = self.timeline.slots if hi is None else hi
        gens = self.plant.generators
        deficit = load[lo:hi] - self.base[lo:hi]
        idx = np.flatnonzero(deficit > TOL)
        if not len(idx):
            return []
        which = self._which[lo:hi][idx]
        outs = np.full((len(gens), len(idx)), np.nan)
        for c in np.unique(which).tolist():  # few: one per set of available generators
            mask = which == c
            values, inv = np.unique(deficit[idx][mask], return_inverse=True)
            table = np.full((len(gens), len(values)), np.nan)
            for k, v in enumerate(values.tolist()):
                for i, kw in self._by_slot[c].outputs(v):
                    table[i, k] = kw
            outs[:, mask] = table[:, inv.reshape(-1)]
        runs: list[GeneratorRun] = []
        for i, g in enumerate(gens):
            on = ~np.isnan(outs[i])
            if not on.any():
                continue
            slots, kws = idx[on] + lo, outs[i][on]
            cut = np.flatnonzero((np.diff(slots) != 1) | (np.diff(kws) != 0)) + 1
            for a, b in zip([0, *cut.tolist()], [*cut.tolist(), len(slots)], strict=True):
                start, end = int(slots[a]) * size, (int(slots[b - 1]) + 1) * size
                runs.append(GeneratorRun(g.id, start, end, float(kws[a])))
        return runs

    def shaped_runs(self) -> list[GeneratorRun]:
        """The committed runs as the plan gives them (minimum runs, bridged stops)."""
        by_id = {g.id: g for g in self.plant.generators}
        horizon = self.timeline.slots * self.timeline.slot_minutes
        return shape_runs(by_id, self.slot_runs(self.load), horizon)

    def _exact(self, load: FloatArray, lo: int = 0, hi: int | None = None) -> FloatArray:
        """Exact burn per slot of the shaped runs carrying ``load`` in ``[lo, hi)``
        (all slots; near the ends of a window it is the window's, not the plant's)."""
        size, n = self.timeline.slot_minutes, self.timeline.slots
        by_id = {g.id: g for g in self.plant.generators}
        runs = shape_runs(by_id, self.slot_runs(load, lo, hi), n * size)
        return slot_burn(by_id, runs, size, n)

    def fuel_short(self) -> bool:
        """True when the committed burn dips into the reserve somewhere (exact)."""
        slack = self.avail - self.cumburn
        return bool(np.any((slack < -TOL) & (self.cumburn > TOL)))

    def power_ok(self, start: int, kw: float) -> BoolArray:
        """Slots from ``start`` that can carry ``kw`` more (fuel not checked)."""
        deficit = self.load[start:] + kw - self.base[start:]
        return (deficit <= TOL) | (self.gen_ok[start:] & (deficit <= self.gen_cap[start:] + TOL))

    def extra_burn(self, slot: int, kw: float) -> float:
        """Litres more burned in ``slot`` if ``kw`` more load runs in it."""
        if self.timed:
            return float(self.extra_burns(slot, slot + 1, kw)[0])
        if self.starts.any:
            return float(self.extra_burns(slot, slot + 1, kw)[0])
        need = float(self.load[slot] + kw - self.base[slot])
        if need <= TOL:
            return 0.0
        return self.commitment.fuel(need) - float(self.burn[slot])

    def extra_burns(self, first: int, last: int, kw: float) -> FloatArray:
        """:meth:`extra_burn` for each slot of ``[first, last)``.

        With timed generators: the exact change of the whole plant's burn, what changes
        before the window counted in its first slot and after it in its last (an
        estimate for the probe; the order's commit is checked exactly)."""
        if self.timed:  # both in the same window: what its edges add cancels out
            lo, hi = max(0, first - 2 * self._margin), min(len(self.load), last + 2 * self._margin)
            load = self.load.copy()
            load[first:last] += kw
            diff = self._exact(load, lo, hi) - self._exact(self.load, lo, hi)
            out = diff[first:last].copy()
            out[0] += float(diff[:first].sum())
            out[-1] += float(diff[last:].sum())
            return out
        if self.starts.any:
            return self.starts.extra(self.load, self.base, self.burn, (first, last), kw)
        out = np.zeros(last - first)
        need = self.load[first:last] + kw - self.base[first:last]
        idx = np.flatnonzero(need > TOL)
        if len(idx):
            values, where = np.unique(need[idx], return_inverse=True)
            fuel = np.array([self.commitment.fuel(float(v)) for v in values])
            out[idx] = fuel[where] - self.burn[first:last][idx]
        return out

    def add_load(self, first: int, last: int, kw: float) -> None:
        """Commit ``kw`` over slots ``[first, last)`` and re-solve their generators."""
        self.load[first:last] += kw
        if self.timed:  # exact: the whole plant
            self.burn = self._exact(self.load)
        else:
            for s in range(first, last):
                self.burn[s] = self.commitment.fuel(float(self.load[s] - self.base[s]))
        if self.starts.any and not self.timed:
            self.starts.restate(self.load, self.base, self.burn, first, last)
        self.cumburn = np.cumsum(self.burn)
        self.sufmin = suffix_min(self.avail - self.cumburn)

    def room(self, slot: int) -> float:
        """Litres a truck at ``slot`` can bring without overfilling the tank right after
        it or right after any later truck of the plant (committed burn)."""
        levels = self.level_start(self.cumburn, self.avail)
        later = [t for _, t, _ in self.transfers if t > slot]
        top = max([float(levels[slot]), *(float(levels[t]) for t in later)])
        return max(0.0, self.capacity - top)

    def add_transfer(self, transfer: Transfer) -> None:
        """Commit a truck of fuel into the tank."""
        self.transfers.append(transfer)
        self.avail[transfer[1] :] += transfer[2]
        self.sufmin = suffix_min(self.avail - self.cumburn)

    def level_start(self, cumburn: FloatArray, avail: FloatArray) -> FloatArray:
        """Tank litres at each slot start (after arrivals, before the slot's burn)."""
        before = np.concatenate(([0.0], cumburn[:-1]))
        return self.reserve + avail - before

    def snapshot(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, int]:
        """Copy of the mutable state, for :meth:`restore`."""
        return (
            self.load.copy(),
            self.burn.copy(),
            self.cumburn.copy(),
            self.avail.copy(),
            len(self.transfers),
        )

    def restore(self, saved: tuple[FloatArray, FloatArray, FloatArray, FloatArray, int]) -> None:
        """Go back to a :meth:`snapshot`."""
        load, burn, cumburn, avail, count = saved
        self.load, self.burn, self.cumburn, self.avail = (
            load.copy(),
            burn.copy(),
            cumburn.copy(),
            avail.copy(),
        )
        del self.transfers[count:]
        self.sufmin = suffix_min(self.avail - self.cumburn)

    def plan_transfers(self, extra: FloatArray, depots: DepotPool) -> list[Transfer] | None:
        """Trucks that keep the tank above reserve with ``extra`` burn, or None.

        Only slots after some burn count (a tank that starts under its reserve
        breaks no rule until a generator burns from it). Each shortfall is covered
        at the start of the first slot that would go below the reserve (where the
        tank has most room), by the depot with most fuel to spare from then on,
        without overfilling the tank right after this or any later transfer of
        the plant; what does not fit is trucked again at the next shortfall.
        """
        cumburn = self.cumburn + np.cumsum(extra)
        avail = self.avail.copy()
        slack = avail - cumburn
        levels = self.level_start(cumburn, avail)
        spare = [m.copy() for m in depots.sufmin]
        later = sorted({t[1] for t in self.transfers})
        out: list[Transfer] = []
        while True:
            short = np.flatnonzero((slack < -TOL) & (cumburn > TOL))
            if not len(short):
                return out
            s = int(short[0])
            need = -float(slack[s:].min())
            cap = self.capacity - float(levels[s])
            for t in later:
                if t > s:
                    cap = min(cap, self.capacity - float(levels[t]))
            best = max(range(len(spare)), key=lambda d: (float(spare[d][s]), -d), default=None)
            if best is None or cap <= TOL or spare[best][s] <= TOL:
                return None
            x = min(need, cap, float(spare[best][s]))
            slack[s:] += x
            levels[s:] += x
            spare[best][s:] -= x
            spare[best][:s] = np.minimum(spare[best][:s], spare[best][s])
            out.append((best, s, x))


ProbeMark = tuple[FloatArray, FloatArray, FloatArray, float, int, list[Transfer]]
"""What :meth:`FuelProbe.mark` returns."""


class FuelProbe:
    """Checks extra burn, in time order, against one plant's fuel trajectory.

    ``slack`` is the baseline litres above the reserve per slot (committed plan,
    plus the trucks planned by this probe); ``used`` is the extra burn added
    since that baseline. Burn added in a slot lowers every later level, so it
    fits without new trucks when ``used + delta <= sufmin[slot]`` (the least
    future slack), and cannot fit even with every depot's spare fuel when
    ``used + delta > reach[slot]`` (the least future slack plus depot spare).
    In between, the trucks for all the probed burn are re-planned and the
    baseline rebuilt with them.
    """

    def __init__(self, energy: PlantEnergy, depots: DepotPool) -> None:
        self.energy = energy
        self.depots = depots
        self.depots_have_fuel = depots.any_fuel()
        self.used = 0.0
        self.extra: list[tuple[int, float]] = []
        self.transfers: list[Transfer] = []
        self.rejected = 0
        self._rebase(energy.avail - energy.cumburn, energy.sufmin)

    def _rebase(self, slack: FloatArray, sufmin: FloatArray) -> None:
        self.slack, self.sufmin = slack, sufmin
        self.reach = suffix_min(slack + self.depots.total) if self.depots_have_fuel else sufmin

    def mark(self) -> ProbeMark:
        """State to go back to with :meth:`reset`."""
        return self.slack, self.sufmin, self.reach, self.used, len(self.extra), self.transfers

    def reset(self, mark: ProbeMark) -> None:
        """Forget what was probed after ``mark``."""
        self.slack, self.sufmin, self.reach, self.used, count, self.transfers = mark
        del self.extra[count:]

    def hopeless(self, first: int, deltas: FloatArray) -> BoolArray:
        """Slots from ``first`` where ``deltas`` alone, after what is probed, cannot fit."""
        end = first + len(deltas)
        return (deltas > 0.0) & (self.used + deltas > self.reach[first:end] + TOL)

    def bounds(self, first: int, deltas: FloatArray) -> tuple[int, int]:
        """``(lo, hi)``: prefixes of ``deltas`` up to ``lo`` long fit without new
        trucks; none longer than ``hi`` can fit at all."""
        burning = np.flatnonzero(deltas > 0.0)
        used = self.used + np.cumsum(deltas)[burning]
        at = burning + first
        bad = np.flatnonzero(used > self.sufmin[at] + TOL)
        lo = int(burning[bad[0]]) if len(bad) else len(deltas)
        bad = np.flatnonzero(used > self.reach[at] + TOL)
        return lo, int(burning[bad[0]]) if len(bad) else len(deltas)

    def add_window(self, first: int, deltas: FloatArray) -> bool:
        """Probe ``deltas`` more litres over consecutive slots from ``first``.

        True (and the burn is kept) when the tank stays above its reserve from
        each burning slot on, with trucks from the depots if need be.
        """
        burning = np.flatnonzero(deltas > 0.0)
        if not len(burning):
            return True
        used = self.used + np.cumsum(deltas)[burning]
        at = burning + first
        if np.all(used <= self.sufmin[at] + TOL):
            self.used = float(used[-1])
            self.extra.extend(zip(at.tolist(), deltas[burning].tolist(), strict=True))
            return True
        if not self.depots_have_fuel or np.any(used > self.reach[at] + TOL):
            self.rejected += 1
            return False
        extra = np.zeros(self.energy.timeline.slots)
        for s, d in self.extra:
            extra[s] += d
        extra[first : first + len(deltas)] += deltas
        plan = self.energy.plan_transfers(extra, self.depots)
        if plan is None:
            self.rejected += 1
            return False
        self.extra.extend(zip(at.tolist(), deltas[burning].tolist(), strict=True))
        self.transfers = plan
        slack = self.energy.avail - self.energy.cumburn - np.cumsum(extra)
        for _, s, x in plan:
            slack[s:] += x
        self._rebase(slack, suffix_min(slack))
        self.used = 0.0
        return True
