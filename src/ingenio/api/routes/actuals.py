"""Actuals and KPIs of a portfolio, as far as the caller's plants reach."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Query, Request

from ingenio.api.deps import PrincipalDep, StoreDep
from ingenio.api.schemas import RowId
from ingenio.api.schemas_ops import (
    ActualsIn,
    ActualsPublic,
    ActualsRecorded,
    Day,
    DowntimePublic,
    FuelDrawPublic,
    FuelReceiptPublic,
    KpiPublic,
    MeterReadingPublic,
    ProductionPublic,
)
from ingenio.api.uploads import file_body, with_upload
from ingenio.domain import N_, DomainError, Issue, said
from ingenio.services.actuals import (
    ActualsBatch,
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    FuelReceipt,
    ProductionRecord,
)
from ingenio.services.errors import IngenioError
from ingenio.services.scoped_actuals import (
    RecordedActuals,
    import_sheet,
    kpi_document,
    list_actuals,
    record_actuals,
    scoped_kpis,
)

router = APIRouter(tags=["actuals"])

T = TypeVar("T")
S = TypeVar("S")

_SHEET_BODY = file_body(
    "A filled actuals workbook, or one CSV file of one kind (docs/formats.md).",
    {
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}
        },
    },
)


def _build(kind: str, items: Sequence[S], make: Callable[[S], T], issues: list[Issue]) -> list[T]:
    out = []
    for k, item in enumerate(items):
        try:
            out.append(make(item))
        except DomainError as exc:
            issues += [Issue(f"{kind}[{k}].{i.path}", i.message, i.value) for i in exc.issues]
    return out


def batch_of(body: ActualsIn) -> ActualsBatch:
    """The domain records of a request; every bad one is reported at once (422)."""
    issues: list[Issue] = []
    batch = ActualsBatch(
        production=tuple(
            _build(
                "production",
                body.production,
                lambda r: ProductionRecord(
                    r.line, r.product, r.order, r.good_qty, r.scrap_qty, r.start, r.end
                ),
                issues,
            )
        ),
        downtime=tuple(
            _build(
                "downtime",
                body.downtime,
                lambda e: DowntimeEvent(e.line, DowntimeCause(e.cause), e.start, e.end, e.note),
                issues,
            )
        ),
        fuel_receipts=tuple(
            _build(
                "fuel_receipts",
                body.fuel_receipts,
                lambda f: FuelReceipt(f.site, f.litres, f.at, f.note),
                issues,
            )
        ),
        fuel_draws=tuple(
            _build(
                "fuel_draws",
                body.fuel_draws,
                lambda f: FuelDraw(f.generator, f.litres, f.at),
                issues,
            )
        ),
    )
    if issues:
        raise IngenioError(
            said(N_("%(count)s error(s) in the records; nothing was stored"), count=len(issues)),
            issues=issues,
        )
    if batch.empty:
        raise IngenioError(N_("give at least one record"))
    return batch


def _recorded(done: RecordedActuals) -> ActualsRecorded:
    return ActualsRecorded(new=done.new, received=done.received, warnings=list(done.warnings))


@router.post(
    "/portfolios/{portfolio_id}/actuals",
    response_model=ActualsRecorded,
    status_code=201,
    responses={409: {"description": "Production overlapping stored production of its line"}},
)
def post_actuals(
    portfolio_id: RowId, body: ActualsIn, who: PrincipalDep, store: StoreDep
) -> ActualsRecorded:
    """Record production, downtime and fuel of the caller's plants (planners: any plant)."""
    return _recorded(record_actuals(store, who, portfolio_id, batch_of(body)))


@router.post(
    "/portfolios/{portfolio_id}/actuals/import",
    response_model=ActualsRecorded,
    status_code=201,
    openapi_extra=_SHEET_BODY,
    responses={409: {"description": "Production overlapping stored production of its line"}},
)
async def import_actuals(
    portfolio_id: RowId,
    request: Request,
    who: PrincipalDep,
    store: StoreDep,
    timezone: Annotated[str | None, Query(max_length=64)] = None,
) -> ActualsRecorded:
    """Import an actuals workbook or CSV file (times without offset: the portfolio's zone)."""
    done = await with_upload(
        request, lambda body, kind: import_sheet(store, who, portfolio_id, body, kind, timezone)
    )
    return _recorded(done)


@router.get("/portfolios/{portfolio_id}/actuals", response_model=ActualsPublic)
def get_actuals(
    portfolio_id: RowId,
    who: PrincipalDep,
    store: StoreDep,
    first: Annotated[Day, Query(alias="from")],
    last: Annotated[Day, Query(alias="to")],
) -> ActualsPublic:
    """The records of the caller's plants from day ``from`` to ``to`` (at most 92 days)."""
    got = list_actuals(store, who, portfolio_id, first, last)
    return ActualsPublic(
        production=[
            ProductionPublic(
                line=r.line_id,
                product=r.product_id,
                order=r.order_id,
                good_qty=r.good_qty,
                scrap_qty=r.scrap_qty,
                start=r.start,
                end=r.end,
            )
            for r in got.production
        ],
        downtime=[
            DowntimePublic(
                line=e.line_id, cause=str(e.cause), start=e.start, end=e.end, note=e.note
            )
            for e in got.downtime
        ],
        fuel_receipts=[
            FuelReceiptPublic(site=f.plant_or_depot_id, litres=f.litres, at=f.at, note=f.note)
            for f in got.fuel_receipts
        ],
        fuel_draws=[
            FuelDrawPublic(generator=f.generator_id, litres=f.litres, at=f.at)
            for f in got.fuel_draws
        ],
        meter_readings=[
            MeterReadingPublic(line=m.line_id, at=m.at, kw=m.kw, kwh=m.kwh)
            for m in got.meter_readings
        ],
    )


@router.get("/portfolios/{portfolio_id}/kpis", response_model=KpiPublic)
def get_kpis(
    portfolio_id: RowId,
    who: PrincipalDep,
    store: StoreDep,
    first: Annotated[Day, Query(alias="from")],
    last: Annotated[Day, Query(alias="to")],
    by: Literal["day", "week", "month"] = "day",
    plant: Annotated[str | None, Query(max_length=200)] = None,
    enterprise: Annotated[str | None, Query(max_length=200)] = None,
) -> KpiPublic:
    """KPIs of a plant or enterprise in scope over days ``from`` to ``to``: OEE and losses
    (grid, generator, fuel apart from breakdowns), kWh and litres per unit, adherence."""
    report = scoped_kpis(
        store, who, portfolio_id, first, last, by, plant_id=plant, enterprise_id=enterprise
    )
    return KpiPublic(**kpi_document(report))
