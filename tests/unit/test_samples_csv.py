"""The Monte Carlo ``samples.csv`` is opened in spreadsheets: an error text never runs."""

from __future__ import annotations

import csv
import io

from ingenio.reports.excel import csv_text
from ingenio.scenarios.executor import TaskFailure
from ingenio.scenarios.montecarlo import MonteCarloResult
from ingenio.services.scenarios import samples_csv


def _result(*errors: str) -> MonteCarloResult:
    failures = tuple(TaskFailure(index=i, error=e) for i, e in enumerate(errors))
    return MonteCarloResult(
        portfolio="p", n=len(errors), seed=1, planner="dispatch", executor="pool",
        base_value=0.0, samples=(), failures=failures, order_risks=(),
        plant_resumptions=(), seconds=0.0,
    )


def test_an_error_that_looks_like_a_formula_is_quoted_in_samples_csv() -> None:
    text = samples_csv(_result('=HYPERLINK("http://x","y")', "ValueError: plain"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["sample", "value", "fuel_l", "late", "unscheduled", "error"]
    assert rows[1] == ["0", "", "", "", "", '\'=HYPERLINK("http://x","y")']
    assert rows[2] == ["1", "", "", "", "", "ValueError: plain"]


def test_csv_text_quotes_every_formula_start_and_keeps_other_text() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_text(start + "1") == "'" + start + "1"
    assert csv_text("Planta 1 = 2") == "Planta 1 = 2"
    assert csv_text("") == ""
