"""Which plant each line, generator, order and enterprise of a portfolio version belongs to,
and a plan document cut to some plants (for the scoped roles of ``tenancy``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from ingenio.store.records import PortfolioVersion
from ingenio.store.repository import Store

__all__ = ["Structure", "cut_document", "structure_of", "version_structure"]


@dataclass(frozen=True)
class Structure:
    """Which plant each line, generator, order and enterprise belongs to, in one version."""

    plant_enterprise: dict[str, str]
    line_plant: dict[str, str]
    generator_plant: dict[str, str]
    order_plant: dict[str, str]
    enterprises: tuple[str, ...]
    battery_plant: dict[str, str] = field(default_factory=dict)


# -- structure of a portfolio document (cached by checksum: documents never change) -------

_CACHE: OrderedDict[str, Structure] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 64


def structure_of(document: dict[str, Any], key: str) -> Structure:
    """The plant structure of a stored portfolio document (``key``: its checksum)."""
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    plants = [p for p in document.get("plants", []) if isinstance(p, dict)]
    line_plant = {str(ln["id"]): str(p["id"]) for p in plants for ln in p.get("lines", [])}
    product_plant: dict[str, str] = {}
    for product in document.get("products", []):
        for step in product.get("routing", [])[:1]:
            for line in step.get("lines", [])[:1]:
                if line in line_plant:
                    product_plant[str(product["id"])] = line_plant[line]
    found = Structure(
        plant_enterprise={str(p["id"]): str(p.get("enterprise")) for p in plants},
        line_plant=line_plant,
        generator_plant={
            str(g["id"]): str(p["id"]) for p in plants for g in p.get("generators", []) or []
        },
        order_plant={
            str(o["id"]): product_plant.get(str(o.get("product")), "")
            for o in document.get("orders", [])
        },
        enterprises=tuple(str(e.get("id")) for e in document.get("enterprises", [])),
        battery_plant={
            str(b["id"]): str(p["id"]) for p in plants for b in p.get("batteries", []) or []
        },
    )
    with _CACHE_LOCK:
        _CACHE[key] = found
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def version_structure(store: Store, version: PortfolioVersion) -> Structure:
    """The plant structure of a stored portfolio version (cached by checksum)."""
    with _CACHE_LOCK:
        cached = _CACHE.get(version.checksum)
    if cached is not None:
        return cached
    _, document = store.load_portfolio(version.name, version.version, account=version.account)
    return structure_of(document, version.checksum)


def cut_document(
    document: dict[str, Any], structure: Structure, plants: frozenset[str]
) -> dict[str, Any]:
    """A ``plan.json`` document with only the work of ``plants``.

    The portfolio-wide bound is dropped and the value is that of the kept orders.
    """
    outcomes = [
        o for o in document.get("outcomes", []) if structure.order_plant.get(o["order"]) in plants
    ]
    return {
        **document,
        "bound": None,
        "value_over_bound": None,
        "value": sum(float(o.get("value", 0.0)) for o in outcomes),
        "notes": [*document.get("notes", []), f"cut to plants {', '.join(sorted(plants))}"],
        "operations": [
            o
            for o in document.get("operations", [])
            if structure.line_plant.get(o["line"]) in plants
        ],
        "generator_runs": [
            g
            for g in document.get("generator_runs", [])
            if structure.generator_plant.get(g["generator"]) in plants
        ],
        "fuel_transfers": [t for t in document.get("fuel_transfers", []) if t["plant"] in plants],
        "battery_flows": [
            f
            for f in document.get("battery_flows", [])
            if structure.battery_plant.get(f["battery"]) in plants
        ],
        "outcomes": outcomes,
    }
