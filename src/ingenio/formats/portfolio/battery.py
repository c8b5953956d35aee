"""Batteries in the portfolio file: the rule between fields, and both ways to the domain.

The single-field ranges are in :class:`~ingenio.formats.portfolio.schema.BatteryDoc`;
``battery_issues`` adds the rule that needs two fields (``min_soc <= initial_soc``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ingenio.domain import N_, Battery, Issue, said
from ingenio.formats.portfolio.schema import BatteryDoc

_DEFAULT_MIN_SOC = BatteryDoc.model_fields["min_soc"].default
_DEFAULT_INITIAL_SOC = BatteryDoc.model_fields["initial_soc"].default


def _fraction(raw: Mapping[str, Any], name: str, default: float) -> float | None:
    """``raw[name]`` when it is a number in [0, 1] (the default when missing), else None."""
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0.0 <= value <= 1.0 else None


def battery_issues(path: str, raw: Mapping[str, Any]) -> list[Issue]:
    """The battery must start at or above its least state of charge."""
    low = _fraction(raw, "min_soc", _DEFAULT_MIN_SOC)
    start = _fraction(raw, "initial_soc", _DEFAULT_INITIAL_SOC)
    if low is None or start is None or start >= low:
        return []
    msg = said(N_("must be at least the min_soc %(low)g"), low=low)
    return [Issue.of(f"{path}.initial_soc", msg, raw.get("initial_soc", start))]


def battery_of(doc: BatteryDoc, plant_id: str) -> Battery:
    """The domain battery of a checked document."""
    return Battery(
        doc.id,
        plant_id,
        doc.capacity_kwh,
        doc.power_kw,
        doc.charge_kw,
        doc.efficiency,
        doc.min_soc,
        doc.initial_soc,
        doc.generator_charging,
    )


def battery_document(b: Battery, number: Callable[[float], float | int]) -> dict[str, Any]:
    """The file document of ``b``; ``number`` writes a float the way the file does."""
    return {
        "id": b.id,
        "capacity_kwh": number(b.capacity_kwh),
        "power_kw": number(b.power_kw),
        "charge_kw": number(b.charge_kw),
        "efficiency": number(b.efficiency),
        "min_soc": number(b.min_soc),
        "initial_soc": number(b.initial_soc),
        "generator_charging": b.generator_charging,
    }
