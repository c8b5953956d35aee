"""The users of the caller's account (admins)."""

from __future__ import annotations

from fastapi import APIRouter

from ingenio.api.deps import PrincipalDep, StoreDep
from ingenio.api.routes.auth import user_public
from ingenio.api.schemas import UserCreate, UserPublic
from ingenio.services.accounts import add_user_as, users_of

router = APIRouter(tags=["users"])


@router.get("/users", response_model=list[UserPublic])
def list_users(who: PrincipalDep, store: StoreDep) -> list[UserPublic]:
    """The users of the caller's account."""
    return [user_public(u) for u in users_of(store, who)]


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, who: PrincipalDep, store: StoreDep) -> UserPublic:
    """Add a user to the caller's account (admins only)."""
    user = add_user_as(store, who, body.email, body.role, body.password, body.plants)
    return user_public(user)
