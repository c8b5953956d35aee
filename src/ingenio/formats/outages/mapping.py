"""The mapping file: which portfolio block each external area belongs to, and UNE parameters.

YAML (or JSON)::

    areas:                       # external area name -> block id of the portfolio
      "Soweto (12)": B1
      city-of-cape-town-area-15: B2
      "Bloque 3": B3
    une:                         # parameters of the UNE rotation model (all optional)
      blocks: [B1, B2, B3, B4, B5, B6]
      share: 0.10
      block_mw: 45               # or {B1: 40, B2: 50, ...}; default: equal split
      demand_share: 0.22
      rotating_fraction: 0.393
      margin_mw: 70
      days: 1
      demand_profile: [0.72, 0.69, ...]   # 24 values, peak 1.0

An area whose name is exactly a block id of the portfolio maps to that block
without being listed. Unknown keys are errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ingenio.domain import N_, DomainError, Issue, said
from ingenio.energy.rotation import RotationParams
from ingenio.formats.documents import read_document


@dataclass(frozen=True)
class OutageMapping:
    """External area name -> block id, and the UNE rotation parameters."""

    areas: Mapping[str, str] = field(default_factory=dict)
    une: RotationParams = field(default_factory=RotationParams)
    source: str = "--mapping"

    def block_of(self, area: str, block_ids: frozenset[str]) -> str | None:
        """The block of ``area``: as mapped, else itself when it is a block id, else None."""
        if area in self.areas:
            return self.areas[area]
        return area if area in block_ids else None


def load_mapping(path: Path) -> OutageMapping:
    """Read and check a mapping file (``.yaml``, ``.yml`` or ``.json``).

    Raises
    ------
    DomainError
        With every problem, as ``file: areas.NAME: message``.
    """
    return parse_mapping(read_document(path), path.name)


_NUMBERS = ("share", "demand_share", "rotating_fraction", "margin_mw")


def parse_mapping(data: object, source: str) -> OutageMapping:
    """Check parsed mapping data (plain dicts) and build the mapping.

    Parameters
    ----------
    data
        What the YAML/JSON reader returned (``None`` for an empty file).
    source
        Name used in messages.

    Returns
    -------
    OutageMapping
        The mapping.

    Raises
    ------
    DomainError
        With every problem found.
    """
    issues: list[Issue] = []
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        msg = said(N_("must be a mapping with `areas:` and `une:`"))
        raise DomainError([Issue.of("(file)", msg)], source)
    for key in data:
        if key not in ("areas", "une"):
            msg = said(N_("unknown field; the fields are areas and une"))
            issues.append(Issue.of(str(key), msg))
    areas: dict[str, str] = {}
    raw_areas = data.get("areas") or {}
    if not isinstance(raw_areas, Mapping):
        msg = said(N_("must map area names to block ids"))
        issues.append(Issue.of("areas", msg, str(raw_areas)))
    else:
        for name, block in raw_areas.items():
            if not isinstance(name, str):
                msg = said(N_("area names must be text; quote it"))
                issues.append(Issue.of(f"areas.{name}", msg, name))
            elif not isinstance(block, str) or not block:
                msg = said(N_("must be a block id (text)"))
                issues.append(Issue.of(f"areas.{name}", msg, block))
            else:
                areas[name] = block
    une = RotationParams()
    raw_une = data.get("une") or {}
    if not isinstance(raw_une, Mapping):
        msg = said(N_("must be a mapping of parameters"))
        issues.append(Issue.of("une", msg, str(raw_une)))
    else:
        une, more = _rotation_params(raw_une)
        issues.extend(more)
    if issues:
        raise DomainError(issues, source)
    return OutageMapping(areas, une, source)


def _rotation_params(raw: Mapping[str, Any]) -> tuple[RotationParams, list[Issue]]:
    issues: list[Issue] = []
    names = {f.name for f in fields(RotationParams)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        path = f"une.{key}"
        if key not in names:
            msg = said(
                N_("unknown parameter; the parameters are %(names)s"),
                names=", ".join(sorted(names)),
            )
            issues.append(Issue.of(path, msg))
        elif key == "blocks" or key == "demand_profile":
            ok = isinstance(value, list) and all(
                isinstance(v, str) if key == "blocks" else _is_number(v) for v in value
            )
            if not ok:
                msg = said(
                    N_("must be a list of block ids")
                    if key == "blocks"
                    else N_("must be a list of numbers")
                )
                issues.append(Issue.of(path, msg, str(value)))
            else:
                values[key] = (
                    tuple(float(v) for v in value) if key == "demand_profile" else tuple(value)
                )
        elif key == "block_mw":
            if isinstance(value, Mapping) and all(_is_number(v) for v in value.values()):
                values[key] = {str(k): float(v) for k, v in value.items()}
            elif _is_number(value):
                values[key] = float(value)
            else:
                msg = said(N_("must be a number of MW or a mapping block -> MW"))
                issues.append(Issue.of(path, msg, str(value)))
        elif key == "days":
            if isinstance(value, int) and not isinstance(value, bool):
                values[key] = value
            else:
                issues.append(Issue.of(path, said(N_("must be an integer")), value))
        elif key in _NUMBERS:
            if _is_number(value):
                values[key] = float(value)
            else:
                issues.append(Issue.of(path, said(N_("must be a number")), value))
    params = RotationParams(**values)
    if not issues:
        issues.extend(Issue(f"une.{n}", m, v) for n, m, v in params.problems())
    return params, issues


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
