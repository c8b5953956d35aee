"""The portfolio file: every validation rule, round trips, time zones, the JSON Schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingenio.domain import (
    ALWAYS,
    DomainError,
    Horizon,
    Line,
    Portfolio,
    ShiftPattern,
    Window,
    expand_shifts,
)
from ingenio.formats.documents import read_document
from ingenio.formats.portfolio import (
    dump_portfolio,
    load_portfolio,
    parse_portfolio,
    portfolio_json_schema,
    portfolio_json_schema_text,
    portfolio_to_document,
)

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small.yaml"


@pytest.fixture
def doc() -> dict[str, Any]:
    data = read_document(SMALL)
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def problems(data: object) -> dict[str, str]:
    """``{path: message}`` of every issue parse_portfolio finds (it must refuse)."""
    with pytest.raises(DomainError) as caught:
        parse_portfolio(data, "t.yaml")
    issues = caught.value.issues
    assert caught.value.source == "t.yaml"
    out = {i.path: i.message for i in issues}
    assert len(out) == len(issues), f"two issues on one path: {issues}"
    return out


def only(data: object, path: str, words: str) -> None:
    """The file is refused with exactly one issue, at ``path``, saying ``words``."""
    found = problems(data)
    assert list(found) == [path], found
    assert words in found[path], found[path]


# -- the valid fixture ---------------------------------------------------------------


def test_small_fixture_loads() -> None:
    p = load_portfolio(SMALL)
    assert p.name == "Small"
    assert [pl.id for pl in p.plants] == ["P1", "P2"]
    assert p.horizon.minutes == 7 * 1440
    assert p.plant("P2").lines[0].pattern == (ALWAYS,)
    assert p.plant("P2").lines[0].shifts == (Window(0, 7 * 1440),)
    # Monday 06:00-22:00 local, the first day of the horizon.
    assert p.line("P1-MIX").shifts[0] == Window(360, 1320)
    assert p.order("O1").release == 0 and p.order("O1").due == 2 * 1440 + 720
    # Earliest and latest default to expected.
    t2 = p.deliveries[1]
    assert t2.earliest == t2.expected == t2.latest
    assert p.block("B1").outages[1].probability == 0.6
    assert p.product("BREAD").routing[0].resources == {"P1-CREW": 1}
    assert p.resource("P1-CREW").changes == ((4 * 1440, 1),)


# -- file-level problems -----------------------------------------------------------------


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("ingenio: 1\nname: X\norders: [\n  {id: O1\n", encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        load_portfolio(bad)
    (issue,) = caught.value.issues
    assert issue.path.startswith("line ")
    assert "YAML syntax error" in issue.message
    assert str(caught.value).startswith("bad.yaml: line ")


def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"ingenio": 1,\n "name": "X",\n "days" 3}\n', encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        load_portfolio(bad)
    assert [i.path for i in caught.value.issues] == ["line 3"]


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "dup.yaml"
    bad.write_text("ingenio: 1\nname: A\nname: B\n", encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        load_portfolio(bad)
    assert caught.value.issues[0].path == "line 3"
    assert "duplicate key 'name'" in caught.value.issues[0].message


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="unsupported file type"):
        load_portfolio(tmp_path / "p.toml")
    with pytest.raises(DomainError, match="cannot read the file"):
        load_portfolio(tmp_path / "missing.yaml")


def test_empty_file_and_wrong_top_level() -> None:
    only(None, "(file)", "empty")
    only([1, 2], "(file)", "mapping")


def test_missing_version_is_listed_with_the_other_errors(doc: dict[str, Any]) -> None:
    del doc["ingenio"]
    doc["days"] = 0
    found = problems(doc)
    assert list(found) == ["ingenio", "days"]
    assert "format version is missing" in found["ingenio"]


@pytest.mark.parametrize("version", [2, "1", True, 1.0])
def test_unsupported_version_stops_there(doc: dict[str, Any], version: object) -> None:
    doc["ingenio"] = version
    doc["days"] = 0  # not reported: another version may mean another field
    only(doc, "ingenio", "unsupported format version")


# -- header ------------------------------------------------------------------------------


def test_unknown_time_zone(doc: dict[str, Any]) -> None:
    doc["timezone"] = "America/Atlantis"
    only(doc, "timezone", "unknown time zone")


def test_slot_minutes_must_divide_a_day(doc: dict[str, Any]) -> None:
    doc["slot_minutes"] = 7
    only(doc, "slot_minutes", "dividing 1440")


def test_unknown_field_is_refused(doc: dict[str, Any]) -> None:
    doc["plants"][0]["colour"] = "red"
    only(doc, "plants[0].colour", "unknown field")


def test_numbers_are_not_text(doc: dict[str, Any]) -> None:
    doc["orders"][0]["quantity"] = "2000"
    doc["orders"][1]["id"] = 17
    found = problems(doc)
    assert found == {
        "orders[0].quantity": "must be a valid number",
        "orders[1].id": "should be text (put the value in quotes)",
    }


# -- duplicate ids -----------------------------------------------------------------------


def test_duplicate_order_id(doc: dict[str, Any]) -> None:
    doc["orders"][2]["id"] = "O1"
    only(doc, "orders[2].id", "duplicate order id; first used at orders[0]")


@pytest.mark.parametrize("kind", ["lines", "resources", "generators"])
def test_plant_part_ids_are_unique_across_plants(doc: dict[str, Any], kind: str) -> None:
    first = doc["plants"][0][kind][0]
    second = copy.deepcopy(first)
    if kind == "lines":
        second.pop("shifts")
    doc["plants"][1][kind] = [*doc["plants"][1].get(kind, []), second]
    n = len(doc["plants"][1][kind]) - 1
    only(doc, f"plants[1].{kind}[{n}].id", f"first used at plants[0].{kind}[0]")


def test_plant_and_depot_ids_share_a_namespace(doc: dict[str, Any]) -> None:
    doc["depots"][0]["id"] = "P2"
    doc["deliveries"][0]["destination"] = "P2"
    only(doc, "depots[0].id", "a plant has this id too")


# -- references --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "field", "path", "words"),
    [
        (("plants", 0), "enterprise", "plants[0].enterprise", "unknown enterprise"),
        (("plants", 1), "block", "plants[1].block", "unknown block"),
        (("orders", 2), "product", "orders[2].product", "unknown product"),
        (("deliveries", 1), "destination", "deliveries[1].destination", "no depot or plant"),
    ],
)
def test_unknown_reference(
    doc: dict[str, Any], where: tuple[str, int], field: str, path: str, words: str
) -> None:
    doc[where[0]][where[1]][field] = "NOWHERE"
    only(doc, path, words)


def test_unknown_routing_line(doc: dict[str, Any]) -> None:
    doc["products"][0]["routing"][1]["lines"] = ["P1-OVEN", "P1-FRYER"]
    only(doc, "products[0].routing[1].lines[1]", "unknown line")


def test_unknown_step_resource(doc: dict[str, Any]) -> None:
    doc["products"][0]["routing"][0]["resources"] = {"P1-CREW": 1, "FORKLIFT": 2}
    only(doc, "products[0].routing[0].resources.FORKLIFT", "unknown resource")


def test_step_resource_of_another_plant(doc: dict[str, Any]) -> None:
    doc["products"][1]["routing"][0]["resources"] = {"P1-CREW": 1}
    only(doc, "products[1].routing[0].resources.P1-CREW", "belongs to plant 'P1'")


def test_step_no_line_can_run(doc: dict[str, Any]) -> None:
    doc["products"][1]["routing"][0]["lines"] = []
    only(doc, "products[1].routing[0].lines", "no line can run this step")


def test_routing_spanning_plants(doc: dict[str, Any]) -> None:
    doc["products"][0]["routing"][1]["lines"] = ["P1-OVEN", "P2-CAN"]
    only(doc, "products[0].routing[1].lines[1]", "a routing must stay in one plant")


def test_empty_routing(doc: dict[str, Any]) -> None:
    doc["products"][1]["routing"] = []
    only(doc, "products[1].routing", "must not be empty")


# -- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        (("orders", 0, "quantity"), 0, "orders[0].quantity"),
        (("orders", 1, "quantity"), -5, "orders[1].quantity"),
        (("products", 0, "routing", 0, "rate_per_hour"), 0, "products[0].routing[0].rate_per_hour"),
        (("plants", 0, "resources", 0, "capacity"), 0, "plants[0].resources[0].capacity"),
        (("plants", 0, "tank", "capacity_l"), 0, "plants[0].tank.capacity_l"),
        (("plants", 0, "generators", 0, "rated_kw"), -80, "plants[0].generators[0].rated_kw"),
        (("deliveries", 0, "litres"), 0, "deliveries[0].litres"),
        (("products", 0, "routing", 0, "resources", "P1-CREW"), 0, None),
    ],
)
def test_zero_or_negative_amounts(
    doc: dict[str, Any], where: tuple[Any, ...], value: float, path: str | None
) -> None:
    target: Any = doc
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    expected = path or "products[0].routing[0].resources.P1-CREW"
    only(doc, expected, "greater than 0")


def test_negative_capacity_change_and_power(doc: dict[str, Any]) -> None:
    doc["plants"][0]["resources"][0]["changes"][0]["capacity"] = -1
    doc["products"][0]["routing"][1]["power_kw"] = -3
    found = problems(doc)
    assert set(found) == {
        "plants[0].resources[0].changes[0].capacity",
        "products[0].routing[1].power_kw",
    }


def test_not_a_number(doc: dict[str, Any]) -> None:
    doc["plants"][0]["grid_kw"] = float("nan")
    only(doc, "plants[0].grid_kw", "finite")


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_min_load_fraction_outside_0_1(doc: dict[str, Any], fraction: float) -> None:
    doc["plants"][0]["generators"][0]["min_load_fraction"] = fraction
    only(doc, "plants[0].generators[0].min_load_fraction", "must be")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("stock_l", 2500, "between 0 and the capacity_l 2000"),
        ("reserve_l", 2001, "between 0 and the capacity_l 2000"),
        ("stock_l", -1, "greater than or equal to 0"),
    ],
)
def test_tank_levels_inside_capacity(
    doc: dict[str, Any], field: str, value: float, words: str
) -> None:
    doc["plants"][0]["tank"][field] = value
    only(doc, f"plants[0].tank.{field}", words)


@pytest.mark.parametrize("n", [23, 25])
def test_solar_profile_needs_24_values(doc: dict[str, Any], n: int) -> None:
    doc["plants"][0]["solar"]["profile_kw"] = [1.0] * n
    only(doc, "plants[0].solar.profile_kw", f"24 hourly values (hours 0 to 23), not {n}")


def test_outage_probability_range(doc: dict[str, Any]) -> None:
    doc["blocks"][0]["outages"][1]["probability"] = 1.2
    only(doc, "blocks[0].outages[1].probability", "less than or equal to 1")


# -- shifts ------------------------------------------------------------------------------


def test_unknown_weekday(doc: dict[str, Any]) -> None:
    doc["plants"][0]["lines"][0]["shifts"][1]["days"] = ["sat", "Sunday"]
    only(doc, "plants[0].lines[0].shifts[1].days[1]", "must be 'mon'")


@pytest.mark.parametrize("bad", ["6:00", "24:00", "06:60", "0600", "06:00:00", "noon"])
def test_malformed_clock_time(doc: dict[str, Any], bad: str) -> None:
    doc["plants"][0]["lines"][1]["shifts"][0]["end"] = bad
    only(doc, "plants[0].lines[1].shifts[0].end", "expected a time of day HH:MM")


def test_unquoted_clock_time_in_yaml_is_text(tmp_path: Path) -> None:
    text = SMALL.read_text(encoding="utf-8").replace('end: "22:00"', "end: 22:00")
    assert "end: 22:00" in text
    path = tmp_path / "unquoted.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_portfolio(path) == load_portfolio(SMALL)


def test_empty_shift_list(doc: dict[str, Any]) -> None:
    doc["plants"][0]["lines"][0]["shifts"] = []
    only(doc, "plants[0].lines[0].shifts", "leave `shifts` out")


def test_overnight_and_full_day_shifts(doc: dict[str, Any]) -> None:
    doc["plants"][1]["lines"][0]["shifts"] = [{"days": ["mon"], "start": "00:00", "end": "00:00"}]
    p = parse_portfolio(doc, "t.yaml")
    assert p.line("P2-CAN").shifts == (Window(0, 1440),)
    # The oven works 22:00-06:00, Monday night first.
    assert p.line("P1-OVEN").shifts[0] == Window(1320, 1800)


# -- times -------------------------------------------------------------------------------


def test_due_not_after_release(doc: dict[str, Any]) -> None:
    doc["orders"][0]["due"] = doc["orders"][0]["release"]
    only(doc, "orders[0].due", "must be after the release 2026-04-06T00:00")


def test_release_must_be_before_horizon_end(doc: dict[str, Any]) -> None:
    doc["orders"][1]["release"] = "2026-04-13T00:00"  # the horizon ends then
    doc["orders"][1]["due"] = "2026-04-14T00:00"
    only(doc, "orders[1].release", "must be before the horizon end")


def test_release_before_start_and_due_after_end_are_allowed(doc: dict[str, Any]) -> None:
    doc["orders"][1]["release"] = "2026-04-01T08:00"
    doc["orders"][1]["due"] = "2026-05-01T00:00"
    p = parse_portfolio(doc, "t.yaml")
    assert p.order("O2").release == -(4 * 1440 + 960)  # kept, not clamped
    assert p.order("O2").due > p.horizon.minutes


def test_window_end_not_after_start(doc: dict[str, Any]) -> None:
    doc["blocks"][1]["outages"][0]["end"] = "2026-04-08T06:00"
    only(doc, "blocks[1].outages[0].end", "must be after the start 2026-04-08T06:00")


def test_outage_outside_the_horizon(doc: dict[str, Any]) -> None:
    doc["blocks"][1]["outages"][0] = {"start": "2026-04-20T06:00", "end": "2026-04-20T08:00"}
    only(doc, "blocks[1].outages[0]", "outside the horizon (2026-04-06T00:00 to 2026-04-13T00:00)")


def test_outage_in_progress_at_the_start_is_kept(doc: dict[str, Any]) -> None:
    doc["blocks"][1]["outages"][0] = {"start": "2026-04-05T22:00", "end": "2026-04-06T02:00"}
    p = parse_portfolio(doc, "t.yaml")
    assert p.block("B2").outages[0].window == Window(-120, 120)


def test_overlapping_outages_in_one_block(doc: dict[str, Any]) -> None:
    doc["blocks"][0]["outages"].append({"start": "2026-04-06T13:00", "end": "2026-04-06T15:00"})
    only(doc, "blocks[0].outages[2]", "overlaps outages[0]")


def test_touching_outages_and_other_blocks_do_not_overlap(doc: dict[str, Any]) -> None:
    doc["blocks"][0]["outages"].append({"start": "2026-04-06T14:00", "end": "2026-04-06T15:00"})
    doc["blocks"][1]["outages"].append({"start": "2026-04-06T10:00", "end": "2026-04-06T14:00"})
    parse_portfolio(doc, "t.yaml")


def test_capacity_change_outside_the_horizon(doc: dict[str, Any]) -> None:
    doc["plants"][0]["resources"][0]["changes"][0]["at"] = "2026-03-30T00:00"
    only(doc, "plants[0].resources[0].changes[0].at", "inside the horizon")


def test_delivery_expected_outside_the_horizon(doc: dict[str, Any]) -> None:
    doc["deliveries"][1]["expected"] = "2026-04-13T00:00"
    only(doc, "deliveries[1].expected", "inside the horizon")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("earliest", "2026-04-08T09:01", "must not be after the expected arrival"),
        ("latest", "2026-04-08T08:59", "must not be before the expected arrival"),
    ],
)
def test_delivery_window_order(doc: dict[str, Any], field: str, value: str, words: str) -> None:
    doc["deliveries"][0][field] = value
    only(doc, f"deliveries[0].{field}", words)


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01T00:00", 20260406])
def test_malformed_datetime(doc: dict[str, Any], bad: object) -> None:
    doc["orders"][0]["due"] = bad
    only(doc, "orders[0].due", "expected a local date-time")


def test_datetime_with_seconds_is_refused(doc: dict[str, Any]) -> None:
    doc["start"] = "2026-04-06T00:00:30"
    only(doc, "start", "whole minute")


def test_explicit_offset_is_accepted(doc: dict[str, Any]) -> None:
    doc["orders"][0]["due"] = "2026-04-08T16:00+00:00"  # 12:00 in Havana (UTC-4)
    assert parse_portfolio(doc, "t.yaml") == load_portfolio(SMALL)


# -- every error at once -----------------------------------------------------------------


def test_every_error_of_a_bad_file_is_listed(doc: dict[str, Any]) -> None:
    doc["timezone"] = "Mars/Olympus"
    doc["plants"][0]["lines"][0]["shifts"][0]["start"] = "6am"
    doc["plants"][0]["tank"]["stock_l"] = 5000
    doc["plants"][1]["block"] = "B9"
    doc["products"][0]["routing"][0]["resources"] = {"CREW-X": 1}
    doc["orders"][0]["quantity"] = 0
    doc["orders"][0]["due"] = "2026-04-05T00:00"  # same order: both problems are listed
    doc["orders"][2]["product"] = "CAKE"
    doc["blocks"][1]["outages"][0]["end"] = "2026-04-08T05:00"
    doc["deliveries"][0]["earliest"] = "2026-04-08T10:00"
    with pytest.raises(DomainError) as caught:
        parse_portfolio(doc, "bad.yaml")
    paths = [i.path for i in caught.value.issues]
    assert paths == [
        "timezone",
        "blocks[1].outages[0].end",
        "plants[0].lines[0].shifts[0].start",
        "plants[0].tank.stock_l",
        "plants[1].block",
        "products[0].routing[0].resources.CREW-X",
        "orders[0].quantity",
        "orders[0].due",
        "orders[2].product",
        "deliveries[0].earliest",
    ]
    lines = str(caught.value).splitlines()
    assert len(lines) == len(paths)
    assert "bad.yaml: orders[2].product: unknown product (got 'CAKE')" in lines
    assert (
        "bad.yaml: plants[0].tank.stock_l: must be between 0 and the capacity_l 2000 (got 5000)"
        in lines
    )


def test_a_broken_plant_does_not_make_its_lines_unknown(doc: dict[str, Any]) -> None:
    doc["plants"][0]["grid_kw"] = "lots"
    only(doc, "plants[0].grid_kw", "valid number")


def test_items_of_the_wrong_type(doc: dict[str, Any]) -> None:
    doc["orders"].append(5)
    doc["blocks"] = {"B1": {}}
    found = problems(doc)
    assert {"orders[3]", "blocks"} <= set(found)


_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["P1", "P1-MIX", "2026-04-06T00:00", "06:00", "mon", "B1", "O1"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(node: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_damage_gives_a_domain_error_never_a_crash(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    damaged = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 4))):
        paths = [p for p in _paths(damaged) if p]
        where = data.draw(st.sampled_from(paths))
        target: Any = damaged
        for key in where[:-1]:
            target = target[key]
        if data.draw(st.booleans()) and isinstance(target, dict):
            del target[where[-1]]
        else:
            target[where[-1]] = data.draw(_JUNK)
    try:
        result = parse_portfolio(damaged, "fuzz.yaml")
    except DomainError as e:
        assert e.issues
        assert all(i.path and i.message for i in e.issues)
    else:
        assert isinstance(result, Portfolio)


# -- writing and round trips -------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_round_trip_through_a_file(tmp_path: Path, suffix: str) -> None:
    p = load_portfolio(SMALL)
    path = dump_portfolio(p, tmp_path / f"out{suffix}")
    assert load_portfolio(path) == p
    if suffix == ".json":
        assert json.loads(path.read_text(encoding="utf-8"))["ingenio"] == 1
    assert [x.name for x in tmp_path.iterdir()] == [f"out{suffix}"]  # no temporary left


def test_document_round_trip_in_memory() -> None:
    p = load_portfolio(SMALL)
    document = portfolio_to_document(p)
    json.dumps(document)  # plain JSON-ready data
    assert parse_portfolio(document, "doc") == p
    assert parse_portfolio(json.loads(json.dumps(document)), "doc") == p
    assert document["plants"][1]["lines"][0]["shifts"] == [
        {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start": "00:00",
            "end": "00:00",
        }
    ]


def test_line_without_pattern_is_written_as_24_7() -> None:
    p = load_portfolio(SMALL)
    plant = p.plant("P2")
    line = plant.lines[0]
    bare = Line(line.id, line.name, line.plant_id, line.shifts, ())
    q = _replace_line(p, bare)
    document = portfolio_to_document(q, verify=False)
    assert document["plants"][1]["lines"][0]["shifts"][0]["start"] == "00:00"
    assert parse_portfolio(document, "doc").line("P2-CAN").shifts == line.shifts


def test_shift_windows_that_are_no_pattern_are_refused(tmp_path: Path) -> None:
    p = load_portfolio(SMALL)
    line = p.plant("P2").lines[0]
    odd = Line(line.id, line.name, line.plant_id, (Window(0, 600),), ())
    with pytest.raises(DomainError) as caught:
        dump_portfolio(_replace_line(p, odd), tmp_path / "odd.yaml")
    assert caught.value.issues[0].path == "plants[1].lines[0].shifts"
    assert not (tmp_path / "odd.yaml").exists()


def test_failed_dump_leaves_the_old_file(tmp_path: Path) -> None:
    p = load_portfolio(SMALL)
    target = dump_portfolio(p, tmp_path / "keep.yaml")
    before = target.read_text(encoding="utf-8")
    line = p.plant("P2").lines[0]
    odd = Line(line.id, line.name, line.plant_id, (Window(0, 600),), ())
    with pytest.raises(DomainError):
        dump_portfolio(_replace_line(p, odd), target)
    assert target.read_text(encoding="utf-8") == before
    assert [x.name for x in tmp_path.iterdir()] == ["keep.yaml"]
    with pytest.raises(DomainError, match="unsupported file type"):
        dump_portfolio(p, tmp_path / "p.txt")


def _replace_line(p: Portfolio, line: Line) -> Portfolio:
    import dataclasses

    plants = tuple(
        dataclasses.replace(pl, lines=tuple(line if x.id == line.id else x for x in pl.lines))
        for pl in p.plants
    )
    return dataclasses.replace(p, plants=plants)


# -- daylight-saving time (America/Havana) ----------------------------------------------


def _dst_doc(doc: dict[str, Any], start: str) -> dict[str, Any]:
    doc["start"] = start
    doc["days"] = 3
    for order in doc["orders"]:
        order["release"], order["due"] = start, "2026-03-20T00:00"
    for d in doc["deliveries"]:
        d.pop("earliest", None)
        d.pop("latest", None)
        d["expected"] = start
    doc["plants"][0]["resources"][0]["changes"] = []
    doc["blocks"][0]["outages"] = []
    doc["blocks"][1]["outages"] = []
    return doc


def test_outage_across_the_spring_forward_loses_an_hour(doc: dict[str, Any]) -> None:
    # Cuba moves its clocks from 00:00 to 01:00 on Sunday 2026-03-08 (tzdata 2026):
    # 23:00 on the 7th to 02:00 on the 8th is three wall-clock hours but two real ones.
    _dst_doc(doc, "2026-03-07T00:00")
    doc["blocks"][0]["outages"] = [
        {"start": "2026-03-07T23:00", "end": "2026-03-08T02:00"},
        {"start": "2026-03-08T05:00", "end": "2026-03-08T08:00"},
    ]
    p = parse_portfolio(doc, "dst.yaml")
    first, after = (o.window for o in p.block("B1").outages)
    assert first.minutes == 120
    assert after.minutes == 180  # after the change, hours are hours again
    assert first.start == 23 * 60
    assert p.horizon.minutes == 3 * 1440  # days count 24 real hours each


def test_outage_01_to_04_on_the_switch_day(doc: dict[str, Any]) -> None:
    # 01:00 already is daylight time in Havana (the gap is 00:00-01:00), so 01:00-04:00
    # lasts 180 minutes; an outage that starts before the change loses the hour.
    _dst_doc(doc, "2026-03-07T00:00")
    doc["blocks"][0]["outages"] = [{"start": "2026-03-08T01:00", "end": "2026-03-08T04:00"}]
    doc["blocks"][1]["outages"] = [{"start": "2026-03-07T22:00", "end": "2026-03-08T04:00"}]
    p = parse_portfolio(doc, "dst.yaml")
    assert p.block("B1").outages[0].window.minutes == 180
    assert p.block("B2").outages[0].window.minutes == 300


def test_shifts_keep_their_wall_clock_across_the_change(doc: dict[str, Any]) -> None:
    _dst_doc(doc, "2026-03-07T00:00")  # a Saturday
    p = parse_portfolio(doc, "dst.yaml")
    h = p.horizon
    starts = [h.to_datetime(w.start).strftime("%a %H:%M") for w in p.line("P1-MIX").shifts]
    # Saturday 06:00-14:00, (no Sunday shift), Monday 06:00-22:00: all at 06:00 local.
    assert starts == ["Sat 06:00", "Mon 06:00"]
    assert p.line("P1-MIX").shifts[1].start - p.line("P1-MIX").shifts[0].start == 2 * 1440 - 60


def test_repeated_hour_is_written_with_its_offset(doc: dict[str, Any]) -> None:
    # On 2026-11-01 Havana's clocks go back from 01:00 to 00:00: 00:30 happens twice.
    _dst_doc(doc, "2026-10-31T00:00")
    for order in doc["orders"]:
        order["due"] = "2026-11-05T00:00"
    doc["blocks"][0]["outages"] = [
        {"start": "2026-11-01T00:15", "end": "2026-11-01T00:30-05:00"},  # second 00:30
    ]
    p = parse_portfolio(doc, "dst.yaml")
    assert p.block("B1").outages[0].window.minutes == 75
    document = portfolio_to_document(p)
    outage = document["blocks"][0]["outages"][0]
    assert outage == {
        "start": "2026-11-01T00:15",
        "end": "2026-11-01T00:30-05:00",
        "probability": 1,
    }
    assert parse_portfolio(document, "again") == p


def test_horizon_start_in_the_skipped_hour(doc: dict[str, Any]) -> None:
    # 00:00 does not exist on 2026-03-08; it is read as the moment the clocks jump.
    _dst_doc(doc, "2026-03-08T00:00")
    p = parse_portfolio(doc, "dst.yaml")
    assert p.horizon.to_datetime(0).isoformat() == "2026-03-08T01:00:00-04:00"
    assert parse_portfolio(portfolio_to_document(p), "again") == p


def test_expand_shifts_uses_local_time() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    h = Horizon(datetime(2026, 3, 7, tzinfo=ZoneInfo("America/Havana")), 3)
    pattern = ShiftPattern(frozenset(range(7)), 6 * 60, 7 * 60)
    windows = expand_shifts([pattern], h)
    assert [h.to_datetime(w.start).hour for w in windows] == [6, 6, 6]


# -- JSON Schema -------------------------------------------------------------------------


def test_committed_json_schema_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "portfolio.schema.json").read_text(encoding="utf-8")
    assert committed == portfolio_json_schema_text(), (
        "regenerate with: .venv/bin/python -m ingenio.formats.portfolio"
    )


def test_json_schema_shape() -> None:
    schema = portfolio_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["additionalProperties"] is False
    assert {"ingenio", "name", "start", "days", "plants", "orders"} <= set(schema["required"])
    assert schema["properties"]["ingenio"]["const"] == 1
    shift = schema["$defs"]["ShiftDoc"]["properties"]
    assert shift["start"]["pattern"].startswith("^")


def test_documented_example_is_valid() -> None:
    import re

    from ingenio.formats.documents import parse_text

    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert example is not None
    p = parse_portfolio(parse_text(example.group(1), ".yaml", "formats.md"), "formats.md")
    assert p.line("P1-OVEN").pattern == (ALWAYS,)
