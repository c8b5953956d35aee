"""The web app (server-rendered pages, htmx, vis-timeline), beside the REST API.

:func:`install` adds its pages and its static files (vendored JavaScript, no CDN) to
an app made by :func:`ingenio.api.create_app`; it imports only the services.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from ingenio.web import actions, pages

__all__ = ["install"]

STATIC = Path(__file__).resolve().parent / "static"


class CachedStatic(StaticFiles):
    """Static files that a browser may keep for a day (the vendored files never change
    within a release); set before the API's ``no-store`` default is added."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=86400"
        return response


def install(app: FastAPI) -> FastAPI:
    """Add the web pages (``/``, ``/login``, ``/board``, ...) and ``/static`` to ``app``."""
    app.include_router(pages.router)
    app.include_router(actions.router)
    app.mount("/static", CachedStatic(directory=STATIC), name="static")
    return app
