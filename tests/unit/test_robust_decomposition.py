"""The sample-average problem by Benders decomposition, and how the number of training
samples is kept when a larger one does not solve."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from scenario_portfolios import wide_window_portfolio

from ingenio.domain import Portfolio
from ingenio.energy.outage_model import learn_outage_model
from ingenio.errors import IngenioError
from ingenio.planning.dispatch import dispatch
from ingenio.scenarios.benders import build_decomposed
from ingenio.scenarios.decision import decide
from ingenio.scenarios.extensive import FloatArray, build_extensive
from ingenio.scenarios.montecarlo import OutageSampler
from ingenio.scenarios.twostage import (
    SampleAverage,
    build_saa,
    builder,
    choose_samples,
    draw,
    plain_policy,
)


def _scenarios(p: Portfolio, n: int, seed: int = 4) -> list[Portfolio]:
    return draw(p, OutageSampler(learn_outage_model(p)), seed, range(n))


def test_the_decomposition_reaches_the_extensive_forms_optimum():
    """Same samples, same first stage: the decomposition's policy scores what the extensive
    form's optimum scores (within its tolerance), its bound is above, and a fixed policy is
    valued the same by both."""
    p = wide_window_portfolio()
    scenarios = _scenarios(p, 5)
    ef = build_extensive(p, scenarios)
    exact = ef.solve()
    plain = plain_policy(p).solved.x
    dec = build_decomposed(p, scenarios, start=plain)
    got = dec.solve()
    tol = 1e-6 * abs(exact.mean)
    assert got.mean == pytest.approx(exact.mean, abs=tol)
    assert got.upper >= exact.mean - tol
    assert dec.iterations >= 1 and dec.cuts >= len(scenarios)
    assert ef.solve(fixed=got.x).mean == pytest.approx(got.mean, abs=tol)
    for x in (plain, exact.x):
        assert dec.solve(fixed=x).scores == pytest.approx(ef.solve(fixed=x).scores, abs=tol)


def test_the_cuts_over_estimate_every_samples_value():
    """A cut from one point bounds the sample's value at another from above (concavity),
    and touches it at its own point."""
    p = wide_window_portfolio()
    dec = build_decomposed(p, _scenarios(p, 3))
    a, b = plain_policy(p).solved.x, dec._start()  # plain grants, an even split
    qa, ga = dec._evaluate(a, float("inf"), gradients=True)
    qb, _ = dec._evaluate(b, float("inf"), gradients=True)
    assert not np.allclose(a, b)
    for w in range(3):
        assert qb[w] <= qa[w] + ga[w] @ (b - a) + 1e-6 * max(1.0, abs(qa[w]))


def test_auto_picks_the_decomposition_for_large_forms(monkeypatch: pytest.MonkeyPatch):
    p = wide_window_portfolio()
    scenarios = _scenarios(p, 2)
    assert type(build_saa(p, scenarios)).__name__ == "ExtensiveForm"
    monkeypatch.setattr("ingenio.scenarios.twostage.EXTENSIVE_COLUMNS", 10)
    assert type(build_saa(p, scenarios)).__name__ == "Decomposed"


class _Stuck:
    """A sample-average problem whose solves hit the limit (a stub for a slow solver)."""

    def __init__(self, inner: SampleAverage) -> None:
        self.inner = inner
        self.first, self.samples = inner.first, inner.samples
        self.n_cols, self.n_rows, self.nonzeros = inner.n_cols, inner.n_rows, inner.nonzeros
        self.build_seconds = inner.build_seconds

    def solve(self, fixed: FloatArray | None = None, time_limit_s: float = 0.0) -> object:
        raise IngenioError(
            f"the extensive form over {self.samples} samples did not solve: Time limit reached",
            kind="solver_failed",
        )


def _stuck_beyond(most: int, seen: list[int]):
    real = builder("extensive")

    def build(
        portfolio: Portfolio, scenarios: Sequence[Portfolio], coarse: bool,
        start: FloatArray | None,
    ) -> SampleAverage:  # fmt: skip
        seen.append(len(scenarios))
        got = real(portfolio, scenarios, coarse, start)
        return got if len(scenarios) <= most else _Stuck(got)  # type: ignore[return-value]

    return build


def test_a_larger_n_that_hits_its_limit_keeps_the_last_n_that_solved():
    """Doubling n from 2: n = 4 hits the solver's limit, so the policy of n = 2 is kept,
    the convergence says it did not converge and why; tolerance -1 never converges."""
    p = wide_window_portfolio()
    sampler = OutageSampler(learn_outage_model(p))
    seen: list[int] = []
    plain = plain_policy(p).policy
    trained, conv = choose_samples(p, sampler, 2, 8, start=2, batches=2, tolerance=-1.0,
                                   reference=plain, build=_stuck_beyond(2, seen))  # fmt: skip
    assert seen == [2, 2, 2, 4]  # training and two gap batches at n = 2, then n = 4 fails
    assert trained.samples == 2 and conv.n == 2 and [s.n for s in conv.steps] == [2]
    assert not conv.converged
    assert conv.stopped.startswith("n = 4: ") and "Time limit reached" in conv.stopped
    alone, _ = choose_samples(p, sampler, 2, 2, start=2, batches=2, tolerance=-1.0,
                              reference=plain, build=builder("extensive"))  # fmt: skip
    assert alone.policy == trained.policy  # the same policy as a run that stops at 2


def test_the_decision_says_when_it_kept_a_smaller_n():
    p = wide_window_portfolio()
    d = decide(p, samples=8, holdout=4, seed=2, planner=dispatch, batches=2, start=2,
               tolerance=-1.0, free_replan=False, build=_stuck_beyond(2, []))  # fmt: skip
    js = d.to_json()
    assert js["training_samples"] == 2 and js["converged"] is False
    assert "n = 4" in js["convergence_stopped"]


def test_the_first_n_failing_is_an_error_not_a_silent_fallback():
    p = wide_window_portfolio()
    sampler = OutageSampler(learn_outage_model(p))
    with pytest.raises(IngenioError, match="Time limit"):
        choose_samples(p, sampler, 2, 8, start=2, batches=2, build=_stuck_beyond(1, []))


def test_a_decomposition_out_of_time_fails_as_the_solver():
    p = wide_window_portfolio()
    dec = build_decomposed(p, _scenarios(p, 2))
    with pytest.raises(IngenioError) as err:
        dec.solve(time_limit_s=0.0)
    assert err.value.kind == "solver_failed"
