"""What-if investments: a battery bank or a solar array added to a plant.

``--add-battery PLANT=500kWh/250kW`` and ``--add-solar PLANT=200kW`` (``docs/scenarios.md``).
Like every perturbation, ``apply`` returns a new validated portfolio and a mistake
raises :class:`~ingenio.scenarios.perturb.PerturbationError` naming the option and the
value given. Pure: no IO.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import ClassVar

from ingenio.domain import Battery, Portfolio, Solar
from ingenio.scenarios.perturb import PerturbationError

__all__ = ["AddBattery", "AddSolar", "parse_add_battery", "parse_add_solar", "solar_shape"]

BATTERY_EFFICIENCY = 0.9
"""Round trip of an added battery (lithium-ion, inverter included)."""
BATTERY_MIN_SOC = 0.1
"""Least state of charge of an added battery."""
SUNRISE, SUNSET = 6.0, 19.0
"""Local hours between which an added array produces (a tropical day)."""

_NUMBER = r"(\d+(?:\.\d+)?)"
_BATTERY = re.compile(
    rf"^{_NUMBER}\s*kwh\s*/\s*{_NUMBER}\s*kw(?:\s*/\s*{_NUMBER}\s*kw)?$", re.IGNORECASE
)
_SOLAR = re.compile(rf"^{_NUMBER}\s*kwp?(\s*/\s*island)?$", re.IGNORECASE)
_MAX_KW = 1e7
"""Largest kW or kWh an option may give (10 GW)."""


def _plant(portfolio: Portfolio, option: str, spec: str, plant_id: str) -> None:
    if not portfolio.has("plant", plant_id):
        known = ", ".join(sorted(p.id for p in portfolio.plants)[:12])
        raise PerturbationError(option, spec, f"no plant {plant_id!r} (known: {known})")


@dataclass(frozen=True)
class AddBattery:
    """A battery bank at a plant, full at the start: ``capacity_kwh``, ``power_kw`` out,
    ``charge_kw`` in (default: ``power_kw``), round trip 0.9, floor 10 %."""

    plant_id: str
    capacity_kwh: float
    power_kw: float
    charge_kw: float
    option: ClassVar[str] = "--add-battery"

    def spec(self) -> str:
        """The CLI spelling, ``PLANT=500kWh/250kW/250kW``."""
        return f"{self.plant_id}={self.capacity_kwh:g}kWh/{self.power_kw:g}kW/{self.charge_kw:g}kW"

    def describe(self) -> str:
        """``+500 kWh / 250 kW battery at P1``."""
        return f"+{self.capacity_kwh:,.0f} kWh / {self.power_kw:,.0f} kW battery at {self.plant_id}"

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """Add the battery (id ``<PLANT>-whatif-<n>``); raises for an unknown plant."""
        _plant(portfolio, self.option, self.spec(), self.plant_id)
        plant = portfolio.plant(self.plant_id)
        n = 1
        while portfolio.has("battery", f"{plant.id}-whatif-{n}"):
            n += 1
        bat = Battery(
            f"{plant.id}-whatif-{n}",
            plant.id,
            self.capacity_kwh,
            self.power_kw,
            self.charge_kw,
            BATTERY_EFFICIENCY,
            BATTERY_MIN_SOC,
            1.0,
        )
        new = dataclasses.replace(plant, batteries=(*plant.batteries, bat))
        plants = tuple(new if p.id == plant.id else p for p in portfolio.plants)
        return dataclasses.replace(portfolio, plants=plants)


def solar_shape(peak_kw: float) -> tuple[float, ...]:
    """kW in each local hour of an array peaking at ``peak_kw``: a cosine bell from 06:00
    to 19:00, the hour's mid-point value (0 at night)."""
    mid, half = (SUNRISE + SUNSET) / 2, (SUNSET - SUNRISE) / 2
    return tuple(
        round(peak_kw * max(0.0, math.cos(math.pi * (h + 0.5 - mid) / (2 * half))), 3)
        for h in range(24)
    )


@dataclass(frozen=True)
class AddSolar:
    """A solar array of ``peak_kw`` at a plant (added to its array if it has one, which
    keeps its islanding; a new one islands only when asked)."""

    plant_id: str
    peak_kw: float
    islanding: bool = False
    option: ClassVar[str] = "--add-solar"

    def spec(self) -> str:
        """The CLI spelling, ``PLANT=200kW`` (``/island``)."""
        return f"{self.plant_id}={self.peak_kw:g}kW" + ("/island" if self.islanding else "")

    def describe(self) -> str:
        """``+200 kW solar at P1``."""
        kind = " (islanding)" if self.islanding else ""
        return f"+{self.peak_kw:,.0f} kW solar{kind} at {self.plant_id}"

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """Add the array; raises for an unknown plant."""
        _plant(portfolio, self.option, self.spec(), self.plant_id)
        plant = portfolio.plant(self.plant_id)
        shape = solar_shape(self.peak_kw)
        if plant.solar is None:
            solar = Solar(shape, self.islanding)
        else:
            total = tuple(a + b for a, b in zip(plant.solar.profile_kw, shape, strict=True))
            solar = Solar(total, plant.solar.islanding or self.islanding)
        new = dataclasses.replace(plant, solar=solar)
        plants = tuple(new if p.id == plant.id else p for p in portfolio.plants)
        return dataclasses.replace(portfolio, plants=plants)


def _split(option: str, text: str, shape: str) -> tuple[str, str]:
    plant, found, rest = text.partition("=")
    if not found or not plant.strip() or not rest.strip():
        raise PerturbationError(option, text, f"expected {shape}")
    return plant.strip(), rest.strip()


def _amount(option: str, text: str, value: str, what: str) -> float:
    x = float(value)
    if not 0 < x <= _MAX_KW:
        raise PerturbationError(option, text, f"{what} must be above 0 and at most {_MAX_KW:g}")
    return x


def parse_add_battery(text: str) -> AddBattery:
    """``P1=500kWh/250kW`` (charge as fast as it gives) or ``P1=500kWh/250kW/100kW``."""
    shape = "PLANT=KWHkWh/KWkW[/CHARGEkW], e.g. P1=500kWh/250kW"
    plant, rest = _split(AddBattery.option, text, shape)
    m = _BATTERY.match(rest)
    if m is None:
        raise PerturbationError(AddBattery.option, text, f"expected {shape}")
    kwh = _amount(AddBattery.option, text, m.group(1), "capacity (kWh)")
    kw = _amount(AddBattery.option, text, m.group(2), "power (kW)")
    charge = _amount(AddBattery.option, text, m.group(3), "charge power (kW)") if m.group(3) else kw
    return AddBattery(plant, kwh, kw, charge)


def parse_add_solar(text: str) -> AddSolar:
    """``P1=200kW`` (grid-tied) or ``P1=200kW/island`` (can run without the grid)."""
    shape = "PLANT=KWkW[/island], e.g. P1=200kW"
    plant, rest = _split(AddSolar.option, text, shape)
    m = _SOLAR.match(rest)
    if m is None:
        raise PerturbationError(AddSolar.option, text, f"expected {shape}")
    return AddSolar(
        plant, _amount(AddSolar.option, text, m.group(1), "peak (kW)"), bool(m.group(2))
    )
