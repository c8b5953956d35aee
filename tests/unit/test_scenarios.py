"""Perturbations, what-if differences and resumption dates on tiny hand-made portfolios.

The numbers are worked out by hand in ``tests/scenario_portfolios.py``.
"""

from __future__ import annotations

import dataclasses

import pytest
from scenario_portfolios import ARRIVAL, starving_portfolio

from ingenio.domain import (
    Block,
    FuelTank,
    OrderStatus,
    OutageWindow,
    Portfolio,
    Window,
)
from ingenio.planning.dispatch import dispatch
from ingenio.scenarios.parse import (
    parse_deficit_scale,
    parse_duration,
    parse_extra_fuel,
    parse_generator_down,
    parse_moment,
    parse_plant_down,
    parse_tanker_delay,
)
from ingenio.scenarios.perturb import (
    DeficitScale,
    ExtraFuel,
    GeneratorDown,
    PerturbationError,
    PlantDown,
    TankerDelay,
    apply_all,
    format_duration,
)
from ingenio.scenarios.resumption import Stoppage, stoppages
from ingenio.scenarios.whatif import (
    ChangeKind,
    WhatIfDiff,
    arrival_sentence,
    compare,
    latest_arrival,
    resumption_sentences,
)
from ingenio.validate import validate

A_ORDERS = tuple(f"A{k:02d}" for k in range(1, 11))


def _diff(base: Portfolio, variant: Portfolio, **kw: int) -> WhatIfDiff:
    base_plan, variant_plan = dispatch(base), dispatch(variant)
    assert validate(base, base_plan) == []
    assert validate(variant, variant_plan) == []
    return compare(base_plan, variant_plan, base, variant, **kw)


# --- perturbations ----------------------------------------------------------------------


def test_tanker_delay_moves_expected_earliest_and_latest():
    p = starving_portfolio()
    moved = TankerDelay("T1", 720).apply(p).deliveries[0]
    assert (moved.expected, moved.earliest, moved.latest) == (2160, 2160, 2160 + 2880)
    assert p.deliveries[0].expected == ARRIVAL  # the base is untouched


def test_tanker_delay_of_an_unknown_delivery_names_the_option_and_value():
    with pytest.raises(
        PerturbationError, match=r"--tanker-delay 'T9=9d': no fuel delivery 'T9'.*T1"
    ):
        TankerDelay("T9", 9 * 1440).apply(starving_portfolio())


def _with_block(p: Portfolio, *outages: OutageWindow) -> Portfolio:
    return dataclasses.replace(p, blocks=(Block("B1", "Bloque 1", outages),))


def test_deficit_scale_lengthens_each_window_from_its_start():
    p = _with_block(
        starving_portfolio(), OutageWindow(Window(600, 840)), OutageWindow(Window(2000, 2100), 0.3)
    )
    out = DeficitScale(1.5).apply(p).block("B1").outages
    assert out == (OutageWindow(Window(600, 960)), OutageWindow(Window(2000, 2150), 0.3))


def test_deficit_scale_merges_overlaps_with_the_higher_probability_and_stops_at_the_horizon():
    end = starving_portfolio().horizon.minutes
    p = _with_block(
        starving_portfolio(),
        OutageWindow(Window(100, 300), 0.5),
        OutageWindow(Window(400, 500), 1.0),
        OutageWindow(Window(end - 100, end)),
    )
    out = DeficitScale(2.0).apply(p).block("B1").outages
    assert out == (OutageWindow(Window(100, 600), 1.0), OutageWindow(Window(end - 100, end)))


def test_deficit_scale_below_one_shortens_and_zero_is_refused():
    p = _with_block(starving_portfolio(), OutageWindow(Window(600, 840)))
    assert DeficitScale(0.5).apply(p).block("B1").outages == (OutageWindow(Window(600, 720)),)
    with pytest.raises(PerturbationError, match="--deficit-scale 0"):
        DeficitScale(0).apply(p)


def test_generator_down_removes_it_and_refuses_a_generator_of_another_plant():
    p = starving_portfolio(with_p2=True)
    assert GeneratorDown("P1", "G1").apply(p).plant("P1").generators == ()
    with pytest.raises(PerturbationError, match=r"--generator-down 'P2/G1': plant P2 has no"):
        GeneratorDown("P2", "G1").apply(p)
    with pytest.raises(PerturbationError, match=r"no plant 'PX'"):
        GeneratorDown("PX", "G1").apply(p)


