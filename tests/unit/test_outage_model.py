"""The stochastic outage model: learned probabilities on a hand-made history, and samplers.

The test portfolio (``conftest.build_portfolio``) starts on Monday 2026-04-06 00:00
in Havana and lasts 2 days; minute 600 is Monday 10:00.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from ingenio.domain import Block, DomainError, OutageWindow, Portfolio, Window
from ingenio.energy.outage_model import (
    HOURS_PER_WEEK,
    OutageModel,
    hour_of_week,
    learn_outage_model,
    sample_deliveries,
    sample_portfolio,
)

WEEK = 7 * 1440
MON_10, MON_12, WED_10 = 10, 12, 2 * 24 + 10


def with_blocks(
    p: Portfolio, b1: tuple[OutageWindow, ...], b2: tuple[OutageWindow, ...] = ()
) -> Portfolio:
    return dataclasses.replace(p, blocks=(Block("B1", "Bloque 1", b1), Block("B2", "Bloque 2", b2)))


def test_hour_of_week_is_local(portfolio: Portfolio) -> None:
    assert hour_of_week(portfolio.horizon, 0) == 0  # Monday 00:00 local
    assert hour_of_week(portfolio.horizon, 600) == MON_10
    assert hour_of_week(portfolio.horizon, -60) == HOURS_PER_WEEK - 1  # Sunday 23:00


def test_learned_probabilities_on_a_hand_made_history(portfolio: Portfolio) -> None:
    p = with_blocks(portfolio, (OutageWindow(Window(600, 720)),))
    # B1 was off on Monday 10:00-12:00 in each of the two weeks before the horizon.
    history = {"B1": [Window(-2 * WEEK + 600, -2 * WEEK + 720), Window(-WEEK + 600, -WEEK + 720)]}
    model = learn_outage_model(p, history, span=Window(-2 * WEEK, 0))
    assert model.history_hours == 336 and model.smoothing == 1.0
    # off: k hours off of n seen, smoothed toward the block's pooled rate q = K / N
    q = (4 + 2) / (336 + 48)
    assert model.off_probability("B1", MON_10) == pytest.approx((2 + 1 + q) / (3 + 1))
    assert model.off_probability("B1", MON_12) == pytest.approx(q / 4)
    assert model.off_probability("B1", WED_10) == pytest.approx(q / 3)  # not in the horizon
    assert model.off["B2"] == (0.0,) * HOURS_PER_WEEK
    # unplanned starts: the history's start rate beyond the published starts
    r = 2 / 336
    assert model.unplanned_probability("B1", MON_10) == 0.0  # (2 + r) / 3 - 1 published
    assert model.unplanned_probability("B1", MON_12) == pytest.approx(r / 3)
    assert model.unplanned_probability("B1", WED_10) == pytest.approx(r / 3)
    assert model.unplanned["B2"] == (0.0,) * HOURS_PER_WEEK  # seen, never off
    assert (model.mean_minutes, model.sd_minutes) == (120.0, 0.0)


def test_default_span_smoothing_and_errors(portfolio: Portfolio) -> None:
    history = {"B1": [Window(-WEEK + 600, -WEEK + 720), Window(-1440 + 60, -1440 + 240)]}
    model = learn_outage_model(portfolio, history, smoothing=5.0)
    assert model.history_hours == 7 * 24  # Monday 00:00 a week ago to the origin
    assert model.mean_minutes == 150.0 and model.sd_minutes == 30.0
    assert all(0.0 <= v <= 1.0 for v in model.off["B1"] + model.unplanned["B1"])
    with pytest.raises(DomainError, match=r"history\.B9: unknown block"):
        learn_outage_model(portfolio, {"B9": []})
    with pytest.raises(ValueError, match="smoothing"):
        learn_outage_model(portfolio, smoothing=0)
    no_history = learn_outage_model(portfolio)
    assert no_history.history_hours == 0 and not any(no_history.unplanned["B1"])


def test_sampler_keeps_planned_windows_and_is_reproducible(portfolio: Portfolio) -> None:
    model = learn_outage_model(portfolio)  # B1: [600, 840) planned, [1800, 1860) at 0.3
    first = sample_portfolio(portfolio, model, random.Random(7))
    again = sample_portfolio(portfolio, model, random.Random(7))
    assert first == again
    for seed in range(50):
        sample = sample_portfolio(portfolio, model, random.Random(seed))
        b1 = sample.block("B1")
        assert OutageWindow(Window(600, 840), 1.0) in b1.outages
        assert all(o.probability == 1.0 for b in sample.blocks for o in b.outages)
        assert {o.window for o in b1.outages} <= {Window(600, 840), Window(1800, 1860)}
        assert sample.plants == portfolio.plants and sample.orders == portfolio.orders


def test_a_half_window_happens_half_the_time(portfolio: Portfolio) -> None:
    p = with_blocks(
        portfolio, (OutageWindow(Window(600, 840)), OutageWindow(Window(1200, 1320), 0.5))
    )
    model = learn_outage_model(p)
    rng = random.Random(2026)
    hits = sum(
        Window(1200, 1320) in sample_portfolio(p, model, rng).block("B1").off_windows(1.0)
        for _ in range(400)
    )
    assert abs(hits / 400 - 0.5) < 0.1  # the standard deviation is 0.025


def test_unplanned_outages_from_history(portfolio: Portfolio) -> None:
    # Every evening of the past two weeks B2 lost the grid 19:00-21:00, unannounced.
    history = {"B2": [Window(d * 1440 + 1140, d * 1440 + 1260) for d in range(-14, 0)]}
    model = learn_outage_model(portfolio, history)
    assert model.unplanned_probability("B2", 19) == pytest.approx((2 + 14 / 336) / 3)  # Mon 19:00
    counts = 0
    for seed in range(40):
        b2 = sample_portfolio(portfolio, model, random.Random(seed)).block("B2")
        counts += len(b2.outages)
        for o in b2.outages:
            assert o.probability == 1.0 and o.window.minutes % portfolio.horizon.slot_minutes == 0
    assert counts >= 40  # about 0.68 a day over the 2-day horizon


def test_a_model_without_the_block_adds_nothing(portfolio: Portfolio) -> None:
    empty = OutageModel(off={}, unplanned={}, mean_minutes=60.0)
    sample = sample_portfolio(portfolio, empty, random.Random(1))
    assert sample.block("B2").outages == ()


def test_sample_deliveries_triangular_within_bounds(portfolio: Portfolio) -> None:
    draws = [sample_deliveries(portfolio, random.Random(s)) for s in range(300)]
    arrivals = [d.deliveries[0].expected for d in draws]  # DL1: 1200 <= 1440 <= 1600
    assert all(1200 <= a <= 1600 for a in arrivals)
    assert abs(sum(arrivals) / len(arrivals) - (1200 + 1440 + 1600) / 3) < 15
    for d in draws[:5]:
        dl1, dl2 = d.deliveries
        assert dl1.earliest == dl1.expected == dl1.latest
        assert (dl2.expected, dl2.earliest, dl2.latest) == (1440, 1440, 1440)  # certain
    assert sample_deliveries(portfolio, random.Random(3)) == sample_deliveries(
        portfolio, random.Random(3)
    )
