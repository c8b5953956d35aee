"""The application factory: ``create_app`` builds the API on an open store.

Nothing is created at import time: the app, the store and the in-process worker
exist only once :func:`create_app` is called (by ``ingenio serve`` or a test).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response

from ingenio.api import errors
from ingenio.api.routes import audit, auth, jobs, plans, portfolios, users
from ingenio.api.schemas import ErrorBody
from ingenio.services.jobs import Worker
from ingenio.services.server import Store

API_PREFIX = "/api/v1"
"""Where the API lives."""


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

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    api = APIRouter(prefix=API_PREFIX)
    for module in (auth, users, portfolios, plans, jobs, audit):
        api.include_router(module.router)
    app.include_router(api)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app
