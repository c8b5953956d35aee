"""Typed what-if perturbations of a portfolio, and the parser of their CLI spellings.

Each perturbation is a frozen dataclass whose ``apply(portfolio)`` returns a new,
validated :class:`~ingenio.domain.Portfolio`; nothing is changed in place. A
perturbation that does not fit the portfolio (an unknown delivery, a generator
of another plant, a factor of zero) raises :class:`PerturbationError`, whose
message names the command-line option and the value given, e.g.
``--tanker-delay 'T9=9d': no fuel delivery 'T9' (known: T1, T2)``.

Pure: no IO; time is integer minutes from the portfolio's origin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from ingenio.domain import (
    MINUTES_PER_DAY,
    MINUTES_PER_HOUR,
    Block,
    FuelDelivery,
    OutageWindow,
    Plant,
    Portfolio,
    Window,
)
from ingenio.errors import IngenioError

__all__ = [
    "DeficitScale",
    "ExtraFuel",
    "GeneratorDown",
    "Perturbation",
    "PerturbationError",
    "PlantDown",
    "TankerDelay",
    "apply_all",
    "format_duration",
]


class PerturbationError(IngenioError, ValueError):
    """A perturbation that cannot be built or applied; names the option and the value."""

    def __init__(self, option: str, value: object, reason: str) -> None:
        self.option = option
        self.value = value
        self.reason = reason
        super().__init__(f"{option} {value!r}: {reason}")


class Perturbation(Protocol):
    """A change to a portfolio: ``apply`` returns the changed copy."""

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """The perturbed portfolio (raises :class:`PerturbationError` when it does not fit)."""
        ...

    def describe(self) -> str:
        """A few words for tables and reports."""
        ...


def _known(ids: Iterable[str]) -> str:
    shown = sorted(ids)
    return ", ".join(shown[:12]) + (", ..." if len(shown) > 12 else "") if shown else "none"


def _replace_plant(portfolio: Portfolio, plant: Plant) -> Portfolio:
    plants = tuple(plant if p.id == plant.id else p for p in portfolio.plants)
    return dataclasses.replace(portfolio, plants=plants)


@dataclass(frozen=True)
class TankerDelay:
    """A fuel delivery arrives ``minutes`` later (negative: earlier).

    ``expected``, ``earliest`` and ``latest`` all move by ``minutes``.
    """

    delivery_id: str
    minutes: int
    option: ClassVar[str] = "--tanker-delay"

    def spec(self) -> str:
        """The CLI spelling, ``ID=DURATION``."""
        return f"{self.delivery_id}={format_duration(self.minutes)}"

    def describe(self) -> str:
        """``T2 arrives 9d later``."""
        later = "later" if self.minutes >= 0 else "earlier"
        return f"{self.delivery_id} arrives {format_duration(abs(self.minutes))} {later}"

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """Move the delivery; raises when no delivery has ``delivery_id``."""
        ids = [d.id for d in portfolio.deliveries]
        if self.delivery_id not in ids:
            raise PerturbationError(
                self.option, self.spec(), f"no fuel delivery {self.delivery_id!r} (known: "
                f"{_known(ids)})"
            )  # fmt: skip
        m = self.minutes
        moved = next(d for d in portfolio.deliveries if d.id == self.delivery_id)
        if moved.expected + m < 0:
            days = moved.expected // (24 * 60)
            raise PerturbationError(
                self.option, self.spec(), f"{self.delivery_id} would arrive before the plan "
                f"starts; it can arrive at most {days} day(s) earlier"
            )  # fmt: skip
        if abs(m) > portfolio.horizon.minutes + 366 * 24 * 60:
            raise PerturbationError(
                self.option, self.spec(), "a delay must stay within the plan's horizon "
                f"plus a year ({(portfolio.horizon.minutes // 1440) + 366} days)"
            )  # fmt: skip
        deliveries = tuple(
            dataclasses.replace(d, expected=d.expected + m, earliest=d.earliest + m,
                                latest=d.latest + m) if d.id == self.delivery_id else d
            for d in portfolio.deliveries
        )  # fmt: skip
        return dataclasses.replace(portfolio, deliveries=deliveries)


@dataclass(frozen=True)
class DeficitScale:
    """A deeper (``factor > 1``) or shallower (``factor < 1``) deficit: longer grid cuts.

    Every outage window of every block keeps its start and has its length
    multiplied by ``factor`` (rounded to the minute, at least one minute), so
    the grid-off hours scale by about ``factor``. A window is not stretched past
    the horizon end (unless it already ended after it). Windows that then
    overlap are merged into one that keeps the higher probability.
    """

    factor: float
    option: ClassVar[str] = "--deficit-scale"

    def describe(self) -> str:
        """``outage hours x1.3``."""
        return f"outage hours x{self.factor:g}"

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """Scale every block's windows; raises when ``factor`` is not positive."""
        if not self.factor > 0:
            raise PerturbationError(self.option, self.factor, "the factor must be positive")
        end = portfolio.horizon.minutes
        blocks = tuple(_scale_block(b, self.factor, end) for b in portfolio.blocks)
        return dataclasses.replace(portfolio, blocks=blocks)


