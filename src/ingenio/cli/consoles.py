"""Consoles that do not squeeze tables when the output is not a terminal.

Piped to a file or a log, Rich would draw at 80 columns (or at the width of the
terminal that started the command) and break each plant name over several lines;
then the width is ``$COLUMNS`` when set, else :data:`PIPE_WIDTH`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from rich.console import Console

__all__ = ["PIPE_WIDTH", "make_console", "output_width"]

PIPE_WIDTH = 200
"""Columns of a console whose output is not a terminal (and ``$COLUMNS`` is unset)."""


def output_width(stderr: bool = False) -> int | None:
    """The width to force, or None to let Rich follow the terminal."""
    stream = sys.stderr if stderr else sys.stdout
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or odd stream
        pass
    columns = os.environ.get("COLUMNS", "").strip()
    return int(columns) if columns.isdigit() and int(columns) > 0 else PIPE_WIDTH


def make_console(stderr: bool = False, **options: Any) -> Console:
    """A Rich console, :data:`PIPE_WIDTH` wide when its stream is not a terminal."""
    return Console(stderr=stderr, width=output_width(stderr), **options)
