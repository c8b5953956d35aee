"""An area's whole stage schedule from an EskomSePush API v2 ``area`` response.

``schedule.days[]`` holds, per date, ``stages``: eight lists (stages 1..8) of local
``"HH:MM-HH:MM"`` ranges, the shape of a block's ``load_shedding.schedule`` in the
portfolio file (``docs/formats.md``), which this reader returns as file documents.
Every problem is reported at once with the line and the JSON path
(``esp.json: line 40, schedule.days[1].stages[3][0]: ... (got '25:00-02:30')``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ingenio.domain import N_, STAGES, said
from ingenio.formats.outages.esp_json import _load
from ingenio.formats.outages.feed import Problems

_RANGE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")


def _is_date(value: object) -> bool:
    """True for ``YYYY-MM-DD`` text of a real date."""
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def esp_stage_schedule(text: str, source: str) -> tuple[str, list[dict[str, Any]]]:
    """The area name (``info.name``) and its ``load_shedding.schedule`` entries.

    Raises
    ------
    DomainError
        Listing every problem: a missing ``schedule.days``, a date that is not
        ``YYYY-MM-DD`` or comes twice, a day without exactly eight stage lists, a range
        that is not ``HH:MM-HH:MM``.
    """
    problems = Problems(source)
    data, line_of = _load(text, problems)
    area = ""
    info = data.get("info") if isinstance(data, dict) else None
    if isinstance(info, dict) and isinstance(info.get("name"), str) and info["name"]:
        area = info["name"]
    else:
        problems.add(line_of(data), said(N_("missing the area name")), None, "info.name")
    schedule = data.get("schedule") if isinstance(data, dict) else None
    days = schedule.get("days") if isinstance(schedule, dict) else None
    if not isinstance(days, list) or not days:
        problems.add(
            line_of(schedule) or line_of(data), said(N_("no list of days")), None, "schedule.days"
        )
        problems.raise_if_any()
        return area, []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, day in enumerate(days):
        path = f"schedule.days[{i}]"
        if not isinstance(day, dict):
            problems.add(line_of(days), said(N_("expected an object")), day, path)
            continue
        when = day.get("date")
        if not _is_date(when):
            problems.add(
                line_of(when) or line_of(day), said(N_("expected YYYY-MM-DD")), when, f"{path}.date"
            )
            continue
        if when in seen:
            problems.add(line_of(when), said(N_("date given twice")), when, f"{path}.date")
            continue
        seen.add(str(when))
        stages = day.get("stages")
        if not isinstance(stages, list) or len(stages) != STAGES:
            n = len(stages) if isinstance(stages, list) else "no"
            msg = f"expected {STAGES} lists of ranges (stages 1..{STAGES}), found {n}"
            problems.add(line_of(stages) or line_of(day), msg, None, f"{path}.stages")
            continue
        lists: list[list[str]] = []
        for s, ranges in enumerate(stages):
            where = f"{path}.stages[{s}]"
            if not isinstance(ranges, list):
                problems.add(line_of(stages), said(N_("expected a list of ranges")), ranges, where)
                continue
            good = []
            for j, r in enumerate(ranges):
                if isinstance(r, str) and _RANGE.match(r.replace(" ", "")):
                    good.append(r.replace(" ", ""))
                else:
                    msg = "expected a range HH:MM-HH:MM (local time)"
                    problems.add(line_of(r) or line_of(ranges), msg, r, f"{where}[{j}]")
            lists.append(good)
        out.append({"date": str(when), "stages": lists})
    problems.raise_if_any()
    return area, out
