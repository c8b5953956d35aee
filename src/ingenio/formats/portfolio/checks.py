"""Checks of a portfolio document that no single field can make on its own.

They run on the raw document, next to (not after) the Pydantic validation, so
that one bad field never hides the other problems of a file: identifiers and
references are read wherever they are text, and each time-based check reads
just the fields it needs, validated one by one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from ingenio.domain import N_, Horizon, Issue, said
from ingenio.formats.issues import join_path
from ingenio.formats.portfolio.battery import battery_issues
from ingenio.formats.portfolio.schema import (
    CapacityChangeDoc,
    DeliveryDoc,
    OrderDoc,
    OutageDoc,
    PortfolioDoc,
    TankDoc,
)

Raw = Mapping[str, object]

_TOP_KINDS = (
    ("enterprises", "enterprise"),
    ("blocks", "block"),
    ("plants", "plant"),
    ("products", "product"),
    ("orders", "order"),
    ("depots", "depot"),
    ("deliveries", "delivery"),
)
_PLANT_KINDS = (
    ("lines", "line"),
    ("resources", "resource"),
    ("generators", "generator"),
    ("batteries", "battery"),
)
# One sentence per kind (not a kind word filled in: each language words it its own way).
_DUPLICATE = {
    "enterprise": N_("duplicate enterprise id; first used at %(first)s"),
    "block": N_("duplicate block id; first used at %(first)s"),
    "plant": N_("duplicate plant id; first used at %(first)s"),
    "product": N_("duplicate product id; first used at %(first)s"),
    "order": N_("duplicate order id; first used at %(first)s"),
    "depot": N_("duplicate depot id; first used at %(first)s"),
    "delivery": N_("duplicate delivery id; first used at %(first)s"),
    "line": N_("duplicate line id; first used at %(first)s"),
    "resource": N_("duplicate resource id; first used at %(first)s"),
    "generator": N_("duplicate generator id; first used at %(first)s"),
    "battery": N_("duplicate battery id; first used at %(first)s"),
}
_UNKNOWN = {
    "enterprise": N_("unknown enterprise"),
    "block": N_("unknown block"),
    "product": N_("unknown product"),
}


def items(raw: object, key: str, prefix: str = "") -> list[tuple[str, Raw]]:
    """``(path, item)`` for each mapping in the list ``raw[key]`` (others are skipped)."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get(key), list):
        return []
    seq: list[object] = raw[key]
    return [(join_path(prefix, key, i), x) for i, x in enumerate(seq) if isinstance(x, Mapping)]


def text(raw: object, key: str) -> str | None:
    """``raw[key]`` when it is non-empty text, else None."""
    value = raw.get(key) if isinstance(raw, Mapping) else None
    return value if isinstance(value, str) and value else None


@functools.cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = model.model_fields[name]
    config = ConfigDict(strict=True, allow_inf_nan=False)
    annotated: Any = field.annotation
    if field.metadata:
        annotated = Annotated[(annotated, *field.metadata)]
    return TypeAdapter(annotated, config=config)


def field_value(model: type[BaseModel], raw: object, name: str) -> object:
    """One field of ``raw`` validated as ``model`` would; its default when absent.

    Returns None when the field is missing without a default or invalid (the
    Pydantic pass reports that problem).
    """
    if not isinstance(raw, Mapping):
        return None
    field = model.model_fields[name]
    if name not in raw:
        return None if field.is_required() else field.get_default(call_default_factory=True)
    try:
        return _adapter(model, name).validate_python(raw[name])
    except ValidationError:
        return None


def _moment(model: type[BaseModel], raw: object, name: str) -> datetime | None:
    value = field_value(model, raw, name)
    return value if isinstance(value, datetime) else None


def _number(model: type[BaseModel], raw: object, name: str) -> float | None:
    value = field_value(model, raw, name)
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class TimeFrame:
    """The document's zone and horizon, as far as they are valid."""

    zone: tzinfo
    horizon: Horizon | None

    def instant(self, moment: datetime) -> datetime:
        """``moment`` as an aware datetime (naive ones are local wall clock)."""
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=self.zone)

    def minute(self, moment: datetime) -> int | None:
        """Minutes from the horizon origin, or None without a valid horizon."""
        return None if self.horizon is None else self.horizon.to_minute(self.instant(moment))

    def span(self) -> str:
        """``start to end`` of the horizon in local time, for messages."""
        if self.horizon is None:
            return ""
        first, last = self.horizon.to_datetime(0), self.horizon.to_datetime(self.horizon.minutes)
        return f"{_show(first.replace(tzinfo=None))} to {_show(last.replace(tzinfo=None))}"


