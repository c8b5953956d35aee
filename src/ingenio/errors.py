"""The one error type of Ingenio: every expected failure is an :class:`IngenioError`.

Each error carries a ``kind`` that an edge maps once (the CLI to a one-line message and
exit code 1, an API later to an HTTP status); ``invalid`` errors may carry the field
issues found (``ingenio.domain.Issue``: file, field and value).

=============== ==========================================================
kind            meaning
=============== ==========================================================
invalid         bad input: a file, a field or an option value
not_found       a named thing (portfolio, plan, enterprise...) is missing
conflict        the request clashes with what is stored
rule_broken     a plan breaks the plan rules (the validator's violations)
solver_failed   a planner or solver failed to produce a plan
unavailable     storage cannot be reached, migrated or written
=============== ==========================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal, get_args

ErrorKind = Literal[
    "invalid", "not_found", "conflict", "rule_broken", "solver_failed", "unavailable"
]
"""What went wrong, for the edge that maps the error."""

KINDS: tuple[ErrorKind, ...] = get_args(ErrorKind)
"""Every error kind."""

__all__ = ["KINDS", "ErrorKind", "IngenioError"]


class IngenioError(Exception):
    """An expected failure with a one-line message and a ``kind``.

    Parameters
    ----------
    message : str
        One line fit to show a user.
    kind : ErrorKind, optional
        Overrides the class's default kind.
    issues : sequence, optional
        The field issues of an ``invalid`` error (``ingenio.domain.Issue``).
    """

    default_kind: ClassVar[ErrorKind] = "invalid"

    def __init__(
        self, message: str = "", *, kind: ErrorKind | None = None, issues: Sequence[object] = ()
    ) -> None:
        super().__init__(message)
        chosen = kind or type(self).default_kind
        if chosen not in KINDS:
            raise ValueError(f"unknown error kind {chosen!r} (choose from {', '.join(KINDS)})")
        self.kind: ErrorKind = chosen
        self.issues: Sequence[object] = list(issues)
