"""Outage-schedule readers: each fixture parses to the expected windows; broken files
give every problem by line; midnight-crossing ranges and daylight-saving changes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ingenio.domain import Block, DomainError, OutageWindow, Window
from ingenio.energy.outage_import import apply_outages, import_outages, merge_max
from ingenio.energy.rotation import RotationParams, rotation_plan
from ingenio.formats.outages import (
    FORMATS,
    OutageMapping,
    ParseOptions,
    feed_document,
    hours_per_day,
    parse_mapping,
    parse_outages,
    read_outages,
)
from ingenio.formats.outages.une import read_mw
from ingenio.formats.portfolio import load_portfolio

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OUT = FIXTURES / "outages"
HAVANA = ZoneInfo("America/Havana")
JOBURG = ZoneInfo("Africa/Johannesburg")
SA = ParseOptions(timezone="Africa/Johannesburg")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, zone: ZoneInfo = HAVANA) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=zone)


def paths(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [i.path for i in exc.value.issues]


def spans(feed_windows: tuple[object, ...]) -> list[tuple[datetime, datetime, float]]:
    return [(w.start, w.end, w.probability) for w in feed_windows]  # type: ignore[attr-defined]


def test_every_format_has_a_reader() -> None:
    assert set(FORMATS) == {"csv", "ics", "esp-json", "eskom-calendar", "une"}
    with pytest.raises(DomainError, match="unknown format"):
        parse_outages("", "xlsx", "x", ParseOptions())


# -- csv ---------------------------------------------------------------------------------


def test_csv_fixture_two_weeks_of_havana_blocks() -> None:
    feed = read_outages(OUT / "havana-blocks.csv", "csv", ParseOptions())
    assert sorted(feed.areas) == ["B1", "B2", "B3", "B4", "B5", "B6"]
    assert feed.window_count == 14 * 6 + 14
    b1 = feed.areas["B1"]
    assert (b1[0].start, b1[0].end, b1[0].probability, b1[0].line) == (
        at(2026, 4, 6, 10),
        at(2026, 4, 6, 14),
        1.0,
        6,
    )
    assert (b1[1].start, b1[1].probability) == (at(2026, 4, 6, 14), 0.5)  # the reserve block
    # "22:00,02:00": the end clock time is on the next day (midnight crossing)
    b5 = feed.areas["B5"][0]
    assert (b5.start, b5.end) == (at(2026, 4, 6, 22), at(2026, 4, 7, 2))
    assert feed.span == (at(2026, 4, 6, 10), at(2026, 4, 20, 2))
    per_day = hours_per_day(feed.areas["B5"], HAVANA)
    assert per_day[date(2026, 4, 6)] == (2.0, 2.0)
    assert per_day[date(2026, 4, 7)][0] == 2.0 + 4.0  # 00:00-02:00 and 18:00-22:00


def test_csv_broken_reports_every_row_by_line() -> None:
    with pytest.raises(DomainError) as exc:
        read_outages(OUT / "broken-blocks.csv", "csv", ParseOptions())
    assert paths(exc) == [
        "line 4, column start",
        "line 5, column end",
        "line 6, column probability",
        "line 7, column block",
        "line 8",
        "line 9",
        "line 10, column start",
        "line 11, column start",
    ]
    text = str(exc.value)
    assert "broken-blocks.csv: line 9: overlaps the window of line 3" in text
    assert "happens twice" in text and "does not exist" in text


def test_csv_daylight_saving_with_offsets_and_percentages() -> None:
    text = (
        "block,probability,start,end\n"
        "B1,100%,2026-11-01T00:30-04:00,2026-11-01T00:30-05:00\n"  # the repeated hour
        "B2,50%,2026-03-07T23:00,2026-03-08T02:00\n"  # across the spring change
        "B3,0.25,2026-04-06T22:00,24:00\n"
    )
    feed = parse_outages(text, "csv", "dst.csv", ParseOptions())
    assert feed.areas["B1"][0].minutes == 60
    assert feed.areas["B2"][0].minutes == 120 and feed.areas["B2"][0].probability == 0.5
    assert feed.areas["B3"][0].end == at(2026, 4, 7)


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("# only a comment\n", "(file)", "no header row"),
        ("block,begin,end\nB1,x,y\n", "line 1, column 2", "unknown column"),
        ("block,start\n", "line 1", "lacks column(s) end"),
    ],
)
def test_csv_bad_headers(text: str, path: str, message: str) -> None:
    with pytest.raises(DomainError) as exc:
        parse_outages(text, "csv", "h.csv", ParseOptions())
    assert any(i.path == path and message in i.message for i in exc.value.issues)


# -- ics ---------------------------------------------------------------------------------


def test_ics_fixture_tzid_utc_floating_duration_rrule() -> None:
    feed = read_outages(OUT / "havana-week.ics", "ics", ParseOptions())
    assert sorted(feed.areas) == [f"Bloque {i}" for i in range(1, 7)]
    assert spans(feed.areas["Bloque 1"]) == [
        (at(2026, 4, 6, 10), at(2026, 4, 6, 14), 1.0),
        (at(2026, 4, 9, 10), at(2026, 4, 9, 14), 1.0),  # floating: local to the zone
    ]
    assert spans(feed.areas["Bloque 3"]) == [(at(2026, 4, 6, 22), at(2026, 4, 7, 2), 1.0)]
    assert spans(feed.areas["Bloque 4"]) == [(at(2026, 4, 7, 14), at(2026, 4, 7, 18), 0.5)]
    starts = [w.start for w in feed.areas["Bloque 5"]]  # COUNT=5 minus one EXDATE
    assert starts == [at(2026, 4, d, 6) for d in (6, 7, 9, 10)]
    b6 = feed.areas["Bloque 6"][0]  # UTC
    assert b6.start == datetime(2026, 4, 8, 14, tzinfo=UTC) == at(2026, 4, 8, 10)
    assert feed.areas["Bloque 1"][0].line == 27  # the DTSTART line
    assert feed.notes == ("1 cancelled event(s) left out",)


def test_ics_area_property_is_configurable() -> None:
    by_summary = read_outages(OUT / "havana-week.ics", "ics", ParseOptions(area_property="SUMMARY"))
    assert len(by_summary.areas["Afectación programada"]) == 4
    text = (OUT / "havana-week.ics").read_text(encoding="utf-8").replace("SUMMARY:", "X-BLOQUE:")
    feed = parse_outages(text, "ics", "x.ics", ParseOptions(area_property="x-bloque"))
    assert "Afectación programada (rotación diaria)" in feed.areas


def test_ics_broken_reports_every_event_by_line() -> None:
    with pytest.raises(DomainError) as exc:
        read_outages(OUT / "broken.ics", "ics", ParseOptions())
    assert paths(exc) == [
        "line 7, DTEND",
        "line 12, DTSTART",
        "line 13, DTEND",
        "line 20, RRULE",
        "line 23, DTSTART",
        "line 28, SUMMARY",
    ]
    assert "repeats forever" in str(exc.value) and "unknown TZID" in str(exc.value)


def test_ics_daylight_saving_and_all_day_events() -> None:
    text = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//t//t//ES",
            "BEGIN:VEVENT",
            "UID:a",
            "DTSTART;TZID=America/Havana:20261031T220000",
            "DTEND;TZID=America/Havana:20261101T020000",
            "LOCATION:B1",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:b",
            "DTSTART;VALUE=DATE:20260308",
            "LOCATION:B2",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    feed = parse_outages(text, "ics", "dst.ics", ParseOptions())
    assert feed.areas["B1"][0].minutes == 5 * 60  # the clocks go back at 01:00
    assert feed.areas["B2"][0].minutes == 23 * 60  # a day of 23 hours


# -- esp-json ----------------------------------------------------------------------------


def test_esp_json_events() -> None:
    feed = read_outages(OUT / "esp-soweto.json", "esp-json", SA)
    assert list(feed.areas) == ["Soweto (12)"]
    windows = feed.areas["Soweto (12)"]
    assert [w.note for w in windows] == ["Stage 4", "Stage 6", "Stage 6", "Stage 4"]
    crossing = windows[2]
    assert (crossing.start, crossing.end) == (
        at(2023, 5, 15, 22, zone=JOBURG),
        at(2023, 5, 16, 0, 30, zone=JOBURG),
    )
    assert feed.span == (at(2023, 5, 15, 8, zone=JOBURG), at(2023, 5, 16, 18, 30, zone=JOBURG))


def test_esp_json_schedule_of_a_stage() -> None:
    stage4 = read_outages(
        OUT / "esp-soweto.json", "esp-json", ParseOptions("Africa/Johannesburg", 4)
    )
    windows = stage4.areas["Soweto (12)"]
    local = [(w.start.astimezone(JOBURG), w.end.astimezone(JOBURG)) for w in windows]
    first_day = [(s, e) for s, e in local if s.date() == date(2023, 5, 15)]
    assert [(s.hour, e.hour, e.minute) for s, e in first_day] == [
        (4, 6, 30),
        (8, 10, 30),
        (14, 16, 30),
        (18, 20, 30),
    ]
    assert stage4.span == (at(2023, 5, 15, zone=JOBURG), at(2023, 5, 22, zone=JOBURG))
    assert all(w.line > 0 for w in windows)
    stage8 = read_outages(
        OUT / "esp-soweto.json", "esp-json", ParseOptions("Africa/Johannesburg", 8)
    )
    # "22:00-00:30" crosses midnight and merges with the next day's "00:00-02:30" ...
    night = next(
        w for w in stage8.areas["Soweto (12)"] if w.start == at(2023, 5, 15, 22, zone=JOBURG)
    )
    assert night.end == at(2023, 5, 16, 6, 30, zone=JOBURG)

    # ... and each stage extends the one below it
    def minutes(feed: object) -> int:
        return sum(w.minutes for w in feed.areas["Soweto (12)"])  # type: ignore[attr-defined]

    assert minutes(stage8) > minutes(stage4)


def test_esp_json_broken_events_and_schedule() -> None:
    with pytest.raises(DomainError) as exc:
        read_outages(OUT / "broken-esp.json", "esp-json", SA)
    assert paths(exc) == [
        "line 8, events[1].end",
        "line 13, events[2].end",
        "line 20, events[3].start",
    ]
    with pytest.raises(DomainError) as exc:
        read_outages(OUT / "broken-esp.json", "esp-json", ParseOptions("Africa/Johannesburg", 4))
    assert [p.split(", ")[1] for p in paths(exc)] == [
        "schedule.days[1].date",
        "schedule.days[2].stages[3][1]",
    ]
    with pytest.raises(DomainError, match="line 1: JSON syntax error"):
        parse_outages("{]", "esp-json", "x.json", SA)


# -- eskom-calendar ----------------------------------------------------------------------


def test_eskom_calendar_fixture_and_stage_filter() -> None:
    feed = read_outages(OUT / "eskom-calendar.csv", "eskom-calendar", SA)
    assert {a: len(ws) for a, ws in feed.areas.items()} == {
        "city-of-cape-town-area-15": 5,
        "city-power-4b": 4,
        "gauteng-tshwane-group-7": 3,
    }
    crossing = feed.areas["city-of-cape-town-area-15"][3]
    assert (crossing.end - crossing.start) == timedelta(hours=2, minutes=30)
    assert crossing.note == "Stage 5" and crossing.line == 5
    five = read_outages(OUT / "eskom-calendar.csv", "eskom-calendar", ParseOptions(SA.timezone, 5))
    assert five.window_count == 4 and "8 row(s) of other stages" in five.notes[0]


def test_eskom_calendar_broken_and_the_finsh_column() -> None:
    with pytest.raises(DomainError) as exc:
        read_outages(OUT / "broken-eskom-calendar.csv", "eskom-calendar", SA)
    assert paths(exc) == [
        "line 3, column finsh",
        "line 4, column stage",
        "line 5, column start",
        "line 7",
    ]
    text = "area_name,start,finish,stage,source\n"
    with pytest.raises(DomainError, match="spells the end column `finsh`"):
        parse_outages(text, "eskom-calendar", "e.csv", SA)


# -- une ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "mw"),
    [
        ("1 950", 1950),
        ("1\u202f950", 1950),
        ("1\u00a0950", 1950),
        ("1.950", 1950),
        ("3250", 3250),
        ("36,5", 36.5),
        ("1 234 567", 1234567),
    ],
)
def test_une_numbers(raw: str, mw: float) -> None:
    assert read_mw(raw) == mw


@pytest.mark.parametrize("raw", ["1,95O", "1 95O", "19 50"])
def test_une_ambiguous_numbers(raw: str) -> None:
    with pytest.raises(ValueError):
        read_mw(raw)


def test_une_report_figures_and_rotation() -> None:
    feed = read_outages(OUT / "une-2026-04-06.txt", "une", ParseOptions())
    report = feed.forecast
    assert report is not None and report.day == date(2026, 4, 6)
    assert (report.availability.mw, report.demand.mw, report.deficit.mw, report.afectacion.mw) == (
        1950,
        3250,
        1300,
        1370,
    )
    assert report.afectacion.line == 16 and not report.afectacion_derived
    assert (report.status_time, report.status_availability, report.status_affected) == (
        "07:00",
        report.status_availability,
        report.status_affected,
    )
    assert report.status_demand is not None and report.status_demand.mw == 2850
    assert report.midday_afectacion is not None and report.midday_afectacion.mw == 1050
    assert report.yesterday_max is not None and report.yesterday_max.mw == 1532
    assert report.yesterday_max_time == "18:40"
    plan = feed.rotation
    assert plan is not None and plan.national_mw[19] == pytest.approx(1370)
    assert plan.havana_mw[19] == pytest.approx(137)
    # 0.22 * 3250 * 112/285 / 6 = 46.8 MW a block; ceil(137 / 46.8) = 3 of 6 blocks at the peak
    assert plan.block_mw == pytest.approx(46.83, abs=0.01) and plan.blocks_off[19] == 3
    assert sorted(feed.areas) == ["B1", "B2", "B3", "B4", "B5", "B6"]
    b1 = feed.areas["B1"]
    assert sum(w.minutes * w.probability for w in b1) / 60 == pytest.approx(plan.hours_per_block)
    assert b1[0].start == at(2026, 4, 6) and b1[-1].end == at(2026, 4, 7)
    assert feed_document(feed)["forecast"]["peak"]["afectacion_mw"] == 1370


def test_une_rotation_formula_and_parameters() -> None:
    params = RotationParams(
        blocks=("B1", "B2"), share=0.5, block_mw=100.0, demand_profile=(0.5,) * 23 + (1.0,)
    )
    plan = rotation_plan(1000, 1500, 560, params)  # margin 60 MW
    assert plan.national_mw[23] == 560 and plan.national_mw[0] == 0  # 750 < 1000 - 60
    assert plan.blocks_off[23] == 2 and plan.probability[23] == 1.0
    assert plan.shortfall_mw[23] == pytest.approx(80)  # 280 MW for two 100 MW blocks
    assert plan.hours_per_block == 1.0 and plan.runs() == [(23, 24, 1.0)]
    assert RotationParams(share=0).problems()[0][0] == "share"


def test_une_text_variants_derived_and_dotted() -> None:
    text = (
        "Para el horario pico se pronostica una disponibilidad de 1.290 MW y una "
        "demanda máxima de 3.100 MW, para un déficit de 1.810 MW."
    )
    feed = parse_outages(text, "une", "une.txt", ParseOptions(day=date(2026, 2, 10)))
    assert feed.forecast is not None and feed.forecast.afectacion.mw == 1880
    assert feed.forecast.afectacion_derived and "deficit + 70 MW" in " ".join(feed.notes)
    no_day = parse_outages(text, "une", "une.txt", ParseOptions())
    assert no_day.window_count == 0 and "--date" in no_day.notes[-1]


def test_une_daylight_saving_day_has_23_hours() -> None:
    text = (
        "domingo 8 de marzo de 2026. Se estima una disponibilidad de 1 950 MW y una "
        "demanda máxima de 3 250 MW, para un déficit de 1 300 MW, por lo que se prevé "
        "una afectación de 1 370 MW en este horario."
    )
    feed = parse_outages(text, "une", "une.txt", ParseOptions())
    total = sum(w.minutes for w in feed.areas["B1"])
    assert total == 23 * 60


def test_une_broken_report() -> None:
    with pytest.raises(DomainError) as exc:
        read_outages(OUT / "broken-une.txt", "une", ParseOptions())
    assert paths(exc) == ["line 2", "line 6", "line 6"]
    assert "weekday does not match" in str(exc.value)
    bad_deficit = (
        "Se estima una disponibilidad de 1 950 MW y una demanda máxima de 3 250 MW, "
        "para un déficit de 1 200 MW."
    )
    with pytest.raises(DomainError, match="deficit must be demanda - disponibilidad = 1300"):
        parse_outages(bad_deficit, "une", "u.txt", ParseOptions())
    with pytest.raises(DomainError, match="no peak forecast found"):
        parse_outages("La UNE informa.", "une", "u.txt", ParseOptions())


# -- mapping and apply -------------------------------------------------------------------


def test_mapping_file_checks() -> None:
    m = parse_mapping(
        {"areas": {"Soweto (12)": "B1"}, "une": {"share": 0.2, "block_mw": 50}}, "m.yaml"
    )
    assert m.areas == {"Soweto (12)": "B1"} and m.une.share == 0.2 and m.une.block_mw == 50
    with pytest.raises(DomainError) as exc:
        parse_mapping(
            {"areas": {12: "B1", "x": 3}, "une": {"share": 2, "colour": 1}, "extra": 1}, "m.yaml"
        )
    assert sorted(paths(exc)) == ["areas.12", "areas.x", "extra", "une.colour"]


def test_apply_replaces_the_imported_range_and_merges() -> None:
    portfolio = load_portfolio(FIXTURES / "small.yaml")  # B1: 04-06 10-14, 04-07 18-22 (0.6)
    text = (
        "block,start,end,probability\n"
        "B3,2026-04-07T08:00,2026-04-07T12:00,1\n"
        "B1,2026-04-07T10:00,2026-04-07T16:00,0.5\n"
    )
    feed = parse_outages(text, "csv", "t.csv", ParseOptions())
    mapping = OutageMapping({"B3": "B1"})
    result = import_outages(portfolio, feed, mapping)
    b1 = result.portfolio.block("B1")
    assert b1.outages == (
        portfolio.block("B1").outages[0],  # outside the imported range: kept
        OutageWindow(Window(1920, 2160), 1.0),  # 08:00-12:00 at the highest probability
        OutageWindow(Window(2160, 2400), 0.5),  # 12:00-16:00
        portfolio.block("B1").outages[1],  # 18:00-22:00 is after the range: kept
    )
    assert result.portfolio.block("B2") == portfolio.block("B2")  # no area maps to B2
    assert result.added == {"B1": 2} and result.replaced == {"B1": 0}
    assert portfolio.block("B1").outages[0].window == Window(600, 840)  # input untouched
    with pytest.raises(DomainError) as exc:
        apply_outages(portfolio, feed, OutageMapping({}, source="m.yaml"))
    assert paths(exc) == ["areas.B3"] and "m.yaml" in str(exc.value)
    with pytest.raises(DomainError, match="unknown block"):
        apply_outages(portfolio, feed, OutageMapping({"B3": "B9"}))


def test_apply_cuts_old_windows_at_the_range_and_drops_outside_horizon() -> None:
    portfolio = load_portfolio(FIXTURES / "small.yaml")
    text = "block,start,end\nB1,2026-04-06T12:00,2026-04-06T13:00\nB1,2026-05-01T10:00,11:00\n"
    result = import_outages(portfolio, parse_outages(text, "csv", "t.csv", ParseOptions()))
    windows = [o.window for o in result.portfolio.block("B1").outages]
    assert windows[0] == Window(600, 720) and result.outside == 1
    assert result.replaced == {"B1": 2}  # the range runs to 1 May: the 7 April window goes


def test_merge_max_and_block_invariants() -> None:
    assert merge_max([(0, 10, 0.5), (5, 15, 1.0), (15, 20, 1.0), (30, 40, 0.2)]) == [
        (0, 5, 0.5),
        (5, 20, 1.0),
        (30, 40, 0.2),
    ]
    Block(
        "B",
        "b",
        tuple(
            OutageWindow(Window(s, e), p)
            for s, e, p in merge_max([(0, 100, 0.3), (50, 60, 0.9), (55, 200, 0.1)])
        ),
    )


def test_feed_document_is_json() -> None:
    feed = read_outages(OUT / "havana-blocks.csv", "csv", ParseOptions())
    doc = json.loads(json.dumps(feed_document(feed)))
    assert doc["areas"]["B1"]["windows"][0]["start"] == "2026-04-06T10:00-04:00"
    assert doc["areas"]["B1"]["hours_per_day"]["2026-04-06"] == {
        "hours": 8.0,
        "expected_hours": 6.0,
    }
