"""Generator starts in the plant-level CP-SAT model: what a start costs and forces.

Private helper of :mod:`ingenio.planning.schedule`. In the model a generator runs or
not in each of its slots; a *block* is a maximal chain of touching slots where it runs,
and a *start* is the first slot of a block. The plan builder (``plan.py``) gives a
generator at most one stretch of running per block, inside the block, so the plan's
starts are never more than the model's and every litre it burns was charged:

* each model start is charged ``start_litres`` plus the warm-up's litres (rows of the
  checkpoints its crank may come before: at the latest ``start_minutes`` before the
  slot begins);
* a block lasts ``min_run_minutes`` (or reaches the end of the horizon), so the plan's
  stretch can meet its minimum run inside the block;
* a start's warm-up cannot overlap the block before it: the slots ending less than
  ``start_minutes`` before a start are off.

The same rules turn a warm start's outputs into a model solution (:func:`conform`) and
count its fuel (:func:`row_burns`), so the repaired hint is feasible by construction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["GenStarts", "blocks", "conform", "row_burns", "start_rules", "started"]


@dataclass(frozen=True)
class GenStarts:
    """The start rules of one generator over the model's slots.

    Attributes
    ----------
    cost
        Fuel units of one start (its litres and its warm-up), rounded up.
    lead
        ``start_minutes``: the crank comes this long before the load.
    min_run
        ``min_run_minutes``.
    prev
        Per slot, the slot just before when it touches this one, else None.
    allowed
        Per slot, whether the generator may run in it (its first warm-up fits after
        minute 0).
    need
        Per slot, the later slots that must run when the generator starts in it (its
        minimum run); None when a block starting there cannot last long enough.
    clear
        Per slot, the earlier slots that must be off when it starts in it (they end
        less than ``lead`` minutes before).
    """

    cost: int
    lead: int
    min_run: int
    prev: tuple[int | None, ...]
    allowed: tuple[bool, ...]
    need: tuple[tuple[int, ...] | None, ...]
    clear: tuple[tuple[int, ...], ...]

    @property
    def counted(self) -> bool:
        """Whether the model needs start literals for this generator."""
        return self.cost > 0 or self.lead > 0 or self.min_run > 0

    @property
    def timed(self) -> bool:
        """Whether starts force anything beyond their fuel."""
        return self.lead > 0 or self.min_run > 0


def start_rules(
    slots: Sequence[tuple[int, int]], cost: int, lead: int, min_run: int, horizon: int
) -> GenStarts:
    """The :class:`GenStarts` of a generator with start ``cost`` (fuel units),
    ``start_minutes`` ``lead`` and ``min_run_minutes`` ``min_run``."""
    n = len(slots)
    prev = tuple(c - 1 if c > 0 and slots[c - 1][1] == slots[c][0] else None for c in range(n))
    allowed = tuple(a >= lead for a, _ in slots)
    need: list[tuple[int, ...] | None] = []
    clear: list[tuple[int, ...]] = []
    for c, (a, _) in enumerate(slots):
        j, chain = c, []
        while slots[j][1] - a < min_run and j + 1 < n and prev[j + 1] == j:
            j += 1
            chain.append(j)
        long_enough = slots[j][1] - a >= min_run or slots[j][1] >= horizon
        need.append(tuple(chain) if long_enough else None)
        x = c - 1  # slots are in time order: walk back while they end too late
        while x >= 0 and slots[x][1] > a - lead:
            x -= 1
        clear.append(tuple(range(x + 1, c)))
    return GenStarts(cost, lead, min_run, prev, allowed, tuple(need), tuple(clear))


def started(rule: GenStarts, on: set[int]) -> list[int]:
    """The slots of ``on`` where the generator starts (no running slot touches before)."""
    return sorted(c for c in on if rule.prev[c] is None or rule.prev[c] not in on)


def blocks(slots: Sequence[tuple[int, int]], on: set[int]) -> list[tuple[int, int]]:
    """``(start, end)`` minutes of the blocks of touching running slots ``on``."""
    out: list[tuple[int, int]] = []
    for c in sorted(on):
        a, b = slots[c]
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def charged(slots: Sequence[tuple[int, int]], rule: GenStarts, c: int, n: int, at: int) -> bool:
    """Whether a start in slot ``c`` is charged at the checkpoint at minute ``at`` whose
    row holds the first ``n`` slots: its crank may come before ``at``."""
    return c < n or slots[c][0] - rule.lead < at


def row_burns(
    slots: Sequence[tuple[int, int]],
    rules: Sequence[GenStarts],
    checkpoints: Sequence[tuple[int, int]],
    at: Sequence[int],
    running: Sequence[Mapping[int, int]],
) -> list[int]:
    """Fuel units the model charges at each checkpoint ``(n, rhs)`` (minute ``at``):
    ``running[g][c]`` (the running burn of generator ``g`` in slot ``c``) over the first
    ``n`` slots, plus the starts charged there."""
    out = []
    for (n, _), t in zip(checkpoints, at, strict=True):
        burn = 0
        for rule, mine in zip(rules, running, strict=True):
            burn += sum(units for c, units in mine.items() if c < n)
            if rule.cost > 0:
                burn += rule.cost * sum(
                    1 for c in started(rule, set(mine)) if charged(slots, rule, c, n, t)
                )
        out.append(burn)
    return out


def conform(
    rules: Sequence[GenStarts], lows: Sequence[int], levels: Mapping[tuple[int, int], int]
) -> tuple[dict[tuple[int, int], int], set[int]]:
    """Outputs per ``(generator, slot)`` that keep the start rules, and the slots whose
    load cannot be carried so (empty when it can).

    A block too short for its minimum run runs on into the slots after it (at the
    generator's minimum load ``lows[g]``), or else begins earlier; a block starting too
    soon after another one is joined to it. Slots are only switched on, never off.
    """
    out = {k: v for k, v in levels.items() if v > 0}
    for g, rule in enumerate(rules):
        if not rule.timed:
            continue
        while True:
            on = {c for (h, c) in out if h == g}
            add, bad = _fix(rule, on)
            if bad:
                return out, bad
            if not add:
                break
            for c in add:
                out[g, c] = lows[g]
    return out, set()


def _fix(rule: GenStarts, on: set[int]) -> tuple[list[int], set[int]]:
    """Slots to switch on to mend the first broken start, or the block that cannot be
    mended (both empty: every start keeps the rules)."""
    for c in started(rule, on):
        block = {c}
        while c + len(block) in on and rule.prev[c + len(block)] == c + len(block) - 1:
            block.add(c + len(block))
        close = [x for x in rule.clear[c] if x in on]
        if close:
            gap = range(min(close) + 1, c)
            if all(rule.prev[y] == y - 1 and rule.allowed[y] for y in [*gap, c]):
                return [y for y in gap if y not in on], set()
            return [], block
        need = rule.need[c]
        if need is None:
            p = rule.prev[c]
            if p is not None and rule.allowed[p]:
                return [p], set()
            return [], block
        missing = [y for y in need if y not in on]
        if missing:
            return missing, set()
    return [], set()