def test_plant_down_cuts_every_shift_window():
    p = starving_portfolio()
    line = PlantDown("P1", 600, 1200).apply(p).plant("P1").lines[0]
    assert line.shifts == (Window(0, 600), Window(1200, p.horizon.minutes))
    assert line.pattern == ()
    with pytest.raises(PerturbationError, match="--plant-down 'PX'"):
        PlantDown("PX", 0, 60).apply(p)


def test_extra_fuel_adds_a_delivery_at_the_start_with_a_fresh_id():
    p = ExtraFuel("D1", 500.0).apply(ExtraFuel("D1", 250.0).apply(starving_portfolio()))
    extra = [d for d in p.deliveries if d.id.startswith("extra-")]
    assert [(d.id, d.litres, d.expected, d.destination) for d in extra] == [
        ("extra-D1-1", 250.0, 0, "D1"),
        ("extra-D1-2", 500.0, 0, "D1"),
    ]


def test_extra_fuel_refuses_unknown_places_plants_without_tank_and_no_litres():
    p = starving_portfolio(with_p2=True)
    with pytest.raises(PerturbationError, match="no depot or plant 'D9'"):
        ExtraFuel("D9", 10).apply(p)
    with pytest.raises(PerturbationError, match="plant P2 has no fuel tank"):
        ExtraFuel("P2", 10).apply(p)
    with pytest.raises(PerturbationError, match="litres must be positive"):
        ExtraFuel("D1", 0).apply(p)


def test_apply_all_applies_in_order_and_says_what_changed():
    out = apply_all(starving_portfolio(), [TankerDelay("T1", 60), ExtraFuel("P1", 5)])
    assert out.deliveries[0].expected == ARRIVAL + 60
    assert out.name == "starving — what-if: T1 arrives 1h later; +5 L at P1"


# --- parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("9d", 12960), ("12h", 720), ("90m", 90), ("1d12h", 2160), ("1.5d", 2160), ("-2d", -2880)],
)
def test_parse_duration(text, minutes):
    assert parse_duration(text) == minutes
    assert parse_duration(format_duration(minutes)) == minutes


@pytest.mark.parametrize("text", ["", "9", "9x", "d9", "9d junk"])
def test_parse_duration_refuses_junk(text):
    with pytest.raises(PerturbationError, match="expected a duration"):
        parse_duration(text, "--tanker-delay")


def test_parsers_of_the_cli_spellings():
    assert parse_tanker_delay("TANKER-2=9d") == TankerDelay("TANKER-2", 12960)
    assert parse_deficit_scale("1.3") == DeficitScale(1.3)
    assert parse_generator_down("CEM/CEM-G1") == GeneratorDown("CEM", "CEM-G1")
    assert parse_extra_fuel("D1=5,000L") == ExtraFuel("D1", 5000.0)
    horizon = starving_portfolio().horizon
    assert parse_moment("2026-04-07T06:00", horizon, "--from") == 1800
    assert parse_moment("2026-04-07", horizon, "--from") == 1440
    assert parse_moment("1d6h", horizon, "--from") == 1800
    assert parse_plant_down("P1", "2026-04-06 10:00", "1d", horizon) == PlantDown("P1", 600, 1440)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: parse_tanker_delay("T1"), r"--tanker-delay 'T1': expected DELIVERY=DURATION"),
        (lambda: parse_deficit_scale("lots"), r"--deficit-scale 'lots': expected a number"),
        (lambda: parse_deficit_scale("-1"), r"--deficit-scale '-1': the factor must be positive"),
        (lambda: parse_generator_down("G1"), r"--generator-down 'G1': expected PLANT/GENERATOR"),
        (lambda: parse_extra_fuel("D1=much"), r"--extra-fuel 'D1=much': litres must be a number"),
        (
            lambda: parse_plant_down("P1", "2d", "1d", starving_portfolio().horizon),
            r"--to '1d': must be after --from 2d",
        ),
    ],
)
def test_parsers_name_the_option_and_the_value(call, message):
    with pytest.raises(PerturbationError, match=message):
        call()


