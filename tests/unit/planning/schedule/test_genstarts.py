"""The start rules of a generator over the model's slots, by hand (``genstarts``)."""

from __future__ import annotations

from ingenio.planning.schedule.genstarts import blocks, conform, row_burns, start_rules

# Slots of 60 minutes: [60, 240) touching, then [300, 360) after a 60-minute gap.
SLOTS = ((60, 120), (120, 180), (180, 240), (300, 360))


def test_a_start_forces_its_minimum_run_and_clears_its_warm_up() -> None:
    rule = start_rules(SLOTS, cost=5, lead=70, min_run=120, horizon=1440)
    assert rule.prev == (None, 0, 1, None)
    assert rule.allowed == (False, True, True, True)  # a crank before minute 0
    assert rule.need[1] == (2,)  # 120 minutes from minute 120
    assert rule.need[2] is None  # the chain ends at 240 and the horizon does not
    assert rule.need[3] is None
    assert rule.clear[3] == (2,)  # ends at 240, less than 70 minutes before 300


def test_a_block_reaching_the_horizon_needs_no_minimum_run() -> None:
    rule = start_rules(SLOTS, cost=0, lead=0, min_run=180, horizon=360)
    assert rule.need[3] == ()


def test_conform_lengthens_and_joins_blocks_or_names_the_slots_it_cannot_mend() -> None:
    rule = start_rules(SLOTS, cost=5, lead=30, min_run=120, horizon=1440)
    levels, bad = conform([rule], [3], {(0, 1): 9})
    assert not bad and levels == {(0, 1): 9, (0, 2): 3}
    levels, bad = conform([rule], [3], {(0, 2): 9})  # too late to run 120 min: begin earlier
    assert not bad and levels == {(0, 1): 3, (0, 2): 9}
    _, bad = conform([rule], [3], {(0, 3): 9})  # [300, 360) alone cannot last 120 min
    assert bad == {3}
    assert blocks(SLOTS, {0, 1, 3}) == [(60, 180), (300, 360)]


def test_starts_are_charged_where_their_crank_may_come_before_the_checkpoint() -> None:
    rule = start_rules(SLOTS, cost=5, lead=30, min_run=0, horizon=1440)
    running = [{1: 10, 3: 10}]  # two blocks: two starts
    # checkpoint at 290 holds slots 0-2; the start at 300 may crank at 270 < 290
    assert row_burns(SLOTS, [rule], [(3, 0)], [290], running) == [10 + 5 + 5]
    assert row_burns(SLOTS, [rule], [(3, 0)], [260], running) == [10 + 5]
