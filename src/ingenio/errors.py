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

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal, TypeAlias, get_args

ErrorKind = Literal[
    "invalid", "not_found", "conflict", "rule_broken", "solver_failed", "unavailable"
]
"""What went wrong, for the edge that maps the error."""

KINDS: tuple[ErrorKind, ...] = get_args(ErrorKind)
"""Every error kind."""

__all__ = ["KINDS", "N_", "ErrorKind", "IngenioError", "Said", "Value", "render", "said"]


def N_(message: str) -> str:
    """Mark ``message`` for the ``messages`` catalogue; returns it unchanged.

    The pure core marks its sentences with this and reads no catalogue; the edges
    translate them (``ingenio.i18n.say``)."""
    return message


Value: TypeAlias = "str | int | float | Said"
"""A value filled into a sentence: plain data, or a nested sentence said the same way."""

PLACEHOLDER = re.compile(r"%(?:\((\w+)\)([-#0 +]*\d*(?:\.\d+)?[sdifgr])|%)")
"""A ``%(name)s`` placeholder with its conversion (``%(litres).1f``), or a literal ``%%``."""


@dataclass(frozen=True)
class Said:
    """A sentence to show a user: an English template marked with :func:`N_` and the
    values of its named placeholders, kept apart so that an edge can say it in the
    user's language. Values are data: never read as a template, never markup."""

    template: str
    values: Mapping[str, Value] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return render(self.template, self.values, str) if self.values else self.template

    def to_json(self) -> dict[str, object]:
        """``{"template": ..., "values": {...}}`` (nested sentences the same way)."""
        return {
            "template": self.template,
            "values": {
                k: v.to_json() if isinstance(v, Said) else v for k, v in self.values.items()
            },
        }

    @staticmethod
    def from_json(obj: object, depth: int = 0) -> Said | None:
        """The sentence of :meth:`to_json`, or None when ``obj`` is not one that can be
        said (a wrong shape, a placeholder without its value or of the wrong type): text
        read from a file is data, and a broken sentence falls back to its English."""
        if depth > 8 or not isinstance(obj, dict) or not isinstance(obj.get("template"), str):
            return None
        raw = obj.get("values", {})
        if not isinstance(raw, dict):
            return None
        values: dict[str, Value] = {}
        for k, v in raw.items():
            if isinstance(v, dict):
                nested = Said.from_json(v, depth + 1)
                if nested is None:
                    return None
                values[str(k)] = nested
            elif isinstance(v, str | int | float) and not isinstance(v, bool):
                values[str(k)] = v
            else:
                return None
        sentence = Said(obj["template"], values)
        try:
            str(sentence)
        except (KeyError, TypeError, ValueError):
            return None
        return sentence


def said(template: str, **values: Value) -> Said:
    """The sentence ``template`` with ``values`` (``said(N_("plan %(plan)s"), plan=7)``)."""
    return Said(template, values)


def render(template: str, values: Mapping[str, Value], say: Callable[[Said], str]) -> str:
    """Fill the placeholders of ``template`` once, left to right; a nested :class:`Said`
    is said by ``say``, other values with their own conversion (English: ``%`` rules).

    A value is never scanned for placeholders, so text from a file stays data; without
    values the template is returned as it is (gettext's rule)."""
    if not values:
        return template

    def fill(m: re.Match[str]) -> str:
        name, spec = m.group(1), m.group(2)
        if name is None:
            return "%"
        value = values[name]
        if isinstance(value, Said):
            return say(value)
        return str(("%" + spec) % (value,))

    return PLACEHOLDER.sub(fill, template)


class IngenioError(Exception):
    """An expected failure with a one-line message and a ``kind``.

    Parameters
    ----------
    message : str or Said
        One line fit to show a user; a :class:`Said` sentence can be translated at the
        edge (``str(error)`` is always its English).
    kind : ErrorKind, optional
        Overrides the class's default kind.
    issues : sequence, optional
        The field issues of an ``invalid`` error (``ingenio.domain.Issue``).
    code : str, optional
        A stable machine code for clients (default: the kind).
    """

    default_kind: ClassVar[ErrorKind] = "invalid"

    def __init__(
        self,
        message: str | Said = "",
        *,
        kind: ErrorKind | None = None,
        issues: Sequence[object] = (),
        code: str | None = None,
    ) -> None:
        super().__init__(str(message))
        self.said: Said = message if isinstance(message, Said) else Said(str(message))
        chosen = kind or type(self).default_kind
        if chosen not in KINDS:
            raise ValueError(f"unknown error kind {chosen!r} (choose from {', '.join(KINDS)})")
        self.kind: ErrorKind = chosen
        self.issues: Sequence[object] = list(issues)
        self.code: str = code or chosen
