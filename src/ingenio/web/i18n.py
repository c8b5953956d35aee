"""Languages of the web app: gettext catalogues (es, ru, en) and CLDR numbers and dates.

The ``.po`` files are read at run time with Babel (no compile step); the language is
the ``ingenio_lang`` cookie (the user's choice, kept for a year), else the best match
of the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

__all__ = ["LANGUAGES", "LANG_COOKIE", "Translator", "catalogue", "choose", "translator"]

LANGUAGES = ("es", "ru", "en")
"""The languages the app speaks; English is the fallback."""

LANG_COOKIE = "ingenio_lang"
"""The cookie that keeps a user's choice of language."""

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid -> msgstr of a language's ``messages.po`` (empty translations left out)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        cat = read_po(f, locale=lang)
    return {str(m.id): m.string for m in cat if m.id and isinstance(m.string, str) and m.string}


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The language for a request: the cookie's when known, else the browser's best."""
    if cookie in LANGUAGES:
        return str(cookie)
    wanted = []
    for part in (accept_language or "").split(",")[:20]:
        tag = part.split(";")[0].strip().replace("-", "_")
        if tag:
            wanted.append(tag)
    found = Locale.negotiate(wanted, list(LANGUAGES)) if wanted else None
    return str(found.language) if found is not None else "en"


@dataclass(frozen=True)
class Translator:
    """Messages, numbers and dates in one language."""

    lang: str

    def gettext(self, message: str, **values: object) -> str:
        """The translation of ``message`` with ``%(name)s`` placeholders filled."""
        text = catalogue(self.lang).get(message, message)
        return text % values if values else text

    def number(self, value: float | None, digits: int = 1) -> str:
        """A number in the locale (es 1.234,5; ru 1 234,5; en 1,234.5)."""
        if value is None:
            return "—"
        fmt = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=fmt, locale=self.lang)

    def when(self, iso: str | None) -> str:
        """A plant-local ISO date-time (no offset) as a short local date and time."""
        if not iso:
            return "—"
        return format_datetime(datetime.fromisoformat(iso), "short", locale=self.lang)


@cache
def translator(lang: str) -> Translator:
    """The translator of a language (English for an unknown one)."""
    return Translator(lang if lang in LANGUAGES else "en")
