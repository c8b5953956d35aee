"""The command line's language: sentences, numbers and dates in es, ru or en.

The language is ``--lang`` when given, else ``INGENIO_LANG``, else the POSIX locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English (:func:`ingenio.i18n.from_environment`).
Every sentence the CLI prints is ``_("English text with %(name)s placeholders", name=...)``
(catalogue domain ``cli``); numbers go through :func:`num`, :func:`signed` and :func:`pct`,
dates through :func:`clock`. Machine output (``--json``) uses none of these: it stays the
same in every language.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from rich.markup import escape

from ingenio.i18n import LANGUAGES, Translator, from_environment, translator

__all__ = [
    "N_",
    "_",
    "clock",
    "current",
    "figure",
    "marked",
    "num",
    "pct",
    "service_text",
    "signed",
    "tr",
    "use",
    "word",
]

NONE = "–"
"""What a missing figure prints as, in every language."""

_chosen: dict[str, str] = {}


def use(lang: str | None) -> str:
    """Speak ``lang`` from now on (None or an unknown code: the environment's); returns it."""
    if lang in LANGUAGES:
        _chosen["lang"] = str(lang)
    else:
        _chosen.pop("lang", None)
    return current()


def current() -> str:
    """The language the CLI speaks now."""
    return _chosen.get("lang") or from_environment()


def tr() -> Translator:
    """The translator of the current language."""
    return translator(current())


def _(message: str, **values: object) -> str:
    """``message`` (an English msgid) in the current language, placeholders filled.

    The ``cli`` catalogue is read first: a short id such as ``late`` or ``plant`` may have
    another wording in the web's catalogue (which wins in the merged one), and a table
    header must read as the CLI's translator wrote it.
    """
    return tr().gettext(message, "cli", **values)


def marked(style: str, text: str) -> str:
    """``text`` (escaped) in a Rich style, e.g. ``marked("red", _("error:"))``."""
    return f"[{style}]{escape(text)}[/{style}]"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (module constants)."""
    return message


def num(value: float | None, digits: int = 0) -> str:
    """A number with the locale's separators: es 1.234,5; ru 1 234,5; en 1,234.5."""
    if value is None:
        return NONE
    return tr().number(value, digits)


def figure(value: float, digits: int = 6) -> str:
    """A measured figure as read (no grouping, no padding zeros: 1370, 0,5), like ``:g``."""
    return format_decimal(value, format="0." + "#" * digits, locale=current())


def signed(value: float | None, digits: int = 0) -> str:
    """A change with its sign always shown (+1,234 / -56)."""
    if value is None:
        return NONE
    body = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=f"+{body};-{body}", locale=current())


def pct(value: float | None, digits: int = 1) -> str:
    """A share as a percentage in the locale (0.123 -> 12.3% / 12,3%)."""
    if value is None:
        return NONE
    body = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_percent(value, format=f"{body}%", locale=current())


def clock(moment: datetime | date | None, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """A date or time with a CLDR pattern; weekday and month names in the locale.

    The default keeps ISO order (sortable, unambiguous in every language); ``EEE`` is
    the short weekday (Mon, lun, пн).
    """
    if moment is None:
        return NONE
    if isinstance(moment, datetime):
        return format_datetime(moment, pattern, locale=current())
    return format_date(moment, pattern, locale=current())


def service_text(text: str) -> str:
    """A sentence a service made (a stage label, a binding constraint): its translation
    when some catalogue has it (the ``messages`` domain), else as it came."""
    return tr().gettext(text)


WORDS = (
    # order statuses (OrderStatus), plan states, kinds of change (plan diff, what-if)
    N_("on time"), N_("late"), N_("unscheduled"),
    N_("draft"), N_("approved"), N_("published"),
    N_("moved"), N_("became late"), N_("dropped"), N_("recovered"), N_("added"), N_("removed"),
    N_("became unscheduled"), N_("later"), N_("earlier"),
    # kinds of actuals
    N_("production"), N_("downtime"), N_("fuel receipts"), N_("fuel draws"), N_("meter readings"),
    # solver statuses of a saved plan, telemetry suggestions
    N_("optimal"), N_("feasible"), N_("fallback"), N_("time limit"), N_("infeasible"),
    N_("error"), N_("cancelled"), N_("open"), N_("accepted"), N_("dismissed"),
    # buckets of --by
    N_("day"), N_("week"), N_("month"),
)  # fmt: skip
"""The words of the enumerations the tables show, marked for the catalogue."""


def word(value: object) -> str:
    """An enumeration's value as a word of the language (``on_time`` -> on time / a tiempo);
    a value the catalogue does not know is shown with spaces for underscores."""
    return _(str(value).replace("_", " "))
