"""Load-shedding stages: a schedule per stage, a forecast per day, by hand.

Block B's schedule for Monday 2026-04-06 (EskomSePush's ``schedule.days[].stages[]``):
stage 1 off 10:00-12:30; stage 2 adds 18:00-20:30; stages 3-8 add 02:00-04:30. The
forecast: stage 2 with probability 0.6, stage 4 with 0.4. So 10:00-12:30 and
18:00-20:30 are off with probability 1 (both stages have them), 02:00-04:30 with 0.4
(only stage 4): planners treat the first two as grid-off, not the third.
"""

from __future__ import annotations

import dataclasses
import random

import pytest
from stage_portfolios import LOW, MID, document

from ingenio.domain import DomainError, OrderStatus, Window
from ingenio.energy.outage_model import learn_outage_model, sample_portfolio
from ingenio.formats.portfolio import parse_portfolio, portfolio_to_document
from ingenio.planning.dispatch import dispatch
from ingenio.scenarios.perturb import PerturbationError
from ingenio.scenarios.stages import ForceStage, parse_stage
from ingenio.validate import validate


def test_expected_windows_of_the_forecast() -> None:
    p = parse_portfolio(document(), "stages.yaml")
    outages = [(o.window.start, o.window.end, o.probability) for o in p.blocks[0].all_outages()]
    assert outages == [(120, 270, 0.4), (600, 750, 1.0), (1080, 1230, 1.0)]
    assert p.grid_off("P") == (Window(600, 750), Window(1080, 1230))


def test_dispatch_avoids_the_expected_cuts() -> None:
    # 5 hours from 06:00 do not fit before 10:00: the order runs 12:30-17:30, in the
    # 5.5 hours between the two certain cuts.
    p = parse_portfolio(document(), "stages.yaml")
    plan = dispatch(p)
    assert validate(p, plan) == []
    (op,) = plan.operations
    assert (op.start, op.end) == (750, 1050)
    assert plan.outcomes[0].status is OrderStatus.ON_TIME
    # A hand-made plan at 06:00 runs into the 10:00 cut: the validator says so.
    moved = dataclasses.replace(plan, operations=(dataclasses.replace(op, start=360, end=660),))
    assert [v.rule for v in validate(p, moved)][:1] == ["power"]


def test_stage_zero_and_chosen_stage() -> None:
    calm = parse_portfolio(document(forecast=[]), "stages.yaml")
    assert calm.grid_off("P") == ()
    assert [(o.start, o.end) for o in dispatch(calm).operations] == [(360, 660)]
    six = ForceStage(6, 3).apply(calm)
    assert six.grid_off("P") == (Window(120, 270), Window(600, 750), Window(1080, 1230))
    assert "stage 6 for 3 days" == ForceStage(6, 3).describe()


def test_round_trip_and_errors() -> None:
    p = parse_portfolio(document(), "stages.yaml")
    doc = portfolio_to_document(p)
    assert doc["blocks"][0]["load_shedding"]["schedule"][0]["stages"][1] == MID
    assert parse_portfolio(doc, "again.yaml") == p
    bad = document(
        forecast=[
            {"date": "2026-04-07", "stage": 2, "probability": 0.6},
            {"date": "2026-04-06", "stage": 4, "probability": 0.7},
            {"date": "2026-04-06", "stage": 5, "probability": 0.7},
        ]
    )
    bad["blocks"][0]["load_shedding"]["schedule"][0]["stages"][0] = ["10:00-1230"]
    with pytest.raises(DomainError) as err:
        parse_portfolio(bad, "bad.yaml")
    text = str(err.value)
    assert "bad.yaml: blocks[0].load_shedding.schedule[0].stages[0][0]" in text
    assert "blocks[0].load_shedding.forecast[0].date: must be a date of the schedule" not in text
    bad["blocks"][0]["load_shedding"]["schedule"][0]["stages"][0] = LOW
    with pytest.raises(DomainError) as err:
        parse_portfolio(bad, "bad.yaml")
    text = str(err.value)
    assert (
        "bad.yaml: blocks[0].load_shedding.forecast[0].date: must be a date of the schedule "
        "(got '2026-04-07T00:00:00')"
    ) in text
    assert "forecast[2].probability: the probabilities of 2026-04-06 add up to 1.4" in text


def test_whatif_stage_parse_errors() -> None:
    assert parse_stage("6") == ForceStage(6, 3)
    with pytest.raises(PerturbationError, match="--stage 'six': expected a stage 0 to 8"):
        parse_stage("six")
    with pytest.raises(PerturbationError, match="--stage '9': a stage is 0 to 8"):
        parse_stage("9")
    with pytest.raises(PerturbationError, match="--stage-days '0': give 1 to 366"):
        parse_stage("6", "0")


def test_scenarios_sample_a_stage_per_day() -> None:
    p = parse_portfolio(document(), "stages.yaml")
    model = learn_outage_model(p)
    seen = set()
    for seed in range(30):
        sample = sample_portfolio(p, model, random.Random(seed))
        block = sample.blocks[0]
        assert block.load_shedding is None
        assert all(o.probability == 1.0 for o in block.outages)
        seen.add(tuple((o.window.start, o.window.end) for o in block.outages))
    # stage 2 (0.6) or stage 4 (0.4): exactly these two outcomes
    assert seen == {((600, 750), (1080, 1230)), ((120, 270), (600, 750), (1080, 1230))}
