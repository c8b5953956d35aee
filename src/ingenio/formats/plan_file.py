"""``plan.json``: a plan as a JSON document with local times (format version 1).

Reading checks the document's shape, types and its own consistency; whether
the plan keeps the rules of ``docs/plan-rules.md`` (known orders and lines,
shifts, power, fuel, ...) is the validator's job (``planning.validate``).
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ingenio.domain import (
    N_,
    BatteryFlow,
    DomainError,
    FuelTransfer,
    GeneratorRun,
    Issue,
    Operation,
    OrderOutcome,
    OrderStatus,
    Plan,
    Portfolio,
    PowerSource,
    Said,
    said,
)
from ingenio.errors import IngenioError
from ingenio.formats.atomic import atomic_write_text
from ingenio.formats.documents import read_document
from ingenio.formats.issues import sort_issues, validate_document
from ingenio.formats.portfolio.schema import Id, LocalDateTime, NonNegative, Text

PLAN_FORMAT_VERSION = 1
_TOLERANCE = 1e-6


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)


class OperationDoc(_Model):
    """A piece of work of an order's step (0-based index) on a line."""

    order: Id
    step: Annotated[int, Field(ge=0)]
    line: Id
    start: LocalDateTime
    end: LocalDateTime
    quantity: NonNegative
    source: Literal["grid", "generator", "solar", "mixed"] = "grid"


class GeneratorRunDoc(_Model):
    """A generator running at a constant output."""

    generator: Id
    start: LocalDateTime
    end: LocalDateTime
    output_kw: NonNegative


class FuelTransferDoc(_Model):
    """Diesel trucked from a depot into a plant's tank."""

    depot: Id
    plant: Id
    at: LocalDateTime
    litres: NonNegative


class BatteryFlowDoc(_Model):
    """A battery's constant power: ``kw > 0`` discharges into the plant, ``< 0`` charges."""

    battery: Id
    start: LocalDateTime
    end: LocalDateTime
    kw: float


class OutcomeDoc(_Model):
    """What the plan gives an order."""

    order: Id
    status: Literal["on_time", "late", "unscheduled"]
    completion: LocalDateTime | None
    lateness_minutes: Annotated[int, Field(ge=0)]
    value: NonNegative
    reason: str = ""
    reason_said: dict[str, Any] | None = None
    """``reason`` as a sentence to translate: ``{template, values}`` (optional)."""


class PlanDoc(_Model):
    """The whole ``plan.json``."""

    ingenio_plan: Literal[1]
    portfolio: Text
    planner: Text
    status: Text
    bound: float | None
    value: float
    value_over_bound: float | None = None
    seconds: NonNegative
    notes: list[str] = []
    operations: list[OperationDoc]
    generator_runs: list[GeneratorRunDoc]
    fuel_transfers: list[FuelTransferDoc]
    outcomes: list[OutcomeDoc]
    battery_flows: list[BatteryFlowDoc] = []


_SECTIONS = tuple(PlanDoc.model_fields)


def plan_to_document(plan: Plan, portfolio: Portfolio) -> dict[str, Any]:
    """The ``plan.json`` document of ``plan``.

    Parameters
    ----------
    plan
        The plan.
    portfolio
        The portfolio it was made for (its name and horizon).

    Returns
    -------
    dict
        JSON-ready data; times are local ISO date-times with their UTC offset,
        e.g. ``"2026-04-06T10:15:00-04:00"``.
    """
    h = portfolio.horizon

    def t(minute: int) -> str:
        return h.to_datetime(minute).isoformat()

    doc: dict[str, Any] = {
        "ingenio_plan": PLAN_FORMAT_VERSION,
        "portfolio": portfolio.name,
        "planner": plan.planner,
        "status": plan.status,
        "bound": plan.bound,
        "value": plan.value,
        "value_over_bound": _ratio(plan),
        "seconds": plan.seconds,
        "notes": list(plan.notes),
        "operations": [
            {
                "order": op.order_id,
                "step": op.step,
                "line": op.line_id,
                "start": t(op.start),
                "end": t(op.end),
                "quantity": op.quantity,
                "source": PowerSource(op.source).value,
            }
            for op in plan.operations
        ],
        "generator_runs": [
            {
                "generator": r.generator_id,
                "start": t(r.start),
                "end": t(r.end),
                "output_kw": r.output_kw,
            }
            for r in plan.generator_runs
        ],
        "fuel_transfers": [
            {"depot": f.depot_id, "plant": f.plant_id, "at": t(f.at), "litres": f.litres}
            for f in plan.fuel_transfers
        ],
        "outcomes": [
            {
                "order": o.order_id,
                "status": OrderStatus(o.status).value,
                "completion": None if o.completion is None else t(o.completion),
                "lateness_minutes": o.lateness_minutes,
                "value": o.value,
                "reason": o.reason,
                **({"reason_said": o.said.to_json()} if o.said is not None else {}),
            }
            for o in plan.outcomes
        ],
    }
    if plan.battery_flows:
        doc["battery_flows"] = [
            {"battery": f.battery_id, "start": t(f.start), "end": t(f.end), "kw": f.kw}
            for f in plan.battery_flows
        ]
    return doc


def _ratio(plan: Plan) -> float | None:
    """``value / bound``, or None without a positive bound."""
    if plan.bound is None or not plan.bound > 0:
        return None
    return plan.value / plan.bound


