"""HiGHS sessions and models from arrays: shared by the portfolio LP (:mod:`.lp`) and
the sample-average problems of :mod:`ingenio.scenarios` (through the package's face)."""

from __future__ import annotations

import os
import sys
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def quiet_highs() -> Any:
    """A new ``highspy.Highs`` without its banner (printed on C stdout by the constructor)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        return highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def silent_session() -> Any:
    """A new HiGHS session that prints nothing and runs single-threaded with a fixed seed
    (the same answer on every run)."""
    h = quiet_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    return h


def run_for(h: Any, seconds: float) -> Any:
    """Run the session ``h`` for at most ``seconds`` more; returns its model status.

    HiGHS 1.x measures ``time_limit`` against the run time summed over all runs of the
    object (ERGO-Code/HiGHS#1477): each run gets its own limit on top of that."""
    h.setOptionValue("time_limit", float(h.getRunTime() + seconds))
    h.run()
    return h.getModelStatus()


def colwise_lp(
    cost: FloatArray,
    col_lo: FloatArray,
    col_hi: FloatArray,
    row_lo: FloatArray,
    row_hi: FloatArray,
    triplets: tuple[IntArray, IntArray, FloatArray],
    maximise: bool = False,
) -> Any:
    """A ``highspy.HighsLp`` with a column-wise matrix from its nonzeros ``(rows, cols,
    vals)`` (a column's entries keep their given order)."""
    rows, cols, vals = triplets
    n, m = len(col_lo), len(row_lo)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = m
    lp.col_cost_ = cost
    lp.col_lower_ = col_lo
    lp.col_upper_ = col_hi
    lp.row_lower_ = row_lo
    lp.row_upper_ = row_hi
    if maximise:
        lp.sense_ = highspy.ObjSense.kMaximize
    order = np.argsort(cols, kind="stable")
    counts = np.bincount(cols, minlength=n)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = m
    lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    lp.a_matrix_.index_ = rows.astype(np.int32)[order]
    lp.a_matrix_.value_ = vals[order]
    return lp
