"""Values a portfolio file may validate as types yet cannot be planned or stored.

``1e308`` is a float, but a capacity of 1e308 overflows the optimiser's
arithmetic and the store's numbers; a 100,000-character name or one with control
characters breaks terminals, reports and file names. These are refused at
``validate`` with the field's path (limits in ``docs/limits.md``).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping

from ingenio.domain import N_, Issue, Said, said
from ingenio.formats.issues import join_path, shown
from ingenio.limits import MAX_MAGNITUDE, MAX_NAME_LENGTH

MAX_TEXT_LENGTH = 10 * MAX_NAME_LENGTH
"""Other text (notes, descriptions): longer, and may hold line breaks and tabs."""


def _is_name(key: str) -> bool:
    return key in ("id", "name", "after") or key.endswith("_id") or key in (
        "enterprise", "block", "product", "destination", "line", "plant", "resource", "depot",
    )  # fmt: skip


_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _control(c: str) -> bool:
    """C0/C1 controls, line and paragraph separators, and bidirectional overrides."""
    return unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in _BIDI


def _text_problem(text: str, name: bool) -> Said | None:
    limit = MAX_NAME_LENGTH if name else MAX_TEXT_LENGTH
    if len(text) > limit:
        return said(
            N_("is %(length)s characters long; the limit is %(limit)s"),
            length=f"{len(text):,}",
            limit=limit,
        )
    allowed = "" if name else "\n\t"
    bad = next((c for c in text if _control(c) and c not in allowed), None)
    if bad is not None:
        return said(
            N_("contains the control character %(code)s; names must be printable text"),
            code=f"U+{ord(bad):04X}",
        )
    return None


def sanity_issues(data: object) -> list[Issue]:
    """Issues for absurd numbers, over-long text and control characters, by field path."""
    out: list[Issue] = []
    stack: list[tuple[str, str, object]] = [("", "", data)]
    while stack:
        path, key, value = stack.pop()
        if isinstance(value, Mapping):
            for k, v in value.items():
                stack.append((join_path(path, str(k)), str(k), v))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                stack.append((join_path(path, i), key, v))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                continue  # the schema refuses NaN and infinities with its own message
            if abs(value) > MAX_MAGNITUDE:
                msg = said(
                    N_("magnitude beyond %(limit)g; such a number cannot be planned"),
                    limit=MAX_MAGNITUDE,
                )
                out.append(Issue.of(path or "(file)", msg, shown(value)))
        elif isinstance(value, str):
            problem = _text_problem(value, _is_name(key))
            if problem:
                out.append(Issue.of(path or "(file)", problem, shown(value)))
    return sorted(out, key=lambda i: i.path)