def plan_from_document(doc: object, portfolio: Portfolio, source: str) -> Plan:
    """Check a ``plan.json`` document and build the ``Plan``.

    Parameters
    ----------
    doc
        Parsed JSON.
    portfolio
        The portfolio the plan is for; its name must match the document's.
    source
        Name used in the messages, usually the file name.

    Returns
    -------
    Plan
        The plan, in minutes from the portfolio's origin.

    Raises
    ------
    DomainError
        Listing every problem, with paths like ``operations[3].end``.
    """
    _, model, issues = validate_document(doc, "ingenio_plan", PLAN_FORMAT_VERSION, PlanDoc, source)
    if model is not None:
        issues.extend(_consistency_issues(model, portfolio))
    if issues or model is None:
        raise DomainError(sort_issues(issues, _SECTIONS), source)
    return _build_plan(model, portfolio, source)


def _consistency_issues(doc: PlanDoc, portfolio: Portfolio) -> list[Issue]:
    out: list[Issue] = []
    if doc.portfolio != portfolio.name:
        msg = said(
            N_("the plan is for another portfolio; this one is %(name)r"), name=portfolio.name
        )
        out.append(Issue.of("portfolio", msg, doc.portfolio))
    windows = [(f"operations[{i}]", op.start, op.end) for i, op in enumerate(doc.operations)]
    windows += [(f"generator_runs[{i}]", r.start, r.end) for i, r in enumerate(doc.generator_runs)]
    windows += [(f"battery_flows[{i}]", f.start, f.end) for i, f in enumerate(doc.battery_flows)]
    for path, start, end in windows:
        if _minute(portfolio, end) <= _minute(portfolio, start):
            msg = said(N_("must be after the start"))
            out.append(Issue.of(f"{path}.end", msg, end.isoformat()))
    total = math.fsum(o.value for o in doc.outcomes)
    if abs(doc.value - total) > _TOLERANCE * max(1.0, abs(total)):
        msg = said(N_("differs from the sum of the outcome values %(total)g"), total=total)
        out.append(Issue.of("value", msg, doc.value))
    if doc.value_over_bound is not None:
        ratio = doc.value / doc.bound if doc.bound else None
        if ratio is None or abs(doc.value_over_bound - ratio) > _TOLERANCE * max(1.0, ratio):
            msg = said(
                N_("must be value / bound") if ratio is not None else N_("needs a positive bound")
            )
            out.append(Issue.of("value_over_bound", msg, doc.value_over_bound))
    return out


def _minute(portfolio: Portfolio, moment: datetime) -> int:
    h = portfolio.horizon
    return h.to_minute(moment if moment.tzinfo is not None else moment.replace(tzinfo=h.zone))


def _build_plan(doc: PlanDoc, portfolio: Portfolio, source: str) -> Plan:
    def m(moment: datetime) -> int:
        return _minute(portfolio, moment)

    try:
        return Plan(
            planner=doc.planner,
            operations=tuple(
                Operation(
                    op.order,
                    op.step,
                    op.line,
                    m(op.start),
                    m(op.end),
                    op.quantity,
                    PowerSource(op.source),
                )
                for op in doc.operations
            ),
            generator_runs=tuple(
                GeneratorRun(r.generator, m(r.start), m(r.end), r.output_kw)
                for r in doc.generator_runs
            ),
            fuel_transfers=tuple(
                FuelTransfer(f.depot, f.plant, m(f.at), f.litres) for f in doc.fuel_transfers
            ),
            outcomes=tuple(
                OrderOutcome(
                    o.order,
                    OrderStatus(o.status),
                    None if o.completion is None else m(o.completion),
                    o.lateness_minutes,
                    o.value,
                    o.reason,
                    _reason_said(o),
                )
                for o in doc.outcomes
            ),
            status=doc.status,
            bound=doc.bound,
            seconds=doc.seconds,
            notes=tuple(doc.notes),
            battery_flows=tuple(
                BatteryFlow(f.battery, m(f.start), m(f.end), f.kw) for f in doc.battery_flows
            ),
        )
    except ValueError as e:  # a rule the checks missed: still an issue, never a crash
        sentence = e.said if isinstance(e, IngenioError) else None
        raise DomainError([Issue("(plan)", str(e), None, sentence)], source) from e


def write_plan_json(plan: Plan, portfolio: Portfolio, path: Path) -> Path:
    """Write ``plan.json`` atomically, after checking it reads back as ``plan``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    DomainError
        If the plan cannot be written faithfully (a NaN value, an operation
        that ends before it starts, ...); nothing is written then.
    """
    doc = plan_to_document(plan, portfolio)
    if plan_from_document(doc, portfolio, path.name) != plan:
        msg = said(N_("plan.json would not read back as this plan"))
        raise DomainError([Issue.of("(plan)", msg)], path.name)
    return atomic_write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def read_plan_json(path: Path, portfolio: Portfolio) -> Plan:
    """Read and check ``plan.json`` for ``portfolio``.

    Raises
    ------
    DomainError
        With every problem of the file (``source`` is the file name).
    """
    return plan_from_document(read_document(path, ".json"), portfolio, path.name)


def _reason_said(o: OutcomeDoc) -> Said | None:
    """The outcome's reason as a sentence, when the file has one that says its ``reason``
    (the English text stays the truth: a sentence that does not match it is dropped)."""
    if o.reason_said is None:
        return None
    sentence = Said.from_json(o.reason_said)
    return sentence if sentence is not None and str(sentence) == o.reason else None
