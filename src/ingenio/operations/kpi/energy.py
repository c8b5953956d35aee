"""Metered energy for the KPIs: cumulative kWh registers turned into energy per interval.

Private helper of :mod:`ingenio.operations.kpi`. Meter readings arrive either as
:class:`~ingenio.operations.actuals.MeterReading` objects or, for large volumes
(a year of minute readings of twenty lines is ten million rows), as the columnar
:class:`MeterArrays`. Per line, the register is turned into a continuous,
non-decreasing energy curve ``E(t)``:

* consecutive readings (sorted by time) differ by ``Δ = kwh[i] - kwh[i-1]``;
* a fall (``Δ < 0``) is a register reset or a meter swap: the energy of that
  step is the new register value ``kwh[i]`` (it counted up from zero);
* ``E`` is the running sum of the steps, linear between readings, flat before
  the first and after the last reading.

The energy of any interval ``[a, b)`` is then ``E(b) - E(a)``: a bucket, a
production run. Linear interpolation splits a step that straddles a boundary
in proportion to time, which is exact for a constant load between readings.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ingenio.operations.actuals import MeterReading

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class MeterArrays:
    """Meter readings as columns (one row per reading).

    Attributes
    ----------
    line_ids
        The metered lines; ``line`` holds indices into this tuple.
    line
        Line index of each reading (any integer dtype).
    at
        Time of each reading in seconds since the Unix epoch (UTC).
    kwh
        Cumulative energy register of each reading.

    Notes
    -----
    Rows may come in any order; they are sorted by line and time when needed
    (data already grouped by line and sorted by time is used as it is, with no copy).
    """

    line_ids: tuple[str, ...]
    line: npt.NDArray[np.integer[Any]]
    at: FloatArray
    kwh: FloatArray

    def __post_init__(self) -> None:
        n = len(self.at)
        if len(self.line) != n or len(self.kwh) != n:
            raise ValueError("meter columns line, at and kwh must have the same length")
        if n and (int(self.line.min()) < 0 or int(self.line.max()) >= len(self.line_ids)):
            raise ValueError("meter line index out of range of line_ids")

    def __len__(self) -> int:
        return len(self.at)

    @classmethod
    def from_readings(cls, readings: Sequence[MeterReading]) -> MeterArrays:
        """Columns of a list of reading objects."""
        ids = tuple(dict.fromkeys(r.line_id for r in readings))
        index = {k: i for i, k in enumerate(ids)}
        return cls(
            ids,
            np.fromiter((index[r.line_id] for r in readings), np.int64, len(readings)),
            np.fromiter((r.at.timestamp() for r in readings), np.float64, len(readings)),
            np.fromiter((r.kwh for r in readings), np.float64, len(readings)),
        )


@dataclass(frozen=True, eq=False)
class EnergyCurve:
    """``E(t)`` of one line: reading times and the cumulative energy at each."""

    at: FloatArray
    energy: FloatArray

    def at_times(self, times: FloatArray) -> FloatArray:
        """``E`` at each time (flat outside the readings)."""
        out: FloatArray = np.interp(times, self.at, self.energy)
        return out

    def between(self, starts: FloatArray, ends: FloatArray) -> FloatArray:
        """Energy of each interval ``[starts[i], ends[i])``."""
        return self.at_times(ends) - self.at_times(starts)


def _curve(at: FloatArray, kwh: FloatArray) -> EnergyCurve:
    """The energy curve of one line's readings, already sorted by time."""
    if len(at) and np.any(np.diff(at) < 0):
        order = np.argsort(at, kind="stable")
        at, kwh = at[order], kwh[order]
    steps = np.diff(kwh)
    falls = steps < 0
    if falls.any():
        steps[falls] = kwh[1:][falls]
    energy = np.empty(len(at))
    if len(at):
        energy[0] = 0.0
        np.cumsum(steps, out=energy[1:])
    return EnergyCurve(at, energy)


def energy_curves(meters: MeterArrays | Sequence[MeterReading]) -> dict[str, EnergyCurve]:
    """One energy curve per metered line.

    Parameters
    ----------
    meters
        Readings as columns or as objects.

    Returns
    -------
    dict of str to EnergyCurve
        Lines with at least one reading.
    """
    cols = meters if isinstance(meters, MeterArrays) else MeterArrays.from_readings(meters)
    if not len(cols):
        return {}
    line = cols.line.astype(np.int64, copy=False)
    if np.any(np.diff(line) < 0):  # not grouped by line: group it (stable keeps time order)
        order = np.argsort(line, kind="stable")
        line, at, kwh = line[order], cols.at[order], cols.kwh[order]
    else:
        at, kwh = cols.at, cols.kwh
    cuts = np.flatnonzero(np.diff(line)) + 1
    bounds = [0, *cuts.tolist(), len(line)]
    out: dict[str, EnergyCurve] = {}
    for lo, hi in itertools.pairwise(bounds):
        out[cols.line_ids[int(line[lo])]] = _curve(at[lo:hi], kwh[lo:hi])
    return out
