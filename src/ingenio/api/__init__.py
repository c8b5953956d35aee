"""The REST API of the Ingenio server (FastAPI): ``create_app`` builds it."""

from __future__ import annotations

from ingenio.api.main import create_app

__all__ = ["create_app"]
