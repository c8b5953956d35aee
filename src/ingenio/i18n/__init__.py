"""Ingenio's three languages: gettext catalogues (es, ru, en) and CLDR numbers and dates.

One catalogue per *domain* and language, ``locale/<lang>/LC_MESSAGES/<domain>.po``, so
that the web app, the command line, the reports and the messages of the services and the
validator each keep their own file. The ``.po`` files are read at run time with Babel (no
compile step); a translator looks a message id up in every domain of its language.

The message ids are the English sentences, with ``%(name)s`` placeholders; English is
the fallback for a message no catalogue has. The pure core does not import this package
(it reads files): it marks its sentences and the edges translate them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from ingenio.domain.errors import GOT, DomainError, Issue
from ingenio.errors import PLACEHOLDER, IngenioError, Said, Value

__all__ = [
    "DOMAINS",
    "LANGUAGES",
    "LOCALE_DIR",
    "Translator",
    "catalogue",
    "choose",
    "domain_catalogue",
    "from_environment",
    "say",
    "say_issue",
    "translator",
]

LANGUAGES = ("es", "ru", "en")
"""The languages Ingenio speaks; English is the fallback."""

DOMAINS = ("web", "cli", "reports", "messages")
"""The catalogues of each language: the web app's pages, the command line's output, the
HTML/Excel reports, and the sentences of the services, the API and the validator."""

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalogue_path(lang: str, domain: str) -> Path:
    """Where a language's catalogue of one domain lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def domain_catalogue(lang: str, domain: str) -> dict[str, str]:
    """msgid -> msgstr of one domain's catalogue (empty translations left out)."""
    path = catalogue_path(lang, domain)
    if not path.exists():
        return {}
    with path.open("rb") as f:
        cat = read_po(f, locale=lang)
    return {str(m.id): m.string for m in cat if m.id and isinstance(m.string, str) and m.string}


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid -> msgstr over every domain of a language (the first domain wins a clash)."""
    merged: dict[str, str] = {}
    for domain in reversed(DOMAINS):
        merged.update(domain_catalogue(lang, domain))
    return merged


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


def from_environment(env: Mapping[str, str] | None = None) -> str:
    """The command line's language: ``INGENIO_LANG``, else the POSIX locale variables
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, e.g. ``ru_RU.UTF-8``), else English."""
    env = os.environ if env is None else env
    for name in ("INGENIO_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if not value:
            continue
        lang = value.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
        if lang in LANGUAGES:
            return lang
        if name == "INGENIO_LANG" or lang not in ("c", "posix"):
            return "en"
    return "en"


@dataclass(frozen=True)
class Translator:
    """Messages, numbers and dates in one language."""

    lang: str

    def gettext(self, message: str, /, domain: str | None = None, **values: object) -> str:
        """The translation of ``message`` with ``%(name)s`` placeholders filled.

        With ``domain``, that domain's catalogue is read first: a short id such as
        ``late`` may be worded otherwise in another domain, which may win in the merged
        catalogue (the CLI reads ``cli`` first, :meth:`say` reads ``messages`` first)."""
        text = self._template(message, domain)
        return text % values if values else text

    def _template(self, message: str, domain: str | None) -> str:
        """``message``'s translation, ``domain``'s first, else the merged catalogue's."""
        first = domain_catalogue(self.lang, domain).get(message) if domain else None
        return first or catalogue(self.lang).get(message, message)

    __call__ = gettext

    def say(self, sentence: Said | str, values: Mapping[str, Value] | None = None) -> str:
        """A :class:`~ingenio.errors.Said` sentence (or a template and its values) in this
        language: the template translated, nested sentences said the same way, numbers
        with a ``%(x).1f``/``%(x)g``/``%(x)d`` conversion in the locale. English is the
        core's own text, byte for byte. Values are filled once and never read as a
        template, so text from a file stays data."""
        if isinstance(sentence, str):
            sentence = Said(sentence, values or {})
        if self.lang == "en":
            return str(sentence)
        # The services' and validator's own catalogue first: a short id such as "grid
        # off" may also be a label of a page, worded for the page.
        text = self._template(sentence.template, "messages")
        if not sentence.values:
            return text
        try:
            return PLACEHOLDER.sub(lambda m: self._fill(m.group(1), m.group(2), sentence), text)
        except (KeyError, TypeError, ValueError):  # a translation that does not fit: English
            return str(sentence)

    def _fill(self, name: str | None, spec: str | None, sentence: Said) -> str:
        if name is None or spec is None:
            return "%"
        value = sentence.values[name]
        if isinstance(value, Said):
            return self.say(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            kind, sign = spec[-1], "+" if "+" in spec and value >= 0 else ""
            if kind == "f":
                digits = int(spec.split(".")[1][:-1]) if "." in spec else 6
                return sign + self.number(value, digits)
            if kind == "g":
                return sign + format_decimal(value, locale=self.lang)
            if kind == "d":
                return sign + self.number(value, 0)
        return str(("%" + spec) % (value,))

    def issue(self, issue: Issue, source: str | None = None) -> str:
        """``source: path: message (got VALUE)`` in this language: the message said from
        the issue's sentence (its English text when it has none); the path and the value
        are data, shown as they are (English: exactly ``issue.render(source)``)."""
        if self.lang == "en" or (issue.said is None and issue.value is None):
            return issue.render(source)
        head = f"{source}: " if source else ""
        message = self.say(issue.said) if issue.said is not None else issue.message
        got = "" if issue.value is None else f" ({self.say(GOT, {'value': repr(issue.value)})})"
        return f"{head}{issue.path}: {message}{got}"

    def error(self, exc: IngenioError) -> str:
        """An error's message in this language: a bad input's issues one a line (each
        said by :meth:`issue`), else its sentence (English: exactly ``str(exc)``)."""
        if isinstance(exc, DomainError) and exc.issues:
            return "\n".join(self.issue(i, exc.source) for i in exc.issues)
        return self.say(exc.said)

    def number(self, value: float | None, digits: int = 1) -> str:
        """A number in the locale (es 1.234,5; ru 1 234,5; en 1,234.5)."""
        if value is None:
            return "—"
        fmt = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=fmt, locale=self.lang)

    def when(self, iso: str | datetime | None) -> str:
        """A plant-local date-time (ISO text without offset, or a datetime) in short form."""
        if not iso:
            return "—"
        moment = datetime.fromisoformat(iso) if isinstance(iso, str) else iso
        return format_datetime(moment, "short", locale=self.lang)

    def day(self, value: date | str | None) -> str:
        """A date in the locale's medium form (es 6 abr 2026; ru 6 апр. 2026 г.)."""
        if not value:
            return "—"
        moment = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(moment, "medium", locale=self.lang)


def say_issue(lang: str, issue: Issue, source: str | None = None) -> str:
    """An input file's issue in ``lang`` (see :meth:`Translator.issue`)."""
    return translator(lang).issue(issue, source)


def say(lang: str, sentence: Said | str, values: Mapping[str, Value] | None = None) -> str:
    """``sentence`` (a :class:`~ingenio.errors.Said`, or a template and its values) in
    ``lang`` (English for an unknown language)."""
    return translator(lang).say(sentence, values)


@cache
def translator(lang: str) -> Translator:
    """The translator of a language (English for an unknown one)."""
    return Translator(lang if lang in LANGUAGES else "en")
