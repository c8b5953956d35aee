"""The errors services raise, for the edges that map them (``ingenio.errors`` re-exported)."""

from __future__ import annotations

from ingenio.errors import KINDS, N_, ErrorKind, IngenioError, Said, said

__all__ = ["KINDS", "N_", "ErrorKind", "IngenioError", "Said", "said"]
