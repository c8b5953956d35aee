"""What travels on the wire: separate create, update and public schemas, never a row."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

Email = Annotated[str, Field(min_length=3, max_length=254)]
Secret = Annotated[str, Field(min_length=1, max_length=1024)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(_In):
    """A sign-in."""

    email: Email
    password: Secret


class UserPublic(BaseModel):
    """A user as others see them."""

    id: int
    email: str
    account: str
    account_kind: str
    role: str
    plants: list[str]


class LoginOut(BaseModel):
    """A new session: send ``csrf_token`` as ``X-CSRF-Token`` on every state change."""

    csrf_token: str
    user: UserPublic


class UserCreate(_In):
    """A new user of the caller's account."""

    email: Email
    role: Literal["admin", "planner", "plant_manager", "auditor", "integrator"]
    password: Annotated[str, Field(min_length=8, max_length=1024)]
    plants: list[Annotated[str, Field(min_length=1, max_length=200)]] = []


class TokenCreate(_In):
    """A new API token for the caller."""

    name: Annotated[str, Field(min_length=1, max_length=200)] = "api"
    scope: Literal["read", "write"] = "read"
    days: Annotated[int, Field(ge=1, le=365)] = 90


class TokenOut(BaseModel):
    """The token, shown once; ``id`` revokes it (``DELETE /api/v1/tokens/{id}``)."""

    id: int
    token: str
    scope: str
    expires_at: datetime


class PortfolioPublic(BaseModel):
    """A portfolio (its latest version); ``plants`` null means every plant."""

    id: int
    name: str
    account: str
    version: int
    created_at: datetime
    checksum: str
    enterprises: list[str]
    plants: list[str] | None


class PortfolioDetail(PortfolioPublic):
    """A portfolio with its document, for roles that may read it whole."""

    document: dict[str, Any] | None


class PlanRequest(_In):
    """Ask for a plan of a portfolio's latest version."""

    planner: Literal["optimise", "dispatch"] = "optimise"
    time_limit_s: Annotated[float, Field(gt=0, le=600)] = 10.0


Perturbation = Annotated[str, Field(min_length=1, max_length=200)]


class WhatIfRequest(_In):
    """A what-if on a portfolio's latest version (perturbations as in docs/scenarios.md)."""

    tanker_delays: list[Perturbation] = Field([], max_length=50, examples=[["T2=9d"]])
    generators_down: list[Perturbation] = Field([], max_length=50, examples=[["P1/G1"]])
    extra_fuel: list[Perturbation] = Field([], max_length=50, examples=[["D1=2000"]])
    deficit_scale: Annotated[str, Field(max_length=20)] | None = None
    planner: Literal["optimise", "dispatch"] = "dispatch"


class JobAccepted(BaseModel):
    """A queued job: follow it at ``GET /api/v1/jobs/{job_id}``."""

    job_id: str


class JobPublic(BaseModel):
    """A job's status, progress (0..1) and result (``{"plan_id": ...}`` once succeeded)."""

    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    progress: float
    result: dict[str, Any] | None
    error: str | None
    portfolio_id: int | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int


class PlanPublic(BaseModel):
    """A plan without its document; ``value`` is null when the caller sees only some plants."""

    id: int
    portfolio_id: int
    portfolio_name: str
    portfolio_version: int
    version: int
    planner: str
    status: str
    value: float | None
    state: Literal["draft", "approved", "published"]
    state_at: datetime | None
    created_at: datetime


class OwnerSet(_In):
    """Name the owner account of an enterprise."""

    owner: Annotated[str, Field(min_length=1, max_length=64)]


class OwnerPublic(BaseModel):
    """An enterprise and its owner account."""

    portfolio_id: int
    enterprise_id: str
    owner: str


class AuditPublic(BaseModel):
    """One audit-log entry."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]


class ErrorIssue(BaseModel):
    """One problem of a bad request."""

    path: str
    message: str
    value: Any = None


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: str
    message: str
    field: str | None
    errors: list[ErrorIssue] = []


RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
"""A row id in a path: a positive integer that fits the store's INTEGER keys (a larger one
is a 422, never an overflow in SQLite or PostgreSQL)."""
