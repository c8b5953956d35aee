"""Monte Carlo runs: reproducible across executors, failures reported, figures right."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scenario_portfolios import (
    ARRIVAL,
    FlakySampler,
    double_booking_planner,
    starving_portfolio,
)

from ingenio.energy.outage_model import learn_outage_model, sample_deliveries, sample_portfolio
from ingenio.scenarios.executor import InlineExecutor, ProcessExecutor, TaskFailure
from ingenio.scenarios.montecarlo import (
    SEED_STRIDE,
    OutageSampler,
    percentile,
    run_samples,
    sample_rng,
)
from ingenio.scenarios.robust import HELD_OUT_START, FuelPolicy, evaluate_held_out, robust_plan

LATE_B = 50 * (1 - 0.1 * 60 / 1440)
"""Value of a B order 60 minutes late (its outage window happened)."""


def test_sample_rng_is_seed_times_stride_plus_index():
    assert sample_rng(3, 7).random() == __import__("random").Random(3 * SEED_STRIDE + 7).random()


def test_same_seed_same_figures_in_a_pool_of_two_and_in_process():
    p = starving_portfolio(with_p2=True)
    here = run_samples(p, 6, seed=11, executor=InlineExecutor())
    pool = run_samples(p, 6, seed=11, executor=ProcessExecutor(max_workers=2))
    assert pool.failures == here.failures == ()
    assert pool.samples == here.samples
    assert (pool.mean, pool.p10, pool.p50, pool.p90) == (here.mean, here.p10, here.p50, here.p90)
    assert pool.order_risks == here.order_risks
    assert pool.plant_resumptions == here.plant_resumptions
    other = run_samples(p, 6, seed=12)
    assert other.values != here.values


def test_a_failing_sample_is_reported_with_its_index_and_error():
    p = starving_portfolio()
    result = run_samples(p, 10, seed=5, sampler=FlakySampler(0.3))
    expected = [i for i in range(10) if sample_rng(5, i).random() < 0.3]
    assert expected  # the seed gives some failures
    assert [f.index for f in result.failures] == expected
    assert all("RuntimeError: sampler broke on draw" in f.error for f in result.failures)
    assert [s.index for s in result.samples] == [i for i in range(10) if i not in expected]


def test_failures_in_a_process_pool_are_reported_too():
    result = run_samples(
        starving_portfolio(), 4, seed=1, executor=ProcessExecutor(2), sampler=FlakySampler(1.0)
    )
    assert result.samples == ()
    assert [f.index for f in result.failures] == [0, 1, 2, 3]
    assert math.isnan(result.mean)
    here = run_samples(starving_portfolio(), 4, seed=1, sampler=FlakySampler(1.0))
    assert here.failures == result.failures  # the same errors, wherever they ran


def test_a_plan_that_breaks_a_rule_is_a_failed_sample():
    result = run_samples(
        starving_portfolio(),
        2,
        seed=1,
        planner=double_booking_planner,
        sampler=FlakySampler(0.0),
    )
    assert [f.index for f in result.failures] == [0, 1]
    assert "PlanRuleError: the plan breaks" in result.failures[0].error


def test_executor_results_keep_item_order_and_mark_failures():
    out = InlineExecutor().map(_divide, 12, [1, 0, 3])
    assert out == [12.0, TaskFailure(1, out[1].error), 4.0]  # type: ignore[union-attr]
    assert out[1].error.startswith("ZeroDivisionError")  # type: ignore[union-attr]


def _divide(shared: int, item: int) -> float:
    return shared / item


def test_percentile_is_linear_between_order_statistics():
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == 5.5
    assert percentile(values, 10) == pytest.approx(1.9)
    assert percentile(values, 90) == pytest.approx(9.1)
    assert math.isnan(percentile([], 50))


def test_percentiles_and_late_probabilities_on_a_known_distribution():
    """Each B window happens with probability 1/2, independently: the number ``m`` of late
    B orders is Binomial(3, 1/2) and the value is 2000 + (3 - m) 50 + m LATE_B."""
    p = starving_portfolio(with_p2=True)
    model = learn_outage_model(p)
    n, seed = 160, 2
    result = run_samples(p, n, seed, sampler=OutageSampler(model, deliveries=False))
    assert result.failures == ()
    late = [
        sum(1 for b in sample_portfolio(p, model, sample_rng(seed, i)).block("B2").outages)
        for i in range(n)
    ]
    expected = [2000 + (3 - m) * 50 + m * LATE_B for m in late]
    assert list(result.values) == pytest.approx(expected)
    for q in (10, 50, 90):
        assert result.percentile(q) == pytest.approx(float(np.percentile(expected, q)))
    risks = {r.order_id: r for r in result.order_risks}
    for b in ("B1", "B2", "B3"):
        assert risks[b].p_late == pytest.approx(0.5, abs=0.13)  # 4 standard errors
        assert risks[b].mean_late_hours == 1.0
    assert {risks[a].p_missed for a in ("A01", "O01")} == {0.0}
    counts = np.bincount(late, minlength=4) / n
    assert counts == pytest.approx([1 / 8, 3 / 8, 3 / 8, 1 / 8], abs=0.1)


def test_resumption_distribution_follows_the_sampled_tanker_arrival():
    p = starving_portfolio()
    n, seed = 12, 4
    result = run_samples(p, n, seed)
    arrivals = [sample_deliveries(p, sample_rng(seed, i)).deliveries[0].expected for i in range(n)]
    slot = p.horizon.slot_minutes
    starts = [-(-a // slot) * slot for a in arrivals]  # fuel counts from the next slot start
    stopped = sorted(s for s in starts if s - ARRIVAL >= 480)  # 8 h of production lost
    (p1,) = result.plant_resumptions
    assert p1.stopped == len(stopped) and p1.resumed == tuple(stopped)
    assert p1.p_stopped == len(stopped) / n
    if stopped:
        assert p1.quantile(50) == pytest.approx(float(np.percentile(stopped, 50)))


def test_robust_policy_is_chosen_on_training_samples_and_tested_on_fresh_ones():
    p = starving_portfolio(depot=True)  # T1 goes to the depot: the allocation matters
    chosen = robust_plan(p, samples=3, seed=1)
    assert chosen.plain.name == "plain allocation"
    assert dict(chosen.plain.shares) == pytest.approx({"P1": 0.1})  # 100 L of the 1000 L
    names = [c.policy.name for c in chosen.candidates]
    assert names[0] == "free re-plan" and "LP allocation, 50% reserve" in names
    assert len(names) == 1 + 3 * 3
    best = max(c.mean for c in chosen.candidates)
    assert next(c for c in chosen.candidates if c.policy == chosen.policy).mean == best
    plain_mean = next(c.mean for c in chosen.candidates if c.policy == chosen.plain)
    assert best >= plain_mean
    held = evaluate_held_out(p, chosen.policies(), 3, seed=1)
    assert held.first_index == HELD_OUT_START
    assert [r.name for r in held.rows] == ["plain", "robust", "free re-plan"]
    assert held.row("plain").delta == 0.0
    assert all(r.samples == 3 for r in held.rows)


def test_fuel_policy_turns_earmarks_into_deliveries_at_the_depot_arrival():
    p = starving_portfolio(depot=True)
    out = FuelPolicy("half", (("P1", 0.5),)).apply(p)
    by_id = {d.id: d for d in out.deliveries}
    assert by_id["T1"].litres == 500.0 and by_id["T1"].destination == "D1"
    assert (by_id["T1>P1"].litres, by_id["T1>P1"].expected, by_id["T1>P1"].destination) == (
        500.0,
        ARRIVAL,
        "P1",
    )
    with pytest.raises(ValueError, match="shares add up to more than 1"):
        FuelPolicy("too much", (("P1", 0.7), ("P2", 0.7)))
