"""Generator start costs in the greedy dispatcher (``Generator.start_litres``).

A generator that runs in a slot and did not run in the slot before starts there and
burns its ``start_litres`` (``docs/plan-rules.md``, ``fuel-reserve``). The committed
burn of a slot is exact (:meth:`StartCosts.restate`); the extra burn of a candidate
load (:meth:`StartCosts.extra`) is an upper bound that holds for every sub-window of
the slots probed, so the fuel probe never lets a start under-count:

``extra(s) = fuel(need'(s)) + sum of st_i over i in G'(s) - (G(s-1) & G'(s-1))
+ sum of st_i over i in G(s+1) - G'(s) - burn(s)``,

with ``G`` the generators running under the committed load, ``G'`` under the load with
the candidate added, ``need'`` the deficit with it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ingenio.domain import Generator

FloatArray = npt.NDArray[np.float64]
_TOL = 1e-9


class StartCosts:
    """The start litres of one plant's generators and the sets that run per deficit."""

    def __init__(
        self,
        generators: tuple[Generator, ...],
        fuel: Callable[[float], float],
        outputs: Callable[[float], tuple[tuple[int, float], ...]],
    ) -> None:
        self.litres = [g.start_litres for g in generators]
        self.any = any(x > 0 for x in self.litres)
        self.fuel = fuel
        self.outputs = outputs

    def running(self, need: float) -> frozenset[int]:
        """Generators that run to cover ``need`` kW (none when nothing is lacking)."""
        if need <= _TOL:
            return frozenset()
        return frozenset(i for i, _ in self.outputs(need))

    def cost(self, generators: frozenset[int]) -> float:
        """Litres of starting ``generators``."""
        return sum(self.litres[i] for i in generators)

    def restate(
        self, load: FloatArray, base: FloatArray, burn: FloatArray, first: int, last: int
    ) -> None:
        """Exact burn (running plus starts) of the slots ``[first, last]`` after a commit."""
        n = len(load)
        for s in range(max(0, first), min(n, last + 1)):
            need = float(load[s] - base[s])
            now = self.running(need)
            before = self.running(float(load[s - 1] - base[s - 1])) if s else frozenset()
            burn[s] = self.fuel(need) + self.cost(now - before)

    def extra(
        self, load: FloatArray, base: FloatArray, burn: FloatArray, span: tuple[int, int], kw: float
    ) -> FloatArray:
        """Upper bound of the extra litres per slot of ``span`` (module docstring)."""
        first, last = span
        n = len(load)
        out = np.zeros(last - first)

        def old(s: int) -> frozenset[int]:
            if not 0 <= s < n:
                return frozenset()
            return self.running(float(load[s] - base[s]))

        def new(s: int) -> frozenset[int]:
            if not 0 <= s < n:
                return frozenset()
            return self.running(float(load[s] + kw - base[s]))

        for k, s in enumerate(range(first, last)):
            need = float(load[s] + kw - base[s])
            now = new(s)
            prev = old(s - 1) & new(s - 1) if s else frozenset()
            litres = self.fuel(need) + self.cost(now - prev)
            litres += self.cost(old(s + 1) - now)
            out[k] = litres - float(burn[s])
        return out