def _show(moment: datetime) -> str:
    """A date-time as the file would write it (with its offset, when it has one)."""
    return moment.isoformat(timespec="minutes")


def time_frame(data: Raw) -> TimeFrame:
    """Zone and horizon from the header fields that are valid (UTC stands in for a bad zone)."""
    zone_name = field_value(PortfolioDoc, data, "timezone")
    start = field_value(PortfolioDoc, data, "start")
    days = field_value(PortfolioDoc, data, "days")
    slot = field_value(PortfolioDoc, data, "slot_minutes")
    if not isinstance(zone_name, str):
        return TimeFrame(UTC, None)
    zone = ZoneInfo(zone_name)
    if not (isinstance(start, datetime) and isinstance(days, int) and isinstance(slot, int)):
        return TimeFrame(zone, None)
    origin = start if start.tzinfo is not None else start.replace(tzinfo=zone)
    try:
        return TimeFrame(zone, Horizon(origin, days, slot, zone_name))
    except ValueError:
        return TimeFrame(zone, None)


def reference_issues(data: Raw) -> list[Issue]:
    """Duplicate identifiers and references to identifiers that do not exist.

    Line, resource, generator and battery ids are unique across all plants. Plant and
    depot ids share one namespace, since a delivery's destination may be either.
    """
    out: list[Issue] = []
    seen: dict[str, dict[str, str]] = {kind: {} for _, kind in _TOP_KINDS + _PLANT_KINDS}
    owner: dict[str, dict[str, str]] = {"line": {}, "resource": {}}

    def register(kind: str, path: str, raw: Raw, plant: str | None = None) -> None:
        key = text(raw, "id")
        if key is None:
            return
        first = seen[kind].get(key)
        if first is not None:
            msg = said(_DUPLICATE[kind], first=first)
            out.append(Issue.of(f"{path}.id", msg, key))
            return
        seen[kind][key] = path
        if plant is not None and kind in owner:
            owner[kind][key] = plant

    for section, kind in _TOP_KINDS:
        for path, raw in items(data, section):
            register(kind, path, raw)
            if kind != "plant":
                continue
            for sub, sub_kind in _PLANT_KINDS:
                for sub_path, sub_raw in items(raw, sub, path):
                    register(sub_kind, sub_path, sub_raw, text(raw, "id"))
    for path, raw in items(data, "depots"):
        key = text(raw, "id")
        if key is not None and key in seen["plant"]:
            msg = said(
                N_("a plant has this id too (%(plant)s); destinations would be ambiguous"),
                plant=seen["plant"][key],
            )
            out.append(Issue.of(f"{path}.id", msg, key))

    def refer(path: str, raw: Raw, field: str, kind: str, valid: Mapping[str, str]) -> None:
        key = text(raw, field)
        if key is not None and key not in valid:
            out.append(Issue.of(f"{path}.{field}", said(_UNKNOWN[kind]), key))

    for path, raw in items(data, "plants"):
        refer(path, raw, "enterprise", "enterprise", seen["enterprise"])
        refer(path, raw, "block", "block", seen["block"])
    for path, raw in items(data, "products"):
        out.extend(_routing_issues(path, raw, seen, owner))
    for path, raw in items(data, "orders"):
        refer(path, raw, "product", "product", seen["product"])
        out.extend(_after_issues(path, raw, seen["order"]))
    out.extend(_after_cycle_issues(items(data, "orders")))
    places = {**seen["depot"], **seen["plant"]}
    for path, raw in items(data, "deliveries"):
        key = text(raw, "destination")
        if key is not None and key not in places:
            msg = said(N_("unknown destination: no depot or plant has this id"))
            out.append(Issue.of(f"{path}.destination", msg, key))
    return out


