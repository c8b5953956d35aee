"""Rich tables and verdict of ``ingenio robust``: every table names its measure."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.table import Table

from ingenio.cli.lang import _, num, pct, service_text, signed
from ingenio.domain import Portfolio

if TYPE_CHECKING:
    from ingenio.services.scenarios import Decision

__all__ = ["robust_tables", "robust_verdict"]


def _f(x: float, sign: bool = False) -> str:
    if math.isnan(x):
        return "-"
    return signed(x) if sign else num(x)


def robust_tables(portfolio: Portfolio, d: Decision) -> list[Table]:
    """The gap by training samples, the grants, and the held-out comparison."""
    buckets = _("coarse") if d.coarse else _("fine")
    conv = d.convergence
    if conv.converged:
        state = _("converged at n = %(n)s (upper 95 %% ≤ %(tolerance)s of the stake)", n=conv.n,
                  tolerance=pct(conv.tolerance, 0))  # fmt: skip
    else:
        state = _("not converged: stopped at n = %(n)s (%(why)s)", n=conv.n,
                  why=service_text(conv.stopped) if conv.stopped else _("the most"))  # fmt: skip
    gap = Table(
        title=_("Training: SAA optimality gap by samples (measure: planner score of the "
                "portfolio LP, %(buckets)s buckets)", buckets=buckets),
        caption=_("Mak-Morton-Wood, %(batches)s batches per n; %(state)s; stake = SAA optimum "
                  "- plain grants on the same batch", batches=conv.steps[-1].batches,
                  state=state),
    )  # fmt: skip
    for head in (_("samples"), _("SAA optimum"), _("gap"), _("± s.e."), _("upper 95 %"),
                 _("stake"), _("of stake")):  # fmt: skip
        gap.add_column(head, justify="right")
    for g in conv.steps:
        share = g.relative()
        gap.add_row(str(g.n), _f(g.bound), _f(g.gap), _f(g.se), _f(g.upper), _f(g.stake),
                    "-" if math.isinf(share) else pct(share, 0))  # fmt: skip
    grants = Table(title=_("Fuel grants (litres, tankers at their nominal litres)"))
    for i, head in enumerate((_("plant"), _("plain (expected value)"), _("two-stage SAA"))):
        grants.add_column(head, justify="left" if i == 0 else "right")
    plain, robust = d.plain.policy.litres(portfolio), d.robust.policy.litres(portfolio)
    for pid in sorted(set(plain) | set(robust)):
        name = portfolio.plant(pid).name if portfolio.has("plant", pid) else pid
        grants.add_row(name, _f(plain.get(pid, 0.0)), _f(robust.get(pid, 0.0)))
    cur = portfolio.currency
    held = Table(
        title=_("Held-out: %(count)s fresh samples (indices %(first)s+), same samples for every "
                "policy (measure: planner score, %(currency)s)", count=d.holdout,
                first=d.first_index, currency=cur),
        caption=_("recourse: %(recourse)s; Δ paired with plain (expected-value grants); free "
                  "re-plan: no grants, the baseline; ess. missed and value: means",
                  recourse=d.recourse),
    )  # fmt: skip
    heads = (_("policy"), _("mean"), "P10", _("ess. missed"), _("value"), _("Δ vs plain"),
             _("± s.e."))  # fmt: skip
    for i, head in enumerate(heads):
        held.add_column(head, justify="left" if i == 0 else "right")
    for r in d.held_out:
        delta = d.delta_of(r.name)
        held.add_row(r.name, _f(r.mean), _f(r.percentile(10)), num(r.essential_missed_mean, 2),
                     _f(r.value_mean), _f(delta.mean, sign=True), _f(delta.se))  # fmt: skip
    return [gap, grants, held]


def robust_verdict(portfolio: Portfolio, d: Decision) -> list[str]:
    """The recommendation with its figures, then VSS and EVPI, in sentences."""
    cur = portfolio.currency
    dl = d.delta
    plain, robust = d.held_out[0], d.held_out[1]
    figures = _(
        "mean %(robust)s vs %(plain)s, Δ %(delta)s ± %(se)s (95 %% lower bound %(lower)s); "
        "P10 %(robust_p10)s vs %(plain_p10)s %(currency)s, planner score",
        robust=_f(robust.mean), plain=_f(plain.mean), delta=_f(dl.mean, True), se=_f(dl.se),
        lower=_f(dl.lower_bound, True), robust_p10=_f(robust.percentile(10)),
        plain_p10=_f(plain.percentile(10)), currency=cur,
    )  # fmt: skip
    if d.recommended != "plain":
        lines = [_("Recommended: %(policy)s, it beats the plain plan with 95 %% confidence on "
                   "%(count)s held-out samples: %(figures)s.", policy=d.recommended,
                   count=d.holdout, figures=figures)]  # fmt: skip
    else:
        lines = [_("The plain plan is already robust here: the two-stage grants do not beat it "
                   "with 95 %% confidence on %(count)s held-out samples (%(figures)s).",
                   count=d.holdout, figures=figures)]  # fmt: skip
    buckets = _("coarse") if d.coarse else _("fine")
    for name, iv in ((_("VSS (value of the stochastic solution)"), d.model.vss),
                     (_("EVPI (expected value of perfect information)"), d.model.evpi)):
        lines.append(_("%(name)s: %(mean)s %(currency)s, 95 %% interval [%(low)s, %(high)s] "
                       "(portfolio LP, %(buckets)s buckets, %(count)s held-out samples)",
                       name=name, mean=_f(iv.mean), currency=cur, low=_f(iv.low),
                       high=_f(iv.high), buckets=buckets, count=iv.n))  # fmt: skip
    return lines
