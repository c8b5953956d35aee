"""eskom-calendar's stage files into a block's stage schedule and forecast.

Fixtures in the shapes the project publishes:

* ``eskom-calendar-area-15.csv``: days 14-16 of an area schedule
  (``date_of_month,start_time,finsh_time,stage``, one row per range and stage). On the
  15th stage 2 is off 06:00-08:30 and 22:00-00:30 (into the 16th); on the 16th stage 4
  is off 06:00-08:30, 14:00-16:30 and 22:00-00:30.
* ``eskom-calendar-timeline.yaml``: national stage 2 on the morning of the 15th, stage 0,
  then stage 4 from 16:00 on the 16th; Cape Town (``include: coct``) stage 1 both days.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_stage_import import may_portfolio

from ingenio.domain import DomainError, Window
from ingenio.formats.outages import ParseOptions, parse_outages
from ingenio.formats.outages.eskom_stages import (
    eskom_area_schedule,
    eskom_stage_timeline,
    timeline_forecast,
)
from ingenio.services.context import Context
from ingenio.services.stages import Timeline, import_stage_schedule

OUTAGES = Path(__file__).resolve().parents[1] / "fixtures" / "outages"
AREA = OUTAGES / "eskom-calendar-area-15.csv"
TIMELINE = OUTAGES / "eskom-calendar-timeline.yaml"
SAST = ZoneInfo("Africa/Johannesburg")
MAY = [date(2023, 5, d) for d in (14, 15, 16)]


def test_area_schedule_per_date_and_stage() -> None:
    days = eskom_area_schedule(AREA.read_text(), AREA.name, MAY)
    assert [d["date"] for d in days] == ["2023-05-14", "2023-05-15", "2023-05-16"]
    stages = days[1]["stages"]
    assert isinstance(stages, list) and len(stages) == 8
    assert stages[0] == ["06:00-08:30"]
    assert stages[1] == ["06:00-08:30", "22:00-00:30"]
    assert stages[7] == [
        "04:00-06:30",
        "06:00-08:30",
        "12:00-14:30",
        "14:00-16:30",
        "20:00-22:30",
        "22:00-00:30",
    ]


def test_area_schedule_midnight_end_and_finish_spelling() -> None:
    # buffalo-city rows end at 00:00 ("12,21:00,00:00,1"): the range runs to midnight
    text = "date_of_month,stage,start_time,finish_time\n12,1,21:00,00:00\n1,1,0:00,3:00\n"
    days = eskom_area_schedule(text, "b.csv", [date(2023, 5, 12), date(2023, 6, 1)])
    assert [d["stages"][0] for d in days] == [["21:00-24:00"], ["00:00-03:00"]]  # type: ignore[index]


def test_area_schedule_hostile_rows_name_line_column_and_value() -> None:
    text = (
        "date_of_month,start_time,finsh_time,stage\n"
        "32,02:00,04:30,7\n"
        "1,25:00,04:30,7\n"
        "1,02:00,02:00,3\n"
        "1,02:00,04:30,9\n"
        "1,02:00,04:30\n"
        "1,<b>,04:30,2\n"
    )
    with pytest.raises(DomainError) as err:
        eskom_area_schedule(text, "area.csv", MAY)
    lines = str(err.value).splitlines()
    assert lines[0].startswith("area.csv: line 2, column date_of_month: day of the month")
    assert "(got '32')" in lines[0]
    assert any("line 3, column start_time: expected a time HH:MM (got '25:00')" in x for x in lines)
    assert any("line 4" in x and "empty" in x for x in lines)
    bad_stage = "line 5, column stage: stage must be an integer 1 to 8 (got '9')"
    assert any(bad_stage in x for x in lines)
    assert any("line 6" in x and "expected 4 fields" in x for x in lines)
    assert any("line 7" in x and "'<b>'" in x for x in lines)
    with pytest.raises(DomainError, match="finsh_time"):
        eskom_area_schedule("date_of_month,start_time,stage\n1,02:00,4\n", "a.csv", MAY)
    with pytest.raises(DomainError, match="no schedule rows"):
        eskom_area_schedule("date_of_month,start_time,finsh_time,stage\n", "a.csv", MAY)


def test_timeline_by_region_and_highest_stage_per_date() -> None:
    text = TIMELINE.read_text()
    national = eskom_stage_timeline(text, TIMELINE.name, SAST)
    assert [(c.stage, c.start.day, c.start.hour) for c in national] == [
        (2, 15, 5),
        (0, 15, 16),
        (4, 16, 16),
    ]
    assert timeline_forecast(national, MAY, SAST) == [
        {"date": "2023-05-15", "stage": 2, "probability": 1.0},
        {"date": "2023-05-16", "stage": 4, "probability": 1.0},
    ]
    cape = eskom_stage_timeline(text, TIMELINE.name, SAST, "coct")
    assert [c.stage for c in cape] == [1]
    assert [r["stage"] for r in timeline_forecast(cape, MAY, SAST)] == [1, 1]


def test_timeline_shapes_of_the_project_tests() -> None:
    # several documents (history): the last, combined one is read; seconds are dropped,
    # and a change empty once they are is left out; changes over midnight and year ends
    text = (
        "---\nchanges:\n  - stage: 1\n    start: 2000-01-01T00:00:00\n"
        "    finsh: 2000-01-01T00:59:00\nhistorical_changes: []\n"
        "---\nchanges:\n"
        "  - stage: 1\n    start: 2000-12-31T22:00:00\n    finsh: 2001-01-01T01:00:00\n"
        "  - stage: 2\n    start: 2000-01-01T00:00:01\n    finsh: 2000-01-01T00:00:02\n"
        "historical_changes: []\n"
    )
    changes = eskom_stage_timeline(text, "t.yaml", SAST)
    assert [(c.stage, c.start.year, c.end.year) for c in changes] == [(1, 2000, 2001)]
    days = [date(2000, 12, 31), date(2001, 1, 1), date(2001, 1, 2)]
    assert [r["date"] for r in timeline_forecast(changes, days, SAST)] == [
        "2000-12-31",
        "2001-01-01",
    ]


def test_timeline_hostile_changes_name_line_field_and_value() -> None:
    text = (
        "changes:\n"
        "  - stage: x\n    start: 2023-05-15T05:00:00\n    finsh: 2023-05-15T06:00:00\n"
        "  - stage: 2\n    start: yesterday\n    finsh: 2023-05-15T06:00:00\n"
        "  - stage: 2\n    start: 2023-05-15T07:00:00\n    finsh: 2023-05-15T06:00:00\n"
        "  - stage: 2\n    start: 2023-05-15T07:00:00\n"
        "  - just text\n"
    )
    with pytest.raises(DomainError) as err:
        eskom_stage_timeline(text, "t.yaml", SAST)
    lines = str(err.value).splitlines()
    assert lines[0] == (
        "t.yaml: line 2, changes[0].stage: stage must be an integer 0 to 8 (got 'x')"
    )
    assert any("line 6, changes[1].start" in x and "'yesterday'" in x for x in lines)
    assert any("line 10, changes[2].finsh: must not be before start" in x for x in lines)
    assert any("line 11, changes[3]: missing finsh" in x for x in lines)
    assert any("line 13, changes[4]: expected a mapping" in x for x in lines)
    with pytest.raises(DomainError, match="no list of changes"):
        eskom_stage_timeline("changes: 3\n", "t.yaml", SAST)
    with pytest.raises(DomainError, match="not valid YAML"):
        eskom_stage_timeline("changes: [\n", "t.yaml", SAST)
    with pytest.raises(DomainError, match="nested too deeply"):
        eskom_stage_timeline("changes: " + "[" * 5000 + "]" * 5000 + "\n", "t.yaml", SAST)


def test_machine_friendly_csv_in_its_published_column_order() -> None:
    text = (
        "area_name,stage,start,finsh,source\n"
        "free-state-seretse,4,2022-09-10T10:00:00+02:00,2022-09-10T12:30:00+02:00,"
        '"https://twitter.com/Eskom_SA/status/1568494585113976835"\n'
    )
    feed = parse_outages(text, "eskom-calendar", "mf.csv", ParseOptions("Africa/Johannesburg"))
    (window,) = feed.areas["free-state-seretse"]
    assert (window.start.hour, window.end.hour, window.end.minute) == (8, 10, 30)


def test_import_area_schedule_with_the_timeline(ctx: Context, tmp_path: Path) -> None:
    done = import_stage_schedule(
        ctx,
        AREA,
        str(may_portfolio(tmp_path)),
        "B",
        fmt="eskom-calendar",
        timeline=Timeline(TIMELINE),
    )
    assert done.dates == ("2023-05-14", "2023-05-15", "2023-05-16")
    assert done.area == "eskom-calendar-area-15"
    # stage 2 on the 15th, stage 4 on the 16th (minutes from 15 May 00:00)
    assert done.portfolio.grid_off("P") == (
        Window(360, 510),
        Window(1320, 1470),
        Window(1800, 1950),
        Window(2280, 2430),
        Window(2760, 2910),
    )
    # --forecast replaces the timeline's date: stage 1 on the 16th
    again = import_stage_schedule(
        ctx,
        AREA,
        str(may_portfolio(tmp_path)),
        "B",
        ["2023-05-16=1:1.0"],
        fmt="eskom-calendar",
        timeline=Timeline(TIMELINE),
    )
    assert again.portfolio.grid_off("P")[2:] == (Window(2280, 2430),)