def _after_cycle_issues(orders: list[tuple[str, Raw]]) -> list[Issue]:
    """One issue per cycle of ``after`` among the orders, naming the orders in order."""
    paths: dict[str, str] = {}
    after: dict[str, list[str]] = {}
    for path, raw in orders:
        key = text(raw, "id")
        preds = raw.get("after") if isinstance(raw, Mapping) else None
        if key is None or key in paths:
            continue
        paths[key] = path
        after[key] = [k for k in preds if isinstance(k, str)] if isinstance(preds, list) else []
    out: list[Issue] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for root in after:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        trail: list[str] = [root]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            preds = [k for k in after.get(node, []) if k in after and k != node]
            if i >= len(preds):
                stack.pop()
                trail.pop()
                state[node] = 2
                continue
            stack[-1] = (node, i + 1)
            nxt = preds[i]
            if state.get(nxt) == 1:
                ring = trail[trail.index(nxt) :]
                pairs = zip(ring, [*ring[1:], ring[0]], strict=True)
                cycle = ", ".join(f"{a} after {b}" for a, b in pairs)
                msg = said(N_("after forms a cycle: %(cycle)s"), cycle=cycle)
                out.append(Issue.of(f"{paths[nxt]}.after", msg))
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, 0))
                trail.append(nxt)
    return out


def _after_issues(path: str, order: Raw, orders: Mapping[str, str]) -> list[Issue]:
    """Predecessors named in ``after`` must be other orders of the file."""
    raw = order.get("after") if isinstance(order, dict) else None
    if not isinstance(raw, list):
        return []
    out: list[Issue] = []
    for i, key in enumerate(raw):
        if not isinstance(key, str):
            continue
        if key == order.get("id"):
            msg = said(N_("an order cannot follow itself"))
            out.append(Issue.of(f"{path}.after[{i}]", msg, key))
        elif key not in orders:
            out.append(Issue.of(f"{path}.after[{i}]", said(N_("unknown order")), key))
    return out


def _routing_issues(
    path: str, product: Raw, seen: dict[str, dict[str, str]], owner: dict[str, dict[str, str]]
) -> list[Issue]:
    """Unknown lines and resources, and lines or resources of another plant."""
    out: list[Issue] = []
    home: tuple[str, str] | None = None  # (plant id, line id that decided it)
    for step_path, step in items(product, "routing", path):
        lines = step.get("lines")
        for k, line in enumerate(lines if isinstance(lines, list) else []):
            if not isinstance(line, str) or not line:
                continue
            line_path = join_path(step_path, "lines", k)
            plant = owner["line"].get(line)
            if line not in seen["line"]:
                out.append(Issue.of(line_path, said(N_("unknown line")), line))
            elif home is None and plant is not None:
                home = (plant, line)
            elif home is not None and plant is not None and plant != home[0]:
                msg = said(
                    N_(
                        "line is in plant %(plant)r, but this routing runs in plant "
                        "%(home)r (line %(line)r); a routing must stay in one plant"
                    ),
                    plant=plant,
                    home=home[0],
                    line=home[1],
                )
                out.append(Issue.of(line_path, msg, line))
        needs = step.get("resources")
        for res in needs if isinstance(needs, Mapping) else {}:
            if not isinstance(res, str):
                continue
            res_path = join_path(step_path, "resources", res)
            if res not in seen["resource"]:
                out.append(Issue.of(res_path, said(N_("unknown resource")), res))
            elif home is not None and owner["resource"].get(res) not in (None, home[0]):
                msg = said(
                    N_(
                        "resource belongs to plant %(plant)r, "
                        "but this routing runs in plant %(home)r"
                    ),
                    plant=owner["resource"][res],
                    home=home[0],
                )
                out.append(Issue.of(res_path, msg, res))
    return out


def time_issues(data: Raw, frame: TimeFrame) -> list[Issue]:
    """Windows that end before they start or overlap, and times outside the horizon.

    Rules: outage windows must overlap the horizon; capacity changes and a
    delivery's expected arrival must lie inside it; an order's release must be
    before the horizon end (it may be before its start), its due after its
    release (it may be after the horizon end).
    """
    out: list[Issue] = []
    for path, block in items(data, "blocks"):
        out.extend(_outage_issues(path, block, frame))
    for path, plant in items(data, "plants"):
        for res_path, res in items(plant, "resources", path):
            for change_path, change in items(res, "changes", res_path):
                at = _moment(CapacityChangeDoc, change, "at")
                out.extend(_inside(f"{change_path}.at", at, frame))
        tank = plant.get("tank")
        if isinstance(tank, Mapping):
            out.extend(_tank_issues(f"{path}.tank", tank))
        for bat_path, bat in items(plant, "batteries", path):
            out.extend(battery_issues(bat_path, bat))
    for path, order in items(data, "orders"):
        release, due = _moment(OrderDoc, order, "release"), _moment(OrderDoc, order, "due")
        if release is not None and due is not None and frame.instant(due) <= frame.instant(release):
            msg = said(N_("must be after the release %(release)s"), release=_show(release))
            out.append(Issue.of(f"{path}.due", msg, _show(due)))
        first = None if release is None else frame.minute(release)
        if release is not None and first is not None and first >= _length(frame):
            msg = said(N_("must be before the horizon end (%(span)s)"), span=frame.span())
            out.append(Issue.of(f"{path}.release", msg, _show(release)))
    for path, delivery in items(data, "deliveries"):
        out.extend(_delivery_issues(path, delivery, frame))
    return out


