"""Turn Pydantic validation errors into domain ``Issue`` objects with readable paths.

A Pydantic location such as ``("plants", 2, "lines", 0, "shifts", 1, "start")``
becomes the path ``plants[2].lines[0].shifts[1].start``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ingenio.domain import N_, DomainError, Issue, Said, said
from ingenio.errors import Value

M = TypeVar("M", bound=BaseModel)

_MAX_SHOWN = 60
_SCALARS = (str, int, float, bool)


class Shown:
    """A shortened stand-in for a large offending value, so messages stay one line."""

    def __init__(self, value: object) -> None:
        text = repr(value)
        self.text = text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Shown) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def shown(value: object) -> object:
    """``value`` itself when it is a short scalar, else a shortened ``Shown`` copy."""
    if value is None or (isinstance(value, _SCALARS) and len(repr(value)) <= _MAX_SHOWN):
        return value
    return Shown(value)


def loc_to_path(loc: Iterable[int | str]) -> str:
    """Render a Pydantic ``loc`` tuple as ``a.b[3].c``.

    Parameters
    ----------
    loc
        Field names and list indexes, outermost first.

    Returns
    -------
    str
        The dotted path; list indexes in square brackets.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def join_path(prefix: str, *parts: int | str) -> str:
    """Extend ``prefix`` (maybe empty) with field names and list indexes."""
    tail = loc_to_path(parts)
    if not prefix:
        return tail
    if tail.startswith("["):
        return prefix + tail
    return f"{prefix}.{tail}"