def _scale_block(block: Block, factor: float, horizon_end: int) -> Block:
    stretched: list[OutageWindow] = []
    for o in sorted(block.outages, key=lambda o: o.window):
        w = o.window
        new_end = w.start + max(1, round(w.minutes * factor))
        if factor > 1:
            new_end = min(new_end, max(w.end, horizon_end))
        stretched.append(OutageWindow(Window(w.start, new_end), o.probability))
    merged: list[OutageWindow] = []
    for o in stretched:
        if merged and o.window.start < merged[-1].window.end:
            last = merged[-1]
            window = Window(last.window.start, max(last.window.end, o.window.end))
            merged[-1] = OutageWindow(window, max(last.probability, o.probability))
        else:
            merged.append(o)
    return dataclasses.replace(block, outages=tuple(merged))


@dataclass(frozen=True)
class GeneratorDown:
    """A generator of a plant is out of service for the whole horizon."""

    plant_id: str
    generator_id: str
    option: ClassVar[str] = "--generator-down"

    def spec(self) -> str:
        """The CLI spelling, ``PLANT/GEN``."""
        return f"{self.plant_id}/{self.generator_id}"

    def describe(self) -> str:
        """``generator G1 of P1 down``."""
        return f"generator {self.generator_id} of {self.plant_id} down"

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """Remove the generator from its plant; raises for an unknown plant or generator."""
        if not portfolio.has("plant", self.plant_id):
            known = _known(p.id for p in portfolio.plants)
            raise PerturbationError(
                self.option, self.spec(), f"no plant {self.plant_id!r} (known: {known})"
            )
        plant = portfolio.plant(self.plant_id)
        gens = tuple(g for g in plant.generators if g.id != self.generator_id)
        if len(gens) == len(plant.generators):
            known = _known(g.id for g in plant.generators)
            raise PerturbationError(
                self.option,
                self.spec(),
                f"plant {self.plant_id} has no generator {self.generator_id!r} (known: {known})",
            )
        return _replace_plant(portfolio, dataclasses.replace(plant, generators=gens))


@dataclass(frozen=True)
class PlantDown:
    """No line of a plant can run during ``[start, end)`` (minutes from the origin).

    The window is cut out of every line's shift windows; the lines' weekly
    patterns are dropped, since the cut shifts no longer follow them.
    """

    plant_id: str
    start: int
    end: int
    option: ClassVar[str] = "--plant-down"

    def describe(self) -> str:
        """``P1 down [600, 1200)``."""
        return f"{self.plant_id} down [{self.start}, {self.end})"

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """Cut the window from the plant's shifts; raises for an unknown plant or empty window."""
        if not portfolio.has("plant", self.plant_id):
            known = _known(p.id for p in portfolio.plants)
            raise PerturbationError(
                self.option, self.plant_id, f"no plant {self.plant_id!r} (known: {known})"
            )
        if self.end <= self.start:
            raise PerturbationError(
                "--from/--to", f"{self.start}..{self.end}", "the end must be after the start"
            )
        plant = portfolio.plant(self.plant_id)
        lines = tuple(
            dataclasses.replace(ln, shifts=_cut(ln.shifts, self.start, self.end), pattern=())
            for ln in plant.lines
        )
        return _replace_plant(portfolio, dataclasses.replace(plant, lines=lines))


