"""Metered grid losses teach the outage model the Monte Carlo runs sample from."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from telemetry_support import FIXTURE, saved_plant

from ingenio.domain import Window
from ingenio.energy.outage_model import learn_outage_model
from ingenio.errors import IngenioError
from ingenio.scenarios.executor import InlineExecutor
from ingenio.scenarios.montecarlo import OutageSampler, run_samples, sample_rng
from ingenio.services.context import Context
from ingenio.services.plans import load_portfolio_file
from ingenio.services.scenarios import monte_carlo, outage_source, planner_named
from ingenio.telemetry.payloads import GridState
from ingenio.telemetry.stream import GridRow, WriteBatch


def _store_ctx(tmp_path: Path, name: str) -> Context:
    return saved_plant(f"sqlite:///{(tmp_path / name).as_posix()}")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    context = _store_ctx(tmp_path, "store.sqlite")
    yield context
    context.store.get().close()


def _meter_losses(ctx: Context, account: str, plant: str,
                  losses: list[tuple[datetime, datetime]]) -> None:  # fmt: skip
    """What a plant's agent would have sent: the grid off, then back."""
    rows = []
    for off, on in losses:
        rows += [GridRow(account, plant, GridState(ts=off, on=False)),
                 GridRow(account, plant, GridState(ts=on, on=True, voltage=230.0))]  # fmt: skip
    writer = ctx.store.get().telemetry_writer()
    try:
        writer.write(WriteBatch(grid=rows))
    finally:
        writer.close()


def test_monte_carlo_samples_from_the_model_the_metered_losses_taught(
    ctx: Context, tmp_path: Path
) -> None:
    portfolio = load_portfolio_file(FIXTURE)
    horizon = portfolio.horizon
    # two unannounced losses at plant P1 (block B1) in the week before the plan starts
    losses = [(horizon.to_datetime(-6 * 1440 + 15 * 60), horizon.to_datetime(-6 * 1440 + 17 * 60)),
              (horizon.to_datetime(-2 * 1440 + 9 * 60), horizon.to_datetime(-2 * 1440 + 10 * 60))]
    _meter_losses(ctx, "default", "P1", losses)
    _meter_losses(ctx, "default", "ELSEWHERE", [(losses[0][0] - timedelta(days=1),
                                                 losses[0][0])])  # not a plant of it

    learned = outage_source(ctx, portfolio)
    windows = (Window(-6 * 1440 + 15 * 60, -6 * 1440 + 17 * 60),
               Window(-2 * 1440 + 9 * 60, -2 * 1440 + 10 * 60))
    assert learned.metered == 2 and "2 metered grid loss" in learned.label
    assert learned.sampler.model == learn_outage_model(portfolio, {"B1": windows})
    assert any(rate > 0 for rate in learned.sampler.model.unplanned["B1"])
    published = outage_source(ctx, portfolio, "schedule")
    assert published.metered == 0
    assert published.sampler.model == learn_outage_model(portfolio)
    assert not any(published.sampler.model.unplanned["B1"])
    assert outage_source(ctx, portfolio, "metered").sampler == learned.sampler

    # the learned model draws outages the published schedule does not have
    def unannounced(sampler: OutageSampler) -> int:
        known = {o.window for o in portfolio.block("B1").all_outages()}
        return sum(len({o.window for o in sampler(portfolio, sample_rng(7, i)).block("B1")
                        .all_outages()} - known) for i in range(20))  # fmt: skip

    assert unannounced(learned.sampler) > 0 and unannounced(published.sampler) == 0

    # and the Monte Carlo run samples from it: the same samples as an explicit run
    _, dispatch = planner_named("dispatch")
    result = monte_carlo(ctx, portfolio, 3, seed=5, processes=1)
    explicit = run_samples(portfolio, 3, 5, dispatch, InlineExecutor(), sampler=learned.sampler)
    plain = run_samples(portfolio, 3, 5, dispatch, InlineExecutor(),
                        sampler=published.sampler)  # fmt: skip
    assert [(s.value, s.fuel_l) for s in result.samples] == [
        (s.value, s.fuel_l) for s in explicit.samples]  # fmt: skip
    assert len(result.samples) == 3 and not result.failures
    del plain  # may or may not differ on 3 samples; the draws above show the difference


def test_without_metered_losses_the_published_schedule_decides(tmp_path: Path) -> None:
    ctx = _store_ctx(tmp_path, "bare.sqlite")
    try:
        portfolio = load_portfolio_file(FIXTURE)
        source = outage_source(ctx, portfolio)
        assert source.metered == 0 and source.label == "outages from the published schedule"
        assert source.sampler.model == learn_outage_model(portfolio)
        with pytest.raises(IngenioError, match="no grid loss of this portfolio's plants"):
            outage_source(ctx, portfolio, "metered")
        with pytest.raises(IngenioError, match="--outages: expected one of"):
            outage_source(ctx, portfolio, "guess")
    finally:
        ctx.store.get().close()
