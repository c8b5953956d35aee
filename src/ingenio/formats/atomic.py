"""Write files atomically: to a temporary file beside the target, then rename.

Also the file names Ingenio derives from ids in a file (:func:`safe_name`) and the
check that a file it writes stays inside the folder it was given (:func:`out_path`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "MAX_NAME",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "out_path",
    "safe_name",
]

MAX_NAME = 100
"""Longest file name :func:`safe_name` returns, hash suffix included (a file system allows 255
bytes; a suffix such as ``.xlsx`` and the temporary name's prefix need room too)."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))]
)  # Windows device names: "con.html" opens the console there


def safe_name(text: str) -> str:
    """A file name made from ``text`` (an id from a file) that cannot leave its folder.

    Keeps ASCII letters, digits, ``-``, ``_`` and ``.``; any other run of characters
    (``/``, ``\\``, ``..`` at the start, quotes, ``<``, spaces, control characters)
    becomes ``_``; no leading dot, never empty, never a Windows device name, at most
    :data:`MAX_NAME` characters. When the name had to change it ends in ``-`` and eight
    hex digits of a hash of ``text``, so two different ids never share a file.

    Parameters
    ----------
    text : str
        The wanted name, e.g. ``"enterprise-ALI-2026-04"``.

    Returns
    -------
    str
        ``text`` itself when it is already safe, else the cleaned name with its suffix.
    """
    clean = _UNSAFE.sub("_", text).lstrip(".")
    stem = clean.split(".", 1)[0].casefold()
    if clean == text and text and len(text) <= MAX_NAME and stem not in _RESERVED:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{clean[: MAX_NAME - 9]}-{digest}".lstrip(".-") if clean else f"x-{digest}"


def out_path(folder: Path, name: str, suffix: str = "") -> Path:
    """``folder / (safe_name(name) + suffix)``, checked to lie inside ``folder``.

    Parameters
    ----------
    folder : Path
        The output folder (``--out``); it need not exist yet.
    name : str
        The wanted file name without suffix, from ids in a file.
    suffix : str
        ``".html"``, ``".xlsx"``; only letters, digits and dots.

    Returns
    -------
    Path
        The file to write, directly inside ``folder``.

    Raises
    ------
    ValueError
        If ``suffix`` is not a plain suffix or the path would resolve outside ``folder``
        (a symbolic link in the way, for instance).
    """
    if not re.fullmatch(r"(\.[A-Za-z0-9]+)*", suffix):
        raise ValueError(f"file suffix {suffix!r}: letters and digits after a dot only")
    path = folder / f"{safe_name(name)}{suffix}"
    base = folder.resolve()
    target = path.resolve()
    if target.parent != base:
        raise ValueError(f"--out {folder}: {path.name!r} would be written outside it, at {target}")
    return path


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write`` on a temporary path in ``path``'s folder, then rename it to ``path``.

    Parameters
    ----------
    path : Path
        The file to create or replace; its folder is created when missing.
    write : callable
        Writes the whole file to the path it is given.

    Returns
    -------
    Path
        ``path``. On any error the temporary file is removed and ``path`` left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(0o644)  # mkstemp makes it private; give it a regular file's mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`atomic_write`).

    Parameters
    ----------
    path : Path
        The file to create or replace.
    text : str
        The whole content.

    Returns
    -------
    Path
        ``path``.
    """
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`).

    Parameters
    ----------
    path : Path
        The file to create or replace.
    data : bytes
        The whole content (a rendered workbook, for instance).

    Returns
    -------
    Path
        ``path``.
    """
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))
