"""Errors the domain raises when an object is built from values that cannot be true."""

from __future__ import annotations

from dataclasses import dataclass

from ingenio.errors import IngenioError


@dataclass(frozen=True)
class Issue:
    """One problem found in input data.

    ``path`` names the field (``orders[3].due``), ``value`` is what was found.
    """

    path: str
    message: str
    value: object = None

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