# --- what-if ----------------------------------------------------------------------------


def test_tanker_delay_makes_exactly_the_orders_after_the_old_arrival_late_by_the_delay():
    base = starving_portfolio()
    diff = _diff(base, TankerDelay("T1", 720).apply(base))
    assert diff.of_kind(ChangeKind.LATE) == A_ORDERS
    assert len(diff.orders) == 10
    for change in diff.orders:
        assert change.after.status is OrderStatus.LATE
        assert change.after.lateness_minutes == 720
        assert change.after.value == pytest.approx(100 * (1 - 0.1 * 720 / 1440))
    assert diff.value_delta == pytest.approx(-10 * 100 * 0.1 * 0.5)
    (plant,) = diff.plants
    assert plant.fuel_before_l == pytest.approx(200.0)  # 20 h at 10 L/h, before and after
    assert plant.fuel_delta_l == pytest.approx(0.0)


def test_resumption_of_a_starved_plant_is_the_new_arrival():
    base = starving_portfolio()
    diff = _diff(base, TankerDelay("T1", 720).apply(base))
    assert diff.resumptions == (Stoppage("P1", 600, ARRIVAL + 720, 600, ARRIVAL),)
    (sentence,) = resumption_sentences(base, diff)
    assert sentence == (
        "Ensambladora stops after 2026-04-06 10:00 (day 1) and resumes on 2026-04-07 12:00 "
        "(day 2) (10.0 h of planned production lost)."
    )


def test_a_short_delay_is_no_stoppage_but_still_makes_the_orders_late():
    base = starving_portfolio()
    diff = _diff(base, TankerDelay("T1", 180).apply(base))  # 3 h lost < the 8 h threshold
    assert diff.resumptions == ()
    assert {c.after.lateness_minutes for c in diff.orders} == {180}


def test_latest_arrival_that_lets_the_plant_resume_by_a_date():
    base = starving_portfolio()
    variant = TankerDelay("T1", 720).apply(base)
    (stop,) = _diff(base, variant).resumptions
    need = latest_arrival(base, variant, dispatch, "T1", stop, 1800, step=15)
    assert (need.latest_arrival, need.resumes_at, need.base_arrival) == (1800, 1800, ARRIVAL)
    assert need.replans <= 12  # a bisection, not a scan of the 288 candidate arrivals
    assert arrival_sentence(base, need) == (
        "Ensambladora resumes by 2026-04-07 06:00 (day 2) if T1 arrives by "
        "2026-04-07 06:00 (day 2)."
    )
    too_soon = latest_arrival(base, variant, dispatch, "T1", stop, 1000)
    assert too_soon.latest_arrival is None
    assert "cannot be producing again" in arrival_sentence(base, too_soon)


def test_plant_down_resumes_at_the_end_of_the_window():
    base = starving_portfolio()
    diff = _diff(base, PlantDown("P1", 0, 300).apply(base), min_lost=60)
    assert diff.resumptions == (Stoppage("P1", 0, 300, 300, 0),)
    late = {c.order_id: c.after.lateness_minutes for c in diff.orders}
    assert late == {f"O{k:02d}": 60 * (k - 5) for k in range(6, 11)}


def test_generator_down_leaves_a_grid_less_plant_unscheduled_for_good():
    base = starving_portfolio()
    diff = _diff(base, GeneratorDown("P1", "G1").apply(base))
    assert len(diff.of_kind(ChangeKind.UNSCHEDULED)) == 20
    assert diff.variant_value == 0.0
    assert diff.resumptions == (Stoppage("P1", 0, None, 1200, 0),)
    assert "does not resume within the horizon" in resumption_sentences(base, diff)[0]


def test_extra_fuel_at_the_plant_cancels_the_tanker_delay():
    base = starving_portfolio()
    variant = apply_all(base, [TankerDelay("T1", 720), ExtraFuel("P1", 100.0)])
    diff = _diff(base, variant)
    assert diff.orders == ()
    assert diff.value_delta == 0.0
    assert diff.resumptions == ()


