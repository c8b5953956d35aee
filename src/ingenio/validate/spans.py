"""Whether a record's ``[start, end)`` is an interval of the horizon (battery flows,
generator runs). Private helper of :mod:`ingenio.validate`."""

from __future__ import annotations

from ingenio.domain import N_, Said, said


def span_fault(what: Said, start: int, end: int, horizon: int, empty: str) -> Said | None:
    """Why ``[start, end)`` of the record ``what`` is no interval of ``[0, horizon]``:
    empty (the sentence ``empty``, with ``%(what)s``) or outside; None when it is one."""
    if end <= start:
        return said(empty, what=what)
    if start < 0 or end > horizon:
        return said(
            N_("%(what)s is outside the horizon [0, %(horizon)s]"), what=what, horizon=horizon
        )
    return None
