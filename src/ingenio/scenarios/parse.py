"""The command-line spellings of the perturbations: ``T2=9d``, ``1.3``, ``P1/G1``, ``D1=5000``.

Every parser raises :class:`~ingenio.scenarios.perturb.PerturbationError` naming the
option and the text it could not read.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from ingenio.domain import Horizon
from ingenio.scenarios.perturb import (
    UNITS,
    DeficitScale,
    ExtraFuel,
    GeneratorDown,
    PerturbationError,
    PlantDown,
    TankerDelay,
)

__all__ = [
    "parse_deficit_scale",
    "parse_duration",
    "parse_extra_fuel",
    "parse_generator_down",
    "parse_moment",
    "parse_plant_down",
    "parse_tanker_delay",
]

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhm])")


def parse_duration(text: str, option: str = "duration") -> int:
    """Minutes in ``9d``, ``12h``, ``90m``, ``1d12h``, ``1.5d`` or ``-2d`` (earlier).

    Raises
    ------
    PerturbationError
        When ``text`` is not such a duration.
    """
    s = text.strip().lower().replace(" ", "")
    sign = -1 if s.startswith("-") else 1
    body = s.lstrip("+-")
    parts = _PART.findall(body)
    if not body or "".join(a + u for a, u in parts) != body:
        raise PerturbationError(option, text, "expected a duration like 9d, 12h, 90m or 1d12h")
    return sign * round(sum(float(a) * UNITS[u] for a, u in parts))


def _split(text: str, sep: str, option: str, shape: str) -> tuple[str, str]:
    left, found, right = text.rpartition(sep)
    if not found or not left.strip() or not right.strip():
        raise PerturbationError(option, text, f"expected {shape}")
    return left.strip(), right.strip()


def parse_tanker_delay(text: str) -> TankerDelay:
    """``T2=9d`` -> ``TankerDelay("T2", 12960)``."""
    ident, amount = _split(text, "=", TankerDelay.option, "DELIVERY=DURATION, e.g. T2=9d")
    return TankerDelay(ident, parse_duration(amount, TankerDelay.option))


def parse_deficit_scale(text: str) -> DeficitScale:
    """``1.3`` -> ``DeficitScale(1.3)``; the factor must be a positive number."""
    try:
        factor = float(text)
    except ValueError:
        raise PerturbationError(DeficitScale.option, text, "expected a number like 1.3") from None
    if not factor > 0:
        raise PerturbationError(DeficitScale.option, text, "the factor must be positive")
    return DeficitScale(factor)


def parse_generator_down(text: str) -> GeneratorDown:
    """``P1/G1`` -> ``GeneratorDown("P1", "G1")``."""
    plant, gen = _split(text, "/", GeneratorDown.option, "PLANT/GENERATOR, e.g. CEM/CEM-G1")
    return GeneratorDown(plant, gen)


def parse_extra_fuel(text: str) -> ExtraFuel:
    """``D1=5000`` (also ``5,000``, ``5_000``, ``5000L``) -> ``ExtraFuel("D1", 5000.0)``."""
    dest, amount = _split(text, "=", ExtraFuel.option, "DEPOT_OR_PLANT=LITRES, e.g. D1=5000")
    cleaned = amount.lower().removesuffix("l").replace(",", "").replace("_", "").strip()
    try:
        litres = float(cleaned)
    except ValueError:
        raise PerturbationError(ExtraFuel.option, text, "litres must be a number") from None
    if not litres > 0:
        raise PerturbationError(ExtraFuel.option, text, "litres must be positive")
    return ExtraFuel(dest, litres)


def parse_moment(text: str, horizon: Horizon, option: str) -> int:
    """Minutes from the origin of a local ``2026-04-08T06:00`` (or ``2026-04-08 06:00``,
    ``2026-04-08``) in the portfolio's time zone, or of an offset from the origin
    such as ``2d6h``."""
    s = text.strip()
    try:
        moment = datetime.fromisoformat(s)
    except ValueError:
        try:
            return parse_duration(s, option)
        except PerturbationError:
            raise PerturbationError(
                option, text, "expected a local date-time like 2026-04-08T06:00 or an offset "
                "from the start like 2d6h"
            ) from None  # fmt: skip
    if len(s) == 10:  # a bare date: its local midnight
        moment = datetime.combine(date.fromisoformat(s), datetime.min.time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=horizon.zone)
    return horizon.to_minute(moment)


def parse_plant_down(plant_id: str, start: str, end: str, horizon: Horizon) -> PlantDown:
    """``--plant-down P1 --from T --to T`` -> ``PlantDown`` (see :func:`parse_moment`)."""
    a = parse_moment(start, horizon, "--from")
    b = parse_moment(end, horizon, "--to")
    if b <= a:
        raise PerturbationError("--to", end, f"must be after --from {start}")
    return PlantDown(plant_id, a, b)
