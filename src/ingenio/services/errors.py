"""The errors services raise, for the edges that map them (``ingenio.errors`` re-exported)."""

from __future__ import annotations

from ingenio.errors import KINDS, ErrorKind, IngenioError

__all__ = ["KINDS", "ErrorKind", "IngenioError"]