def _length(frame: TimeFrame) -> int:
    return 0 if frame.horizon is None else frame.horizon.minutes


def _inside(path: str, moment: datetime | None, frame: TimeFrame) -> list[Issue]:
    minute = None if moment is None else frame.minute(moment)
    if moment is None or minute is None or frame.horizon is None:
        return []
    if 0 <= minute < frame.horizon.minutes:
        return []
    msg = said(N_("must lie inside the horizon (%(span)s)"), span=frame.span())
    return [Issue.of(path, msg, _show(moment))]


def _outage_issues(path: str, block: Raw, frame: TimeFrame) -> list[Issue]:
    out: list[Issue] = []
    windows: list[tuple[datetime, datetime, str, str]] = []
    for o_path, outage in items(block, "outages", path):
        start, end = _moment(OutageDoc, outage, "start"), _moment(OutageDoc, outage, "end")
        if start is None or end is None:
            continue
        label = f"{_show(start)} to {_show(end)}"
        if frame.instant(end) <= frame.instant(start):
            msg = said(N_("must be after the start %(start)s"), start=_show(start))
            out.append(Issue.of(f"{o_path}.end", msg, _show(end)))
            continue
        first, last = frame.minute(start), frame.minute(end)
        if frame.horizon is not None and first is not None and last is not None:
            if last <= 0 or first >= frame.horizon.minutes:
                msg = said(N_("window lies outside the horizon (%(span)s)"), span=frame.span())
                out.append(Issue.of(o_path, msg, label))
        windows.append((frame.instant(start), frame.instant(end), o_path, label))
    windows.sort(key=lambda w: (w[0], w[1]))
    reach: tuple[datetime, datetime, str, str] | None = None
    for w in windows:
        if reach is not None and w[0] < reach[1]:
            name = reach[2].rsplit(".", 1)[-1]
            msg = said(
                N_("overlaps %(name)s (%(window)s) of the same block"), name=name, window=reach[3]
            )
            out.append(Issue.of(w[2], msg, w[3]))
        if reach is None or w[1] > reach[1]:
            reach = w
    return out


def _tank_issues(path: str, tank: Raw) -> list[Issue]:
    out: list[Issue] = []
    capacity = _number(TankDoc, tank, "capacity_l")
    if capacity is None:
        return out
    for name in ("stock_l", "reserve_l"):
        value = _number(TankDoc, tank, name)
        if value is not None and not 0 <= value <= capacity:
            msg = said(N_("must be between 0 and the capacity_l %(capacity)g"), capacity=capacity)
            out.append(Issue.of(f"{path}.{name}", msg, tank.get(name)))
    return out


def _delivery_issues(path: str, delivery: Raw, frame: TimeFrame) -> list[Issue]:
    out: list[Issue] = []
    expected = _moment(DeliveryDoc, delivery, "expected")
    if expected is None:
        return out
    out.extend(_inside(f"{path}.expected", expected, frame))
    earliest = _moment(DeliveryDoc, delivery, "earliest")
    latest = _moment(DeliveryDoc, delivery, "latest")
    if earliest is not None and frame.instant(earliest) > frame.instant(expected):
        msg = said(N_("must not be after the expected arrival %(at)s"), at=_show(expected))
        out.append(Issue.of(f"{path}.earliest", msg, _show(earliest)))
    if latest is not None and frame.instant(latest) < frame.instant(expected):
        msg = said(N_("must not be before the expected arrival %(at)s"), at=_show(expected))
        out.append(Issue.of(f"{path}.latest", msg, _show(latest)))
    return out
