"""Where the database is: the ``INGENIO_DB`` variable, a ``--db`` option or a default file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENV_VAR = "INGENIO_DB"
"""The environment variable naming the database (a URL, or a path to a SQLite file)."""

DEFAULT_FILENAME = "ingenio.sqlite"
"""The SQLite file used when nothing else names a database."""


def is_url(db: str) -> bool:
    """Tell a database URL from a file path.

    Parameters
    ----------
    db : str
        A URL such as ``postgresql+psycopg://host/db`` or a path such as ``plans.sqlite``.

    Returns
    -------
    bool
        True when ``db`` has a ``scheme://`` prefix.
    """
    scheme, sep, _ = db.partition("://")
    return bool(sep) and bool(scheme) and all(c.isalnum() or c in "+-." for c in scheme)


def path_to_url(path: str | os.PathLike[str]) -> str:
    """Return the SQLAlchemy URL of a SQLite file.

    Parameters
    ----------
    path : str or os.PathLike
        The file; ``~`` is expanded and a relative path is made absolute.
        ``:memory:`` means an in-memory database.

    Returns
    -------
    str
        A ``sqlite:///`` URL with an absolute path.
    """
    if os.fspath(path) == ":memory:":
        return "sqlite://"
    resolved = Path(path).expanduser().resolve()
    return f"sqlite:///{resolved.as_posix()}"


def resolve_url(db: str | None) -> str:
    """Turn a ``--db`` option into a database URL.

    Parameters
    ----------
    db : str or None
        A URL, a path to a SQLite file, or None (or empty) for :func:`default_url`.

    Returns
    -------
    str
        The URL to pass to :meth:`ingenio.store.repository.Store.open`.
    """
    if db is None or not db.strip():
        return default_url()
    db = db.strip()
    return db if is_url(db) else path_to_url(db)


def default_url() -> str:
    """Return the database URL used when no ``--db`` option is given.

    ``INGENIO_DB`` (a URL or a path) wins when set and not empty; otherwise a
    SQLite file ``ingenio.sqlite`` in ``INGENIO_DATA_DIR`` or the user data directory
    (``platformdirs.user_data_dir("ingenio")``), which is created if missing. Both are
    read through :class:`ingenio.settings.Settings`.

    Returns
    -------
    str
        A database URL.
    """
    from ingenio.settings import load_settings

    settings = load_settings()
    if settings.db:
        return settings.db if is_url(settings.db) else path_to_url(settings.db)
    directory = settings.data_dir or Path(platformdirs.user_data_dir("ingenio"))
    directory.mkdir(parents=True, exist_ok=True)
    return path_to_url(directory / DEFAULT_FILENAME)


def mask_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``, fit for messages.

    Parameters
    ----------
    url : str
        A database URL (or anything else, returned with ``user:password@`` masked).

    Returns
    -------
    str
        The URL without its password.
    """
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)
