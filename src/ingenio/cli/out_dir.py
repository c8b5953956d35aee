"""``--out`` checked before any work: a folder Ingenio can write its named files into."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ingenio.cli.lang import _


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
        return _("--out: %(path)s is a file, not a folder (got %(given)s)", path=probe,
                 given=repr(str(out)))  # fmt: skip
    if not os.access(probe, os.W_OK | os.X_OK):
        return _("--out: cannot write in %(path)s (permission denied)", path=probe)
    for name in names:
        target = out / name
        if target.is_dir():
            return _("--out: %(path)s is a folder; %(name)s must be a file there", path=target,
                     name=name)  # fmt: skip
        if target.exists() and not os.access(target, os.W_OK):
            return _("--out: cannot overwrite %(path)s (permission denied)", path=target)
    return None
