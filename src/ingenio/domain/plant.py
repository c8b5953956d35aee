"""Plants and what is in them: lines, shared resources, generators, fuel, solar, batteries."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from ingenio.domain.calendar import ShiftPattern
from ingenio.domain.stages import LoadShedding
from ingenio.domain.time import MINUTES_PER_HOUR, Window, merge_windows


@dataclass(frozen=True)
class OutageWindow:
    """A time when a block's grid is (probably) off. Planned windows have probability 1."""

    window: Window
    probability: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"outage probability must be in [0, 1], got {self.probability}")


@dataclass(frozen=True)
class Block:
    """An outage group (bloque): circuits that lose the grid together."""

    id: str
    name: str
    outages: tuple[OutageWindow, ...] = ()
    load_shedding: LoadShedding | None = None
    """A schedule per stage and a stage forecast (``domain/stages.py``): more windows."""

    def __post_init__(self) -> None:
        ws = sorted(o.window for o in self.outages)
        for a, b in itertools.pairwise(ws):
            if a.overlaps(b):
                raise ValueError(f"block {self.id}: outage windows {a} and {b} overlap")

    def all_outages(self) -> tuple[OutageWindow, ...]:
        """The outage windows plus those of the load-shedding stages, by start (they may
        overlap each other)."""
        if self.load_shedding is None:
            return self.outages
        staged = (OutageWindow(w, p) for w, p in self.load_shedding.outages())
        return tuple(sorted((*self.outages, *staged), key=lambda o: (o.window, -o.probability)))

    def off_windows(self, threshold: float = 0.5) -> tuple[Window, ...]:
        """Windows the planner must treat as grid-off (probability >= threshold); with
        load-shedding stages, merged where they overlap or touch."""
        if self.load_shedding is None:
            return tuple(sorted(o.window for o in self.outages if o.probability >= threshold))
        return merge_windows(o.window for o in self.all_outages() if o.probability >= threshold)


@dataclass(frozen=True)
class Line:
    """A production resource in a plant; runs only inside its shift windows."""

    id: str
    name: str
    plant_id: str
    shifts: tuple[Window, ...]
    pattern: tuple[ShiftPattern, ...] = ()
    """The weekly pattern ``shifts`` was expanded from, kept to write the file back."""


@dataclass(frozen=True)
class Resource:
    """A renewable capacity shared by a plant's steps (a crew, a forklift fleet).

    ``changes`` are ``(minute, capacity)`` pairs: from that minute on the capacity is that.
    """

    id: str
    name: str
    plant_id: str
    capacity: int
    changes: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if self.capacity < 0 or any(c < 0 for _, c in self.changes):
            raise ValueError(f"resource {self.id}: capacity must not be negative")

    def capacity_at(self, minute: int) -> int:
        """Capacity in force at ``minute``."""
        cap = self.capacity
        for at, c in sorted(self.changes):
            if at <= minute:
                cap = c
        return cap


@dataclass(frozen=True)
class Generator:
    """An on-site diesel generator.

    Fuel use follows the HOMER linear model: litres/hour = a * rated_kw + b * output_kw.
    """

    id: str
    name: str
    plant_id: str
    rated_kw: float
    min_load_fraction: float
    fuel_a: float
    fuel_b: float
    start_litres: float = 0.0
    """Litres a start burns (cranking), once per stretch of running."""
    start_minutes: int = 0
    """Minutes from cranking to carrying load. A stretch of runs that carries load from
    minute ``t`` was cranked at ``t - start_minutes``: the generator burns its no-load
    fuel (``fuel_a * rated_kw`` litres/hour) over ``[t - start_minutes, t)`` and gives
    no power there (``docs/plan-rules.md``, ``generator-start``)."""
    min_run_minutes: int = 0
    """A stretch of running, once started, lasts at least this long (rule
    ``generator-run``); the plan keeps it running (and burning) at least that long even
    when the load stops sooner."""

    def __post_init__(self) -> None:
        if self.start_litres < 0:
            raise ValueError(f"generator {self.id}: start_litres must be >= 0")
        if self.start_minutes < 0 or self.min_run_minutes < 0:
            raise ValueError(f"generator {self.id}: start and minimum run minutes must be >= 0")
        if self.rated_kw <= 0:
            raise ValueError(f"generator {self.id}: rated_kw must be positive")
        if not 0.0 <= self.min_load_fraction <= 1.0:
            raise ValueError(f"generator {self.id}: min_load_fraction must be in [0, 1]")
        if self.fuel_a < 0 or self.fuel_b < 0:
            raise ValueError(f"generator {self.id}: fuel curve coefficients must be >= 0")

    @property
    def min_kw(self) -> float:
        """Lowest output allowed while running."""
        return self.rated_kw * self.min_load_fraction

    def litres_per_hour(self, output_kw: float) -> float:
        """Fuel burned per hour at ``output_kw``."""
        return self.fuel_a * self.rated_kw + self.fuel_b * output_kw

    def litres(self, output_kw: float, minutes: int) -> float:
        """Fuel burned running ``minutes`` at ``output_kw``."""
        return self.litres_per_hour(output_kw) * minutes / MINUTES_PER_HOUR

    @property
    def warmup_litres(self) -> float:
        """Fuel of one warm-up: ``start_minutes`` at no load."""
        return self.litres(0.0, self.start_minutes)

    @property
    def timed(self) -> bool:
        """True when a start takes time or a run has a minimum length."""
        return self.start_minutes > 0 or self.min_run_minutes > 0


