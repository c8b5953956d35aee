"""Replan suggestions raised by metered grid losses: list, accept (replan), dismiss."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from ingenio.api.deps import PrincipalDep, StoreDep
from ingenio.api.schemas import RowId
from ingenio.api.schemas_ops import SuggestionAccepted, SuggestionDismissIn, SuggestionPublic
from ingenio.services.suggestions import (
    Suggestion,
    accept_suggestion,
    dismiss_suggestion,
    scoped_suggestions,
)

router = APIRouter(tags=["operations"])

_DECIDED: dict[int | str, dict[str, Any]] = {409: {"description": "Already accepted or dismissed"}}


def _public(s: Suggestion) -> SuggestionPublic:
    return SuggestionPublic(
        id=s.id,
        plant=s.plant_id,
        status=s.status,
        outage_start=s.outage_start,
        outage_end=s.outage_end,
        detected_at=s.detected_at,
        evidence=s.evidence,
        preview=str(s.preview.get("text", "")),
        orders=[str(o) for o in s.preview.get("orders", [])],
        operations=list(s.preview.get("operations", [])),
        decided_by=s.decided_by,
        plan_id=s.plan_id,
    )


@router.get("/portfolios/{portfolio_id}/suggestions", response_model=list[SuggestionPublic])
def list_suggestions(
    portfolio_id: RowId,
    who: PrincipalDep,
    store: StoreDep,
    status: Annotated[Literal["open", "accepted", "dismissed"] | None, Query()] = None,
) -> list[SuggestionPublic]:
    """Replan suggestions of the caller's plants, newest first (the managing account only;
    plant managers: their plants)."""
    return [_public(s) for s in scoped_suggestions(store, who, portfolio_id, status)]


@router.post(
    "/portfolios/{portfolio_id}/suggestions/{suggestion_id}/accept",
    response_model=SuggestionAccepted,
    responses=_DECIDED,
)
def accept(
    portfolio_id: RowId, suggestion_id: RowId, who: PrincipalDep, store: StoreDep
) -> SuggestionAccepted:
    """Accept a suggestion (planners): the plant is replanned from the metered loss with the
    grid off for its length (a draft plan); the reason lands in the audit log."""
    done = accept_suggestion(store, who, portfolio_id, suggestion_id)
    return SuggestionAccepted(
        suggestion=_public(done.suggestion),
        plan_id=done.plan_id,
        version=done.version,
        value_before=done.value_before,
        value_after=done.value_after,
        late_before=done.late_before,
        late_after=done.late_after,
        moves=done.moves,
    )


@router.post(
    "/portfolios/{portfolio_id}/suggestions/{suggestion_id}/dismiss",
    response_model=SuggestionPublic,
    responses=_DECIDED,
)
def dismiss(
    portfolio_id: RowId,
    suggestion_id: RowId,
    body: SuggestionDismissIn,
    who: PrincipalDep,
    store: StoreDep,
) -> SuggestionPublic:
    """Dismiss a suggestion with the reason (planners; audited)."""
    return _public(dismiss_suggestion(store, who, portfolio_id, suggestion_id, body.reason))
