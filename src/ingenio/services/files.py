"""Writing the files an edge asked for (atomically: a reader never sees half a file)."""

from __future__ import annotations

from pathlib import Path

from ingenio.formats.atomic import atomic_write_text

__all__ = ["write_text"]


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    return atomic_write_text(path, text)
