"""``--out`` checked before any work: a folder Ingenio can write its named files into."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def out_dir_problem(out: Path, names: Iterable[str] = ()) -> str | None:
    """Why ``out`` cannot receive ``names`` (one line naming the path), or None when it can.

    Checked before planning so a long run never ends in ``FileExistsError`` or
    ``IsADirectoryError``: ``out`` (or a folder above it) is a file, a file to
    write is a folder, or the folder is not writable.
    """
    probe = out
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        return f"--out: {probe} is a file, not a folder (got {str(out)!r})"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"--out: cannot write in {probe} (permission denied)"
    for name in names:
        target = out / name
        if target.is_dir():
            return f"--out: {target} is a folder; {name} must be a file there"
        if target.exists() and not os.access(target, os.W_OK):
            return f"--out: cannot overwrite {target} (permission denied)"
    return None
