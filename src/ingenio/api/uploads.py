"""Routes whose body is a file (a portfolio, an actuals workbook or CSV), not JSON fields:
their OpenAPI description, and the file handed to a service off the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

T = TypeVar("T")


def file_body(description: str, content: dict[str, Any]) -> dict[str, Any]:
    """The ``openapi_extra`` of a route that takes a file: a required body of one of the
    media types of ``content`` (type -> schema)."""
    return {"requestBody": {"required": True, "description": description, "content": content}}


async def with_upload(request: Request, use: Callable[[bytes, str], T]) -> T:
    """``use(body, content type)`` of the request's file, run in the thread pool: parsing a
    workbook or a large portfolio blocks."""
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    return await run_in_threadpool(use, body, content_type)
