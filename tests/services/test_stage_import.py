"""``ingenio outages stages``: a block's stage schedule from the EskomSePush fixture.

The fixture (``tests/fixtures/outages/esp-soweto.json``, Soweto (12), 15-21 May 2023)
has eight stage lists per date; on 15 May stage 2 is off 04:00-06:30 and 14:00-16:30.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from stage_portfolios import document

from ingenio.domain import DomainError, Window
from ingenio.errors import IngenioError
from ingenio.formats.outages.esp_stages import esp_stage_schedule
from ingenio.formats.portfolio import dump_portfolio, parse_portfolio
from ingenio.services.context import Context
from ingenio.services.stages import import_stage_schedule, parse_forecast

OUTAGES = Path(__file__).resolve().parents[1] / "fixtures" / "outages"


def may_portfolio(tmp_path: Path) -> Path:
    """The stage test portfolio moved to 15-16 May 2023, with no stages yet."""
    doc: dict[str, Any] = document()
    doc.update(start="2023-05-15T00:00", days=2)
    del doc["blocks"][0]["load_shedding"]
    doc["orders"][0].update(release="2023-05-15T06:00", due="2023-05-16T00:00")
    path = tmp_path / "may.yaml"
    dump_portfolio(parse_portfolio(doc, "may.yaml"), path)
    return path


def test_reader_gives_the_schedule_as_file_entries() -> None:
    area, days = esp_stage_schedule((OUTAGES / "esp-soweto.json").read_text(), "esp.json")
    assert area == "Soweto (12)"
    assert [d["date"] for d in days] == [f"2023-05-{d}" for d in range(15, 22)]
    assert days[0]["stages"][1] == ["04:00-06:30", "14:00-16:30"]


def test_reader_errors_name_line_path_and_value() -> None:
    text = (OUTAGES / "esp-soweto.json").read_text().replace('"14:00-16:30"', '"25:00-16:30"', 1)
    with pytest.raises(DomainError) as err:
        esp_stage_schedule(text, "esp.json")
    first = str(err.value).splitlines()[0]
    assert first.startswith("esp.json: line ")
    assert "schedule.days[0].stages[0][0]: expected a range HH:MM-HH:MM" in first
    assert "(got '25:00-16:30')" in first


def test_import_sets_the_block_schedule_and_forecast(ctx: Context, tmp_path: Path) -> None:
    done = import_stage_schedule(
        ctx,
        OUTAGES / "esp-soweto.json",
        str(may_portfolio(tmp_path)),
        "B",
        ["2023-05-15=2:1.0"],
        ".yaml",
    )
    assert done.dates == ("2023-05-15", "2023-05-16")  # the horizon's dates only
    assert done.saved.version == 1
    # stage 2 for certain on the 15th: 04:00-06:30 and 14:00-16:30 off
    assert done.portfolio.grid_off("P") == (Window(240, 390), Window(840, 990))
    assert done.text is not None and "load_shedding" in done.text


def test_import_errors(ctx: Context, tmp_path: Path) -> None:
    path = str(may_portfolio(tmp_path))
    with pytest.raises(IngenioError, match=r"--block 'X': no such block \(known: B\)"):
        import_stage_schedule(ctx, OUTAGES / "esp-soweto.json", path, "X")
    with pytest.raises(IngenioError, match="--forecast '2023-05-15=two'"):
        parse_forecast(["2023-05-15=two"])
