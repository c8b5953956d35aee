"""The robust decision end to end: train, converge, test on held-out samples, recommend.

:func:`decide` chains :func:`~ingenio.scenarios.twostage.choose_samples` (the SAA
grants, the number of training samples by convergence),
:func:`~ingenio.scenarios.twostage.plain_policy` (the expected-value grants),
:func:`~ingenio.scenarios.holdout.held_out_planner` (plain, robust and the free re-plan
baseline planned on the same fresh samples) and
:func:`~ingenio.scenarios.holdout.held_out_model` (VSS and EVPI by the LP). Its
:class:`Decision` says which policy to use and by how much it wins, in one measure
(:data:`~ingenio.scenarios.measure.MEASURE`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ingenio.domain import Portfolio
from ingenio.energy.outage_model import learn_outage_model
from ingenio.scenarios.executor import Executor, InlineExecutor, TaskFailure
from ingenio.scenarios.grant_policy import GrantPolicy
from ingenio.scenarios.holdout import (
    FREE,
    HeldOutPolicy,
    ModelValues,
    held_out_model,
    held_out_planner,
    recommend,
)
from ingenio.scenarios.measure import MEASURE
from ingenio.scenarios.montecarlo import OutageSampler, Sampler
from ingenio.scenarios.robust import HELD_OUT_START
from ingenio.scenarios.statistics import Interval, paired
from ingenio.scenarios.twostage import (
    Builder,
    Convergence,
    Method,
    Trained,
    choose_samples,
    plain_policy,
    resolve_coarse,
)
from ingenio.scenarios.whatif import Planner

__all__ = ["Decision", "decide"]

Stage = Callable[[str, int, int], None]
"""``progress(stage label, done, total)``."""


@dataclass(frozen=True)
class Decision:
    """The policies, how they were trained, how they did on held-out samples, and the call."""

    measure: str
    plain: Trained
    robust: Trained
    convergence: Convergence
    held_out: tuple[HeldOutPolicy, ...]
    """Plain, robust, free re-plan: planner scores on the same held-out samples."""
    delta: Interval
    """Robust minus plain, paired over the held-out samples (planner scores)."""
    recommended: str
    model: ModelValues
    planner: str
    recourse: str
    coarse: bool
    """The LPs were built with coarse buckets (day starts, grant points, deliveries)."""
    holdout: int
    seed: int
    first_index: int
    failures: tuple[TaskFailure, ...]
    seconds: float

    def row(self, name: str) -> HeldOutPolicy:
        """The held-out row of a policy (KeyError when absent)."""
        for r in self.held_out:
            if r.name == name:
                return r
        raise KeyError(name)

    def delta_of(self, name: str) -> Interval:
        """The named policy minus the plain one, paired over their common held-out samples."""
        mine, ref = dict(self.row(name).scores), dict(self.held_out[0].scores)
        common = sorted(set(mine) & set(ref))
        if not common:
            nan = float("nan")
            return Interval(nan, nan, 0, nan, nan, nan, nan)
        return paired([mine[i] for i in common], [ref[i] for i in common])

    @property
    def chosen(self) -> GrantPolicy:
        """The policy to use: the robust one if recommended, else the plain one."""
        return self.robust.policy if self.recommended != "plain" else self.plain.policy

    def to_json(self) -> dict[str, Any]:
        """One JSON object: the figures of ``ingenio robust --json`` (``docs/scenarios.md``)."""
        plain, robust = self.held_out[0], self.held_out[1]

        def num(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 2)

        return {
            "measure": MEASURE,
            "planner": self.planner,
            "recourse": self.recourse,
            "lp_buckets": "coarse" if self.coarse else "fine",
            "training_samples": self.convergence.n,
            "holdout": self.holdout,
            "seed": self.seed,
            "plain_mean": num(plain.mean),
            "robust_mean": num(robust.mean),
            "plain_p10": num(plain.percentile(10)),
            "robust_p10": num(robust.percentile(10)),
            "free_replan_mean": num(self.held_out[2].mean) if len(self.held_out) > 2 else None,
            "delta_mean": num(self.delta.mean),
            "delta_se": num(self.delta.se),
            "delta_lower95": num(self.delta.lower_bound),
            "recommended": self.recommended,
            "vss": _iv(self.model.vss),
            "evpi": _iv(self.model.evpi),
            "gap": [
                {
                    "n": g.n,
                    "batches": g.batches,
                    "gap": num(g.gap),
                    "se": num(g.se),
                    "upper95": None if math.isinf(g.upper) else num(g.upper),
                    "stake": None if math.isinf(g.stake) else num(g.stake),
                }
                for g in self.convergence.steps
            ],
            "converged": self.convergence.converged,
            "convergence_stopped": self.convergence.stopped or None,
            "grants": {
                "plain": _grants(self.plain.policy),
                "robust": _grants(self.robust.policy),
            },
            "failures": [{"sample": f.index, "error": f.error} for f in self.failures],
            "seconds": round(self.seconds, 1),
        }


def _iv(iv: Interval) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for k, v in iv.as_dict().items():
        out[k] = None if isinstance(v, float) and math.isnan(v) else v
    return out


def _grants(p: GrantPolicy) -> dict[str, list[list[object]]]:
    return {"stock": [[d, pl, day, round(x, 1)] for d, pl, day, x in p.stock],
            "shares": [[a, pl, round(s, 4)] for a, pl, s in p.shares]}  # fmt: skip


def decide(
    portfolio: Portfolio,
    samples: int,
    holdout: int,
    seed: int,
    planner: Planner,
    executor: Executor | None = None,
    *,
    planner_name: str = "dispatch",
    sampler: Sampler | None = None,
    batches: int = 5,
    tolerance: float = 0.1,
    start: int = 5,
    coarse: bool | None = None,
    free_replan: bool = True,
    first_index: int = HELD_OUT_START,
    method: Method = "auto",
    build: Builder | None = None,
    progress: Stage | None = None,
) -> Decision:
    """Choose the grants over at most ``samples`` training samples and test them on
    ``holdout`` fresh ones (module docstring); ``first_index`` moves the held-out samples
    (a second, independent test); ``method`` solves the sample-average problems (``build``
    loads them instead when given: :func:`~ingenio.scenarios.twostage.choose_samples`)."""
    began = time.perf_counter()
    executor = executor or InlineExecutor()
    sampler = sampler or OutageSampler(learn_outage_model(portfolio))
    coarse = resolve_coarse(portfolio, samples, coarse)

    def ticks(label: str) -> Callable[[int, int], None]:
        return lambda done, total: progress(label, done, total) if progress else None

    plain = plain_policy(portfolio, coarse=coarse)
    robust, conv = choose_samples(portfolio, sampler, seed, samples, start=start,
                                  batches=batches, tolerance=tolerance, coarse=coarse,
                                  reference=plain.policy, method=method, build=build,
                                  progress=ticks("training and gap batches"))  # fmt: skip
    policies: list[GrantPolicy | None] = [plain.policy, robust.policy]
    names = [plain.policy.name, robust.policy.name]
    if free_replan:
        policies.append(None)
        names.append(FREE)
    rows, failed = held_out_planner(
        portfolio, policies, names, holdout, seed, planner, sampler, executor,
        first_index=first_index, progress=ticks(f"{holdout} held-out samples with {planner_name}"),
    )  # fmt: skip
    same = _same(plain.policy, robust.policy)
    recommended, delta = recommend(rows[0], rows[1], same)
    model = held_out_model(
        portfolio, plain.policy, robust.policy, holdout, seed, sampler, executor,
        coarse=coarse, progress=ticks("VSS and EVPI by the LP"),
    )  # fmt: skip
    return Decision(
        MEASURE, plain, robust, conv, rows, delta, recommended, model, planner_name,
        f"{planner_name} per sample and policy on {executor.name}", coarse, holdout, seed,
        first_index, (*failed, *model.failures), time.perf_counter() - began,
    )  # fmt: skip


def _same(a: GrantPolicy, b: GrantPolicy, tol: float = 1e-3) -> bool:
    """Two grant policies give the same litres and shares (within ``tol``)."""

    def key(p: GrantPolicy) -> dict[tuple[object, ...], float]:
        out: dict[tuple[object, ...], float] = {}
        for d, pl, day, x in p.stock:
            out[(d, pl, day)] = x
        for t, pl, s in p.shares:
            out[(t, pl)] = s
        return out

    ka, kb = key(a), key(b)
    return all(abs(ka.get(k, 0.0) - kb.get(k, 0.0)) <= tol * max(1.0, abs(ka.get(k, 0.0)))
               for k in set(ka) | set(kb))  # fmt: skip
