"""The UNE's daily note as published parses: a corpus of phrasing variants (issue 15, item 10)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ingenio.domain.errors import DomainError
from ingenio.formats.outages import parse_une_report
from ingenio.formats.outages.une import read_mw

CORPUS = Path(__file__).parents[1] / "fixtures" / "une"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text("utf-8"))


def _mw(figure: Any) -> float | None:
    return None if figure is None else float(figure.mw)


def test_corpus_is_complete() -> None:
    notes = sorted(p.name for p in CORPUS.glob("*.txt"))
    assert len(notes) >= 10 and notes == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_published_phrasing_parses(name: str) -> None:
    want = EXPECTED[name]
    text = (CORPUS / name).read_bytes().decode("utf-8")
    report = parse_une_report(text, name)
    day = None if want["day"] is None else date.fromisoformat(want["day"])
    assert report.day == day
    peak = [report.availability.mw, report.demand.mw, report.deficit.mw, report.afectacion.mw]
    assert peak == want["peak"]
    assert report.afectacion_derived is want["derived"]
    status = [
        report.status_time,
        _mw(report.status_availability),
        _mw(report.status_demand),
        _mw(report.status_affected),
    ]
    assert status == want["status"]
    assert _mw(report.midday_afectacion) == want["midday"]
    yesterday = (
        None
        if report.yesterday_max is None
        else [report.yesterday_max.mw, report.yesterday_max_time]
    )
    assert yesterday == want["yesterday"]


@pytest.mark.parametrize(
    ("raw", "mw"), [("1,950", 1950), ("12,345", 12345), ("36,5", 36.5), ("1\u2009950", 1950)]
)
def test_comma_groups_thousands_before_three_digits(raw: str, mw: float) -> None:
    assert read_mw(raw) == mw


def test_figures_that_disagree_within_the_peak_forecast_are_refused() -> None:
    text = (
        "Se estima para el horario pico una disponibilidad de 1 950 MW y una demanda máxima "
        "de 3 250 MW. De mantenerse estas condiciones se pronostica una afectación de 1 370 MW "
        "en este horario.\n\nCon este pronóstico se prevé una disponibilidad de 1 900 MW."
    )
    with pytest.raises(DomainError, match="disponibilidad is given 2 times"):
        parse_une_report(text, "u.txt")


def test_a_sentence_without_the_peak_forecast_is_still_refused() -> None:
    text = "Para el horario pico se estima la entrada de la unidad 3 de la CTE Renté con 50 MW."
    with pytest.raises(DomainError, match="no peak forecast found"):
        parse_une_report(text, "u.txt")
