"""The application factory: ``create_app`` builds the API on an open store.

Nothing is created at import time: the app, the store and the in-process worker
exist only once :func:`create_app` is called (by ``ingenio serve`` or a test).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingenio.api import errors
from ingenio.api.routes import (
    actuals,
    audit,
    auth,
    jobs,
    operations,
    plans,
    portfolios,
    suggestions,
    users,
)
from ingenio.api.schemas import ErrorBody
from ingenio.services.jobs import Worker
from ingenio.services.server import Store, open_store

API_PREFIX = "/api/v1"
"""Where the API lives."""


_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)


class SecurityHeaders:
    """Adds ``nosniff``, ``same-origin`` referrers and ``no-store`` to every answer
    (a plain ASGI middleware: no per-request task, unlike ``BaseHTTPMiddleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in _HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(
    store: Store,
    worker: Worker | None = None,
    secure_cookies: bool = False,
    close_store: bool = False,
) -> FastAPI:
    """Build the API on ``store``.

    Parameters
    ----------
    store : Store
        An open store with an up-to-date schema.
    worker : Worker, optional
        An in-process job worker, started with the app and stopped with it.
    secure_cookies : bool
        Mark the session cookie ``Secure`` (behind HTTPS); it is anyway when the
        request came over HTTPS.
    close_store : bool
        Close the store when the app stops.

    Returns
    -------
    FastAPI
        The application; OpenAPI at ``/openapi.json``, docs at ``/docs``.
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            if close_store:
                store.close()

    app = FastAPI(
        title="Ingenio",
        summary="Plan factories under rolling blackouts and scarce fuel: the server API.",
        version="1",
        lifespan=lifespan,
        responses={
            401: {"model": ErrorBody, "description": "Not signed in"},
            403: {"model": ErrorBody, "description": "Not allowed for this role"},
            404: {"model": ErrorBody, "description": "Not found (or out of scope)"},
            422: {"model": ErrorBody, "description": "Bad input"},
        },
    )
    app.state.store = store
    app.state.secure_cookies = secure_cookies
    errors.install(app)

    app.add_middleware(SecurityHeaders)

    api = APIRouter(prefix=API_PREFIX)
    for module in (auth, users, portfolios, plans, actuals, operations, suggestions, jobs, audit):
        api.include_router(module.router)
    app.include_router(api)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app


ENV_DB = "SERVE_INGENIO_DB"
"""The database URL each server process of ``ingenio serve --workers N`` opens (a hand-off
from the parent, outside the ``INGENIO_`` settings, which refuse unknown names)."""

ENV_SECURE_COOKIES = "SERVE_INGENIO_SECURE_COOKIES"
ENV_JOB_WORKER = "SERVE_INGENIO_JOB_WORKER"


def app_from_environment() -> FastAPI:
    """The app of one process of ``ingenio serve --workers N`` (an Uvicorn factory): the
    store named by ``SERVE_INGENIO_DB``, a job worker when ``SERVE_INGENIO_JOB_WORKER=1``,
    Secure cookies when ``SERVE_INGENIO_SECURE_COOKIES=1``. The processes share nothing in
    memory: sessions, jobs and plans are in the database."""
    store = open_store(os.environ[ENV_DB])
    worker = Worker(store) if os.environ.get(ENV_JOB_WORKER) == "1" else None
    secure = os.environ.get(ENV_SECURE_COOKIES) == "1"
    return create_app(store, worker=worker, secure_cookies=secure, close_store=True)
