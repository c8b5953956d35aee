"""What the store-backed commands share: one-line errors, times typed on the command line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from ingenio.cli.errors import fail, run_guarded
from ingenio.cli.lang import _

T = TypeVar("T")

__all__ = ["fail", "guarded", "moment", "since_option", "zone_of"]

TIMEZONE_ENV_VAR = "INGENIO_TIMEZONE"
"""Default of ``--timezone`` for times typed without an offset."""


def guarded(ctx: typer.Context, work: Callable[[], T]) -> T:
    """Run ``work`` like every ``ingenio`` command: known errors become one line, exit 1."""
    return run_guarded(ctx, work)


def zone_of(name: str | None, option: str = "--timezone") -> ZoneInfo | None:
    """The zone named by an option, None when not given."""
    if name is None or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        fail(_("%(option)s: unknown time zone %(name)s", option=option, name=repr(name)))


def moment(option: str, text: str, zone: ZoneInfo | None) -> datetime:
    """Parse a date-time option: ISO 8601 with an offset, or local to ``zone``.

    Parameters
    ----------
    option : str
        The option's name, for the message.
    text : str
        ``2026-04-06T08:00-04:00``, ``2026-04-06 08:00`` or ``2026-04-06``.
    zone : ZoneInfo or None
        Zone of a time without an offset; None refuses such times.

    Returns
    -------
    datetime
        An aware datetime.
    """
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(
            _("%(option)s: not a date and time like 2026-04-06T08:00 (got %(text)s)",
              option=option, text=repr(text))
        )  # fmt: skip
    if value.tzinfo is None:
        if zone is None:
            fail(
                _("%(option)s: %(text)s has no UTC offset; add one (2026-04-06T08:00-04:00) "
                  "or give --timezone (or set $%(variable)s)", option=option, text=repr(text),
                  variable=TIMEZONE_ENV_VAR)
            )  # fmt: skip
        value = value.replace(tzinfo=zone)
    return value


def since_option(text: str | None) -> datetime | None:
    """A ``--since`` option: a date or a date-time, UTC unless it carries an offset."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(_("--since: not a date like 2026-04-01 (got %(text)s)", text=repr(text)))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
