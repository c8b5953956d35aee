"""plan.json: round trips, local times with offsets, bad documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ingenio.domain import (
    DomainError,
    FuelTransfer,
    GeneratorRun,
    Operation,
    OrderOutcome,
    OrderStatus,
    Plan,
    Portfolio,
    PowerSource,
)
from ingenio.formats.plan_file import (
    plan_from_document,
    plan_to_document,
    read_plan_json,
    write_plan_json,
)
from ingenio.formats.portfolio import load_portfolio

SMALL = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "small.yaml"


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    return load_portfolio(SMALL)


@pytest.fixture
def plan() -> Plan:
    return Plan(
        planner="dispatch",
        operations=(
            Operation("O1", 0, "P1-MIX", 360, 615, 1700.0),
            Operation("O1", 0, "P1-MIX", 840, 900, 300.0, PowerSource.GENERATOR),
            Operation("O1", 1, "P1-OVEN", 1320, 1720, 2000.0, PowerSource.MIXED),
        ),
        generator_runs=(GeneratorRun("P1-G1", 840, 900, 35.5),),
        fuel_transfers=(FuelTransfer("D1", "P1", 2000, 400.0),),
        outcomes=(
            OrderOutcome("O1", OrderStatus.ON_TIME, 1720, 0, 1000.0),
            OrderOutcome("O2", OrderStatus.LATE, 9000, 1800, 13500.0, "grid off in block B2"),
            OrderOutcome("O3", OrderStatus.UNSCHEDULED, None, 0, 0.0, "no oven time"),
        ),
        status="feasible",
        bound=None,
        seconds=0.25,
        notes=("first note", "second"),
    )


@pytest.fixture
def doc(plan: Plan, portfolio: Portfolio) -> dict[str, Any]:
    return copy.deepcopy(plan_to_document(plan, portfolio))


def refused(doc: object, portfolio: Portfolio) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        plan_from_document(doc, portfolio, "plan.json")
    assert caught.value.source == "plan.json"
    return {i.path: i.message for i in caught.value.issues}


def test_document_shape(doc: dict[str, Any]) -> None:
    assert doc["ingenio_plan"] == 1
    assert doc["portfolio"] == "Small"
    assert doc["value"] == 14500.0
    assert doc["operations"][0] == {
        "order": "O1",
        "step": 0,
        "line": "P1-MIX",
        "start": "2026-04-06T06:00:00-04:00",
        "end": "2026-04-06T10:15:00-04:00",
        "quantity": 1700.0,
        "source": "grid",
    }
    assert doc["generator_runs"] == [
        {
            "generator": "P1-G1",
            "start": "2026-04-06T14:00:00-04:00",
            "end": "2026-04-06T15:00:00-04:00",
            "output_kw": 35.5,
        }
    ]
    assert doc["fuel_transfers"][0]["at"] == "2026-04-07T09:20:00-04:00"
    assert doc["outcomes"][2]["completion"] is None
    assert list(doc) == [
        "ingenio_plan",
        "portfolio",
        "planner",
        "status",
        "bound",
        "value",
        "value_over_bound",
        "seconds",
        "notes",
        "operations",
        "generator_runs",
        "fuel_transfers",
        "outcomes",
    ]


def test_round_trip_in_memory(plan: Plan, portfolio: Portfolio, doc: dict[str, Any]) -> None:
    assert plan_from_document(doc, portfolio, "mem") == plan
    assert plan_from_document(json.loads(json.dumps(doc)), portfolio, "mem") == plan


def test_round_trip_through_a_file(plan: Plan, portfolio: Portfolio, tmp_path: Path) -> None:
    path = write_plan_json(plan, portfolio, tmp_path / "plan.json")
    assert path == tmp_path / "plan.json"
    assert read_plan_json(path, portfolio) == plan
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_bound_and_empty_plan(portfolio: Portfolio, tmp_path: Path) -> None:
    empty = Plan("cp-sat", (), (), (), (), status="optimal", bound=1234.5, seconds=3.0)
    path = write_plan_json(empty, portfolio, tmp_path / "plan.json")
    assert read_plan_json(path, portfolio) == empty


def test_naive_times_are_local_and_utc_is_accepted(
    plan: Plan, portfolio: Portfolio, doc: dict[str, Any]
) -> None:
    doc["operations"][0]["start"] = "2026-04-06T06:00"
    doc["operations"][0]["end"] = "2026-04-06T14:15:00Z"
    assert plan_from_document(doc, portfolio, "mem") == plan


def test_unwritable_plan_leaves_no_file(plan: Plan, portfolio: Portfolio, tmp_path: Path) -> None:
    bad = Plan("dispatch", (), (GeneratorRun("P1-G1", 900, 840, 35.5),), (), ())
    with pytest.raises(DomainError) as caught:
        write_plan_json(bad, portfolio, tmp_path / "plan.json")
    assert [i.path for i in caught.value.issues] == ["generator_runs[0].end"]
    assert not list(tmp_path.iterdir())


def test_missing_and_unsupported_version(doc: dict[str, Any], portfolio: Portfolio) -> None:
    del doc["ingenio_plan"]
    assert list(refused(doc, portfolio)) == ["ingenio_plan"]
    doc["ingenio_plan"] = 7
    doc["operations"] = "nonsense"
    assert refused(doc, portfolio) == {
        "ingenio_plan": "unsupported format version; this Ingenio reads version 1"
    }


def test_every_problem_is_listed(doc: dict[str, Any], portfolio: Portfolio) -> None:
    doc["operations"][1]["end"] = "soon"
    doc["operations"][2]["quantity"] = -1
    doc["operations"][2]["source"] = "wind"
    doc["generator_runs"][0]["colour"] = "red"
    doc["fuel_transfers"][0].pop("litres")
    doc["outcomes"][0]["status"] = "done"
    doc["outcomes"][1]["lateness_minutes"] = 1.5
    found = refused(doc, portfolio)
    assert list(found) == [
        "operations[1].end",
        "operations[2].quantity",
        "operations[2].source",
        "generator_runs[0].colour",
        "fuel_transfers[0].litres",
        "outcomes[0].status",
        "outcomes[1].lateness_minutes",
    ]
    assert found["fuel_transfers[0].litres"] == "required field is missing"
    assert found["generator_runs[0].colour"] == "unknown field"


def test_operation_ending_before_it_starts(doc: dict[str, Any], portfolio: Portfolio) -> None:
    doc["operations"][0]["end"] = doc["operations"][0]["start"]
    assert list(refused(doc, portfolio)) == ["operations[0].end"]


def test_plan_of_another_portfolio(doc: dict[str, Any], portfolio: Portfolio) -> None:
    doc["portfolio"] = "Other"
    found = refused(doc, portfolio)
    assert list(found) == ["portfolio"]
    assert "another portfolio" in found["portfolio"]


def test_value_must_match_the_outcomes(doc: dict[str, Any], portfolio: Portfolio) -> None:
    doc["value"] = 99.0
    assert list(refused(doc, portfolio)) == ["value"]


def test_not_a_mapping(portfolio: Portfolio) -> None:
    assert list(refused([1, 2], portfolio)) == ["(file)"]


def test_broken_json_file(portfolio: Portfolio, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"ingenio_plan": 1,\n  "operations": [}\n', encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        read_plan_json(path, portfolio)
    assert caught.value.issues[0].path == "line 2"
    assert str(caught.value).startswith("plan.json: line 2: JSON syntax error")


def test_rendered_message(doc: dict[str, Any], portfolio: Portfolio) -> None:
    doc["operations"][0]["step"] = -1
    with pytest.raises(DomainError) as caught:
        plan_from_document(doc, portfolio, "plan.json")
    assert str(caught.value) == (
        "plan.json: operations[0].step: must be greater than or equal to 0 (got -1)"
    )


def test_documented_example_is_valid(portfolio: Portfolio) -> None:
    import re

    text = (SMALL.parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", text, re.S)
    assert example is not None
    plan = plan_from_document(json.loads(example.group(1)), portfolio, "formats.md")
    assert plan.value == 1000.0