@dataclass(frozen=True)
class FuelTank:
    """A plant's diesel tank. ``reserve_l`` must never be touched by the plan."""

    capacity_l: float
    stock_l: float
    reserve_l: float = 0.0

    def __post_init__(self) -> None:
        if self.capacity_l <= 0:
            raise ValueError("tank capacity must be positive")
        if not 0 <= self.reserve_l <= self.capacity_l:
            raise ValueError("tank reserve must be between 0 and the capacity")
        if not 0 <= self.stock_l <= self.capacity_l:
            raise ValueError("tank stock must be between 0 and the capacity")

    @property
    def usable_l(self) -> float:
        """Litres above the reserve at the start."""
        return max(0.0, self.stock_l - self.reserve_l)


@dataclass(frozen=True)
class Solar:
    """A solar array: expected kW for each hour of the (local) day, 24 values.

    ``islanding`` says whether its inverters can run without the grid (a hybrid or
    battery inverter that forms the plant's own grid). A grid-tied array
    (``islanding = False``, the default) trips with the grid: anti-islanding
    protection shuts its inverters down within seconds of a blackout, so it
    produces only while the grid is on (``docs/formats.md``, *Solar and islanding*).
    """

    profile_kw: tuple[float, ...]
    islanding: bool = False

    def __post_init__(self) -> None:
        if len(self.profile_kw) != 24 or any(v < 0 for v in self.profile_kw):
            raise ValueError("solar profile must hold 24 non-negative kW values")

    def kw(self, hour: int, grid_on: bool) -> float:
        """Output in local hour ``hour`` (0-23): 0 while the grid is off, unless it islands."""
        return self.profile_kw[hour] if grid_on or self.islanding else 0.0


@dataclass(frozen=True)
class Battery:
    """A battery bank at a plant; energy in kWh, power in kW.

    ``efficiency`` is the round trip: a kWh drawn to charge stores ``efficiency`` kWh,
    and a kWh given to the plant takes one stored kWh. The state of charge stays
    between ``min_soc * capacity_kwh`` and ``capacity_kwh``; it is ``initial_soc *
    capacity_kwh`` at the origin. ``generator_charging``: the bank may charge from the
    plant's generators (else only from grid and solar power).
    """

    id: str
    plant_id: str
    capacity_kwh: float
    power_kw: float
    charge_kw: float
    efficiency: float = 0.9
    min_soc: float = 0.1
    initial_soc: float = 1.0
    generator_charging: bool = False

    def __post_init__(self) -> None:
        if self.capacity_kwh <= 0 or self.power_kw <= 0 or self.charge_kw < 0:
            raise ValueError(f"battery {self.id}: capacity and power must be positive")
        if not 0.0 < self.efficiency <= 1.0:
            raise ValueError(f"battery {self.id}: efficiency must be in (0, 1]")
        if not 0.0 <= self.min_soc <= self.initial_soc <= 1.0:
            raise ValueError(f"battery {self.id}: need 0 <= min_soc <= initial_soc <= 1")

    @property
    def floor_kwh(self) -> float:
        """Least stored energy allowed."""
        return self.min_soc * self.capacity_kwh

    @property
    def initial_kwh(self) -> float:
        """Stored energy at the origin."""
        return self.initial_soc * self.capacity_kwh


@dataclass(frozen=True)
class Plant:
    """A site with a grid connection in an outage block, lines, generators and a tank."""

    id: str
    name: str
    enterprise_id: str
    block_id: str
    grid_kw: float
    lines: tuple[Line, ...]
    resources: tuple[Resource, ...] = ()
    generators: tuple[Generator, ...] = ()
    tank: FuelTank | None = None
    solar: Solar | None = None
    batteries: tuple[Battery, ...] = ()
    _lines_by_id: Mapping[str, Line] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.grid_kw < 0:
            raise ValueError(f"plant {self.id}: grid_kw must not be negative")
        if any(b.plant_id != self.id for b in self.batteries):
            raise ValueError(f"plant {self.id}: a battery names another plant")
        object.__setattr__(self, "_lines_by_id", {ln.id: ln for ln in self.lines})

    def line(self, line_id: str) -> Line:
        """The line with this id (KeyError if it is not in this plant)."""
        return self._lines_by_id[line_id]

    def has_line(self, line_id: str) -> bool:
        """True when the line belongs to this plant."""
        return line_id in self._lines_by_id

    @property
    def generator_kw(self) -> float:
        """Sum of the rated kW of the plant's generators."""
        return sum(g.rated_kw for g in self.generators)


@dataclass(frozen=True)
class Enterprise:
    """A legal or state company that owns plants; a management contract is per enterprise."""

    id: str
    name: str