# Pydantic's sentence of each common error type, as a template of ours with the
# error's ``ctx`` values (English byte for byte as before: see ``_message``).
_PYDANTIC: dict[str, str] = {
    "int_type": N_("must be a valid integer"),
    "int_parsing": N_("must be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("must be a valid integer, got a number with a fractional part"),
    "float_type": N_("must be a valid number"),
    "float_parsing": N_("must be a valid number, unable to parse string as a number"),
    "finite_number": N_("must be a finite number"),
    "string_type": N_("must be a valid string"),
    "bool_type": N_("must be a valid boolean"),
    "bool_parsing": N_("must be a valid boolean, unable to interpret input"),
    "dict_type": N_("must be a valid dictionary"),
    "list_type": N_("must be a valid list"),
    "greater_than": N_("must be greater than %(gt)s"),
    "greater_than_equal": N_("must be greater than or equal to %(ge)s"),
    "less_than": N_("must be less than %(lt)s"),
    "less_than_equal": N_("must be less than or equal to %(le)s"),
    "multiple_of": N_("must be a multiple of %(multiple_of)s"),
    "literal_error": N_("must be %(expected)s"),
    "enum": N_("must be %(expected)s"),
    "date_type": N_("must be a valid date"),
    "date_parsing": N_("must be a valid date in the format YYYY-MM-DD, %(error)s"),
    "date_from_datetime_parsing": N_("must be a valid date or datetime, %(error)s"),
    "date_from_datetime_inexact": N_(
        "must be a valid date in the format YYYY-MM-DD, time of day must be 00:00"
    ),
    "datetime_type": N_("must be a valid datetime"),
    "datetime_parsing": N_("must be a valid datetime, %(error)s"),
    "datetime_from_date_parsing": N_("must be a valid datetime or date, %(error)s"),
    "time_type": N_("must be a valid time"),
    "time_parsing": N_("must be in a valid time format, %(error)s"),
    "string_too_short": N_("string should have at least %(min_length)s characters"),
    "string_too_long": N_("string should have at most %(max_length)s characters"),
}
_LIST_SIZE: dict[str, str] = {
    "too_short": N_(
        "list should have at least %(min_length)s items after validation, not %(actual_length)s"
    ),
    "too_long": N_(
        "list should have at most %(max_length)s items after validation, not %(actual_length)s"
    ),
}


def _legacy(err: ErrorDetails) -> str:
    """Pydantic's own English sentence, reworded as ours ("must be ...")."""
    msg = err["msg"].removeprefix("Value error, ")
    if msg.startswith("Input should be "):
        return "must be " + msg.removeprefix("Input should be ")
    return msg[:1].lower() + msg[1:]


def _ctx(err: ErrorDetails) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for key, value in err.get("ctx", {}).items():
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            out[key] = int(value)  # Pydantic writes a bound of 0.0 as "0"
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def _message(err: ErrorDetails) -> Said | str:
    """The sentence of a Pydantic error; Pydantic's English text for a type not mapped."""
    kind, loc, value = err["type"], err["loc"], err["input"]
    if kind == "missing":
        return said(N_("required field is missing"))
    if kind == "extra_forbidden":
        return said(N_("unknown field"))
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return said(N_("should be text (put the value in quotes)"))
    if kind == "too_short" and len(loc) >= 3 and loc[-1] == "lines" and loc[-3] == "routing":
        return said(N_("no line can run this step: list at least one line"))
    if kind in ("too_short", "too_long") and loc and loc[-1] == "profile_kw":
        return said(
            N_("must hold 24 hourly values (hours 0 to 23), not %(count)s"), count=len(value)
        )
    if kind == "too_short" and loc and loc[-1] == "shifts":
        return said(N_("must not be empty; leave `shifts` out for a line that runs 24/7"))
    if kind == "too_short" and err.get("ctx", {}).get("min_length") == 1:
        return said(N_("must not be empty"))
    english = _legacy(err)
    template = _PYDANTIC.get(kind) or _LIST_SIZE.get(kind)
    if template is None and (kind == "value_error" or not err.get("ctx")):
        template = english  # a validator's own sentence (N_-marked), said when catalogued
    if template is None:
        return english
    try:
        sentence = Said(template, _ctx(err) if "%(" in template else {})
        if str(sentence) == english:
            return sentence
    except (KeyError, TypeError, ValueError):
        pass
    return english  # Pydantic worded it otherwise (a plural, another field type)


def _issue(path: str, message: Said | str, value: object) -> Issue:
    if isinstance(message, Said):
        return Issue.of(path, message, value)
    return Issue(path, message, value)


def issues_from_validation_error(
    error: ValidationError, prefix: Sequence[int | str] = ()
) -> list[Issue]:
    """One ``Issue`` per Pydantic error, in the order Pydantic found them.

    Parameters
    ----------
    error
        The exception raised by ``model_validate``.
    prefix
        Location of the validated value inside the whole document.

    Returns
    -------
    list of Issue
        Path, readable message and offending value of every error.
    """
    out: list[Issue] = []
    for err in error.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        no_value = err["type"] in ("missing", "extra_forbidden")
        out.append(
            _issue(loc_to_path(loc), _message(err), None if no_value else shown(err["input"]))
        )
    return out


_INDEX = re.compile(r"\[(\d+)\]")


def sort_issues(issues: Iterable[Issue], sections: Sequence[str]) -> list[Issue]:
    """Group issues by top-level section (in ``sections`` order), then by list index.

    File-level issues (paths not naming a section) come first; the order within
    one item is kept, so Pydantic's findings precede the cross-checks.
    """

    def key(issue: Issue) -> tuple[int, int]:
        head = re.split(r"[.\[]", issue.path, maxsplit=1)[0]
        rank = sections.index(head) + 1 if head in sections else 0
        m = _INDEX.search(issue.path)
        return rank, int(m.group(1)) if m and issue.path.startswith(f"{head}[") else -1

    seen: dict[str, Issue] = {}
    for issue in issues:
        seen.setdefault(issue.render(), issue)
    return sorted(seen.values(), key=key)


def version_issues(data: Mapping[str, object], key: str, version: int, source: str) -> list[Issue]:
    """The issue of a missing format version ``key``; raise at once on another version.

    A file of an unsupported version is not checked further: its other
    "problems" would only be the differences between versions.

    Raises
    ------
    DomainError
        If ``data[key]`` is present but is not the integer ``version``.
    """
    if key not in data:
        msg = said(
            N_('format version is missing; add "%(key)s: %(version)s"'), key=key, version=version
        )
        return [Issue.of(key, msg)]
    found = data[key]
    if type(found) is not int or found != version:
        msg = said(
            N_("unsupported format version; this Ingenio reads version %(version)s"),
            version=version,
        )
        raise DomainError([Issue.of(key, msg, shown(found))], source)
    return []


def validate_document(
    data: object, key: str, version: int, model: type[M], source: str
) -> tuple[Mapping[str, object], M | None, list[Issue]]:
    """``data`` validated as ``model``, with the issues found (format version, Pydantic).

    Pydantic's issue at the version ``key`` itself is left out: :func:`version_issues`
    has said it.

    Returns
    -------
    tuple
        ``data`` as a mapping of fields, the model (``None`` when Pydantic refused
        ``data``) and the issues.

    Raises
    ------
    DomainError
        At once when ``data`` is not a mapping of fields or is of another version.
    """
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        msg = said(
            N_("must be a mapping of fields, starting with `%(key)s: %(version)s`"),
            key=key,
            version=version,
        )
        raise DomainError([Issue.of("(file)", msg, shown(data))], source)
    issues = version_issues(data, key, version, source)
    try:
        return data, model.model_validate(data), issues
    except ValidationError as e:
        issues.extend(i for i in issues_from_validation_error(e) if i.path != key)
        return data, None, issues