def _cut(windows: Sequence[Window], start: int, end: int) -> tuple[Window, ...]:
    """``windows`` minus ``[start, end)``."""
    out: list[Window] = []
    for w in windows:
        if w.start < start:
            out.append(Window(w.start, min(w.end, start)))
        if w.end > end:
            out.append(Window(max(w.start, end), w.end))
    return tuple(out)


@dataclass(frozen=True)
class ExtraFuel:
    """``litres`` more diesel at a depot or a plant's tank, at the start of the horizon.

    Added as a fuel delivery arriving at minute 0 (``extra-<destination>-<n>``).
    Like every direct delivery, fuel into a plant tank is not capped by the
    tank's capacity (``docs/plan-rules.md``).
    """

    destination: str
    litres: float
    option: ClassVar[str] = "--extra-fuel"

    def spec(self) -> str:
        """The CLI spelling, ``DEST=LITRES``."""
        return f"{self.destination}={self.litres:g}"

    def describe(self) -> str:
        """``+5000 L at D1``."""
        return f"+{self.litres:,.0f} L at {self.destination}"

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """Add the delivery; raises for an unknown destination, a plant without a tank, or
        litres that are not positive."""
        if not self.litres > 0:
            raise PerturbationError(self.option, self.spec(), "litres must be positive")
        if portfolio.has("plant", self.destination):
            if portfolio.plant(self.destination).tank is None:
                raise PerturbationError(
                    self.option, self.spec(), f"plant {self.destination} has no fuel tank"
                )
        elif not portfolio.has("depot", self.destination):
            known = _known([*(d.id for d in portfolio.depots), *(p.id for p in portfolio.plants)])
            raise PerturbationError(
                self.option, self.spec(), f"no depot or plant {self.destination!r} (known: {known})"
            )
        ids = {d.id for d in portfolio.deliveries}
        n = 1
        while f"extra-{self.destination}-{n}" in ids:
            n += 1
        extra = FuelDelivery(
            f"extra-{self.destination}-{n}", self.litres, 0, 0, 0, self.destination
        )
        return dataclasses.replace(portfolio, deliveries=(*portfolio.deliveries, extra))


def apply_all(portfolio: Portfolio, perturbations: Iterable[Perturbation]) -> Portfolio:
    """Apply the perturbations in order; the name of the result says what changed.

    Parameters
    ----------
    portfolio
        The base portfolio.
    perturbations
        Applied one after another.

    Returns
    -------
    Portfolio
        The variant (``portfolio`` itself when there are none).
    """
    out = portfolio
    said: list[str] = []
    for p in perturbations:
        out = p.apply(out)
        said.append(p.describe())
    if said:
        out = dataclasses.replace(out, name=f"{portfolio.name} — what-if: {'; '.join(said)}")
    return out


UNITS = {"d": MINUTES_PER_DAY, "h": MINUTES_PER_HOUR, "m": 1}
"""Minutes per unit of a duration: days, hours, minutes."""


def format_duration(minutes: int) -> str:
    """``1d12h``-style text of a number of minutes (``0m`` for zero)."""
    sign = "-" if minutes < 0 else ""
    m = abs(minutes)
    out = ""
    for unit, size in UNITS.items():
        if m >= size:
            out += f"{m // size}{unit}"
            m %= size
    return sign + (out or "0m")