def test_deeper_deficit_makes_the_exposed_orders_later_by_the_longer_cut():
    base = starving_portfolio(with_p2=True)  # B windows: 240 min -> B orders 60 min late
    diff = _diff(base, DeficitScale(1.5).apply(base))  # 360 min -> 180 min late
    assert diff.of_kind(ChangeKind.LATER) == ("B1", "B2", "B3")
    assert {c.lateness_delta_minutes for c in diff.orders} == {120}


def test_recovered_orders_are_reported():
    base = TankerDelay("T1", 720).apply(starving_portfolio())
    diff = _diff(base, starving_portfolio())
    assert diff.of_kind(ChangeKind.RECOVERED) == A_ORDERS
    assert diff.value_delta == pytest.approx(50.0)


def test_stoppages_from_production_windows():
    base = (Window(0, 100), Window(200, 700))
    variant = (Window(0, 100), Window(650, 700))
    assert stoppages("P", base, variant, 1000, min_lost=60) == (Stoppage("P", 100, 650, 450, 200),)
    assert stoppages("P", base, (), 1000, min_lost=60) == (Stoppage("P", 0, None, 600, 0),)
    assert stoppages("P", base, base, 1000, min_lost=1) == ()


def test_a_tank_refill_by_extra_fuel_validates():
    base = starving_portfolio()
    plant = base.plant("P1")
    tank = FuelTank(capacity_l=2000.0, stock_l=0.0, reserve_l=0.0)
    empty = dataclasses.replace(base, plants=(dataclasses.replace(plant, tank=tank),))
    variant = ExtraFuel("P1", 100.0).apply(empty)
    plan = dispatch(variant)
    assert validate(variant, plan) == []
    assert plan.count(OrderStatus.ON_TIME) == 20


# --- the commands -----------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch):
    """Run ``ingenio`` with PORTFOLIO 'tiny' meaning the starving portfolio (with P2)."""
    from typer.testing import CliRunner

    from ingenio.cli.main import app
    from ingenio.services import scenarios

    real = scenarios.load_portfolio_arg
    monkeypatch.setattr(
        scenarios,
        "load_portfolio_arg",
        lambda arg: starving_portfolio(with_p2=True) if arg == "tiny" else real(arg),
    )
    return lambda *args: CliRunner().invoke(app, list(args))


def test_whatif_command_prints_the_difference_and_the_resumption(cli):
    result = cli("whatif", "tiny", "--tanker-delay", "T1=12h", "--planner", "dispatch")
    assert result.exit_code == 0, result.output
    assert "What-if: T1 arrives 12h later" in result.output
    assert "Ensambladora stops after 2026-04-06 10:00 (day 1) and resumes on" in result.output
    assert "Ensambladora resumes on 2026-04-07 if T1 arrives by" in result.output


def test_whatif_command_names_the_bad_option_in_one_line(cli):
    result = cli("whatif", "tiny", "--generator-down", "P1/G9", "--planner", "dispatch")
    assert result.exit_code == 1
    assert "--generator-down 'P1/G9': plant P1 has no generator 'G9'" in result.output
    result = cli("whatif", "tiny", "--plant-down", "P1", "--from", "1d")
    assert result.exit_code == 1
    assert "needs --from and --to" in result.output


def test_scenarios_command_writes_an_offline_report(cli, tmp_path):
    result = cli("scenarios", "tiny", "--samples", "3", "--workers", "1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "scenarios.html").read_text()
    assert html.count('<script type="text/javascript">') == 1  # plotly inlined once
    assert "fig-value" in html and "fig-orders" in html and "fig-resumption" in html
    rows = (tmp_path / "samples.csv").read_text().splitlines()
    assert rows[0] == "sample,value,fuel_l,late,unscheduled,error" and len(rows) == 4


def test_robust_command_prints_the_gap_grants_and_the_held_out_comparison(cli):
    args = ("--samples", "2", "--holdout", "2", "--workers", "1", "--batches", "2")
    result = cli("robust", "tiny", *args)
    assert result.exit_code == 0, result.output
    for words in ("SAA optimality gap", "Fuel grants", "Held-out: 2 fresh", "free re-plan"):
        assert words in result.output
    assert "The plain plan is already robust here" in result.output  # one plant with fuel
