"""Rich tables and verdict of ``ingenio robust``: every table names its measure."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.table import Table

from ingenio.domain import Portfolio

if TYPE_CHECKING:
    from ingenio.services.scenarios import Decision

__all__ = ["robust_tables", "robust_verdict"]


def _f(x: float, sign: bool = False) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:+,.0f}" if sign else f"{x:,.0f}"


def robust_tables(portfolio: Portfolio, d: Decision) -> list[Table]:
    """The gap by training samples, the grants, and the held-out comparison."""
    buckets = "coarse" if d.coarse else "fine"
    gap = Table(
        title=f"Training: SAA optimality gap by samples (measure: planner score of the "
        f"portfolio LP, {buckets} buckets)",
        caption=f"Mak-Morton-Wood, {d.convergence.steps[-1].batches} batches per n; "
        + (f"converged at n = {d.convergence.n} (upper 95 % ≤ {d.convergence.tolerance:.0%} "
           "of the stake)" if d.convergence.converged
           else f"not converged: stopped at n = {d.convergence.n}"
           + (f" ({d.convergence.stopped})" if d.convergence.stopped else " (the most)"))
        + "; stake = SAA optimum - plain grants on the same batch",
    )  # fmt: skip
    for head in ("samples", "SAA optimum", "gap", "± s.e.", "upper 95 %", "stake", "of stake"):
        gap.add_column(head, justify="right")
    for g in d.convergence.steps:
        share = g.relative()
        gap.add_row(str(g.n), _f(g.bound), _f(g.gap), _f(g.se), _f(g.upper), _f(g.stake),
                    "-" if math.isinf(share) else f"{share:.0%}")  # fmt: skip
    grants = Table(title="Fuel grants (litres, tankers at their nominal litres)")
    for head in ("plant", "plain (expected value)", "two-stage SAA"):
        grants.add_column(head, justify="left" if head == "plant" else "right")
    plain, robust = d.plain.policy.litres(portfolio), d.robust.policy.litres(portfolio)
    for pid in sorted(set(plain) | set(robust)):
        name = portfolio.plant(pid).name if portfolio.has("plant", pid) else pid
        grants.add_row(name, _f(plain.get(pid, 0.0)), _f(robust.get(pid, 0.0)))
    cur = portfolio.currency
    held = Table(
        title=f"Held-out: {d.holdout} fresh samples (indices {d.first_index}+), same samples "
        f"for every policy (measure: planner score, {cur})",
        caption=f"recourse: {d.recourse}; Δ paired with plain (expected-value grants); "
        "free re-plan: no grants, the baseline; ess. missed and value: means",
    )
    heads = ("policy", "mean", "P10", "ess. missed", "value", "Δ vs plain", "± s.e.")
    for head in heads:
        held.add_column(head, justify="left" if head == "policy" else "right")
    for r in d.held_out:
        delta = d.delta_of(r.name)
        held.add_row(r.name, _f(r.mean), _f(r.percentile(10)), f"{r.essential_missed_mean:.2f}",
                     _f(r.value_mean), _f(delta.mean, sign=True), _f(delta.se))  # fmt: skip
    return [gap, grants, held]


def robust_verdict(portfolio: Portfolio, d: Decision) -> list[str]:
    """The recommendation with its figures, then VSS and EVPI, in sentences."""
    cur = portfolio.currency
    dl = d.delta
    plain, robust = d.held_out[0], d.held_out[1]
    figures = (
        f"mean {_f(robust.mean)} vs {_f(plain.mean)}, Δ {_f(dl.mean, True)} ± {_f(dl.se)} "
        f"(95 % lower bound {_f(dl.lower_bound, True)}); P10 {_f(robust.percentile(10))} "
        f"vs {_f(plain.percentile(10))} {cur}, planner score"
    )
    if d.recommended != "plain":
        lines = [f"Recommended: {d.recommended}, it beats the plain plan with 95 % "
                 f"confidence on {d.holdout} held-out samples: {figures}."]  # fmt: skip
    else:
        lines = [
            "The plain plan is already robust here: the two-stage grants do not beat it "
            f"with 95 % confidence on {d.holdout} held-out samples ({figures})."
        ]
    buckets = "coarse" if d.coarse else "fine"
    for name, iv in (("VSS (value of the stochastic solution)", d.model.vss),
                     ("EVPI (expected value of perfect information)", d.model.evpi)):  # fmt: skip
        lines.append(f"{name}: {_f(iv.mean)} {cur}, 95 % interval [{_f(iv.low)}, {_f(iv.high)}]"
                     f" (portfolio LP, {buckets} buckets, {iv.n} held-out samples)")  # fmt: skip
    return lines
