"""The statistics of the robust method: Student t bounds, paired differences, the SAA gap.

* :func:`t_quantile`: Student's t quantile (exact for 1 and 2 degrees of freedom; up to
  200 the root of the closed-form t distribution function of Abramowitz & Stegun 26.7.3-4;
  beyond, the Cornish-Fisher expansion in ``1/df``, within 1e-5 there);
* :func:`mean_interval`: the mean of independent values with its standard error, its
  two-sided 95 % interval and its one-sided 95 % lower bound;
* :func:`gap_estimate`: the multiple-replications estimate of Mak, Morton and Wood
  (1999) of the optimality gap of a candidate first stage ``x``. For a maximisation,
  batch ``g`` (``n`` fresh samples) gives the SAA optimum ``z_g`` and the candidate's
  value ``v_g(x)`` on the same samples; ``G_g = z_g - v_g(x) >= 0`` and
  ``E[G_g] >= v* - v(x)``, so ``mean(G) + t_{0.95, B-1} s_G / sqrt(B)`` is a one-sided
  95 % upper bound on the candidate's gap (Mak, Morton & Wood, *Oper. Res. Lett.* 24).

Pure: no IO, no solver.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

__all__ = ["GapEstimate", "Interval", "gap_estimate", "mean_interval", "paired", "t_quantile"]


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (``0 < p < 1``)."""
    if not 0 < p < 1 or df < 1:
        raise ValueError(f"need 0 < p < 1 and df >= 1, got p={p}, df={df}")
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    if df <= 200:
        lo, hi = -1e3, 1e3
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _t_cdf(mid, df) < p else (lo, mid)
            if hi - lo < 1e-12:
                break
        return (lo + hi) / 2
    z = NormalDist().inv_cdf(p)
    v = float(df)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


def _t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with integer ``df`` (Abramowitz & Stegun 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    s, c = math.sin(theta), math.cos(theta)
    if df % 2:  # odd
        term, total = c, c if df > 1 else 0.0
        for k in range(3, df, 2):
            term *= (k - 1) / k * c * c
            total += term
        a = 2 / math.pi * (theta + s * total) if df > 1 else 2 * theta / math.pi
    else:
        term, total = 1.0, 1.0
        for k in range(2, df, 2):
            term *= (k - 1) / k * c * c
            total += term
        a = s * total
    return 0.5 + a / 2


@dataclass(frozen=True)
class Interval:
    """A mean of ``n`` independent values with its uncertainty (95 %)."""

    mean: float
    se: float
    n: int
    low: float
    """Two-sided 95 % interval, lower end."""
    high: float
    """Two-sided 95 % interval, upper end."""
    lower_bound: float
    """One-sided 95 % lower bound: the mean is above it with 95 % confidence."""
    upper_bound: float
    """One-sided 95 % upper bound."""

    def as_dict(self) -> dict[str, float]:
        """``mean, se, n, ci95_low, ci95_high`` for JSON."""
        return {"mean": self.mean, "se": self.se, "n": self.n,
                "ci95_low": self.low, "ci95_high": self.high}  # fmt: skip


def mean_interval(values: Sequence[float]) -> Interval:
    """Mean, standard error and 95 % bounds of independent values (Student t).

    One value gives a zero standard error and bounds at the mean; identical values too.
    """
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = math.fsum(values) / n
    if n == 1:
        return Interval(mean, 0.0, 1, mean, mean, mean, mean)
    var = math.fsum((x - mean) ** 2 for x in values) / (n - 1)
    se = math.sqrt(var / n)
    two, one = t_quantile(0.975, n - 1) * se, t_quantile(0.95, n - 1) * se
    return Interval(mean, se, n, mean - two, mean + two, mean - one, mean + one)


def paired(a: Sequence[float], b: Sequence[float]) -> Interval:
    """The mean paired difference ``a_i - b_i`` over common random numbers."""
    if len(a) != len(b):
        raise ValueError(f"paired samples differ in length: {len(a)} and {len(b)}")
    return mean_interval([x - y for x, y in zip(a, b, strict=True)])


@dataclass(frozen=True)
class GapEstimate:
    """Mak-Morton-Wood estimate of a candidate's optimality gap over ``batches`` batches of
    ``n`` samples: mean gap, its standard error and the one-sided 95 % upper bound."""

    n: int
    batches: int
    gap: float
    se: float
    upper: float
    bound: float
    """Mean SAA optimum over the batches (an upper bound on the true optimum in mean)."""
    stake: float = math.inf
    """Mean of ``z_g - v_g(x_ref)``: what the batches' optima gain over a reference first
    stage (the plain one), the scale the gap is judged on."""

    def relative(self) -> float:
        """``upper / stake``: the share of what is at stake the candidate may still miss
        (0 when nothing is at stake and the gap is nil)."""
        if self.upper <= 1e-9 * max(1.0, abs(self.bound)):
            return 0.0
        return self.upper / self.stake if self.stake > 0 else math.inf


def gap_estimate(
    n: int,
    optima: Sequence[float],
    values: Sequence[float],
    reference: Sequence[float] | None = None,
) -> GapEstimate:
    """The multiple-replications gap estimate (module docstring).

    Parameters
    ----------
    n
        Samples per batch.
    optima
        ``z_g``: the SAA optimum of each batch.
    values
        ``v_g(x)``: the candidate's mean value on the same batch.
    reference
        ``v_g(x_ref)``: a reference first stage's mean value on the same batch (sets
        :attr:`GapEstimate.stake`).
    """
    gaps = [max(0.0, z - v) for z, v in zip(optima, values, strict=True)]
    iv = mean_interval(gaps)
    upper = iv.upper_bound if iv.n > 1 else math.inf
    stake = (
        math.fsum(max(0.0, z - r) for z, r in zip(optima, reference, strict=True)) / len(optima)
        if reference is not None else math.inf
    )  # fmt: skip
    return GapEstimate(n, iv.n, iv.mean, iv.se, upper, math.fsum(optima) / len(optima), stake)
