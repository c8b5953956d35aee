"""Errors the domain raises when an object is built from values that cannot be true."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingenio.errors import N_, IngenioError, Said

GOT = N_("got %(value)s")
"""The tail of an issue line naming the value found (the value is its ``repr``)."""


@dataclass(frozen=True)
class Issue:
    """One problem found in input data.

    ``path`` names the field (``orders[3].due``), ``value`` is what was found.
    ``said`` is the message as a sentence an edge can say in the user's language
    (``ingenio.i18n.Translator.issue``); ``message`` is its English text.
    """

    path: str
    message: str
    value: object = None
    said: Said | None = field(default=None, compare=False)

    @classmethod
    def of(cls, path: str, sentence: Said, value: object = None) -> Issue:
        """The issue whose message is ``sentence`` (English text kept in ``message``)."""
        return cls(path, str(sentence), value, sentence)

    def render(self, source: str | None = None) -> str:
        """Return ``source: path: message (got VALUE)``."""
        head = f"{source}: " if source else ""
        got = "" if self.value is None else f" (got {self.value!r})"
        return f"{head}{self.path}: {self.message}{got}"


class DomainError(IngenioError, ValueError):
    """Raised with every issue found, never just the first (kind ``invalid``)."""

    issues: list[Issue]

    def __init__(self, issues: list[Issue], source: str | None = None) -> None:
        super().__init__("\n".join(i.render(source) for i in issues), kind="invalid")
        self.issues = list(issues)
        self.source = source
