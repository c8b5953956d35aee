"""Standard scheduling benchmarks (PSPLIB RCPSP, job shop) read into Ingenio's own model.

Each format has a strict parser into plain dataclasses (errors as ``DomainError`` with
``line N`` paths) and a ``to_portfolio`` converter; ``load_benchmark`` does both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from ingenio.benchmarks import jssp, psplib
from ingenio.benchmarks.jssp import JsspInstance, JsspOperation, parse_jssp, read_jssp
from ingenio.benchmarks.psplib import PsplibInstance, PsplibJob, parse_psplib, read_psplib
from ingenio.domain import Portfolio

__all__ = [
    "FORMATS",
    "BenchFormat",
    "JsspInstance",
    "JsspOperation",
    "PsplibInstance",
    "PsplibJob",
    "load_benchmark",
    "parse_jssp",
    "parse_psplib",
    "read_jssp",
    "read_psplib",
]

BenchFormat = Literal["psplib", "jssp"]
FORMATS: tuple[str, ...] = get_args(BenchFormat)


def load_benchmark(path: Path | str, fmt: BenchFormat) -> Portfolio:
    """Read a benchmark file of format ``fmt`` and convert it into a portfolio.

    Parameters
    ----------
    path : Path or str
        The instance file; the portfolio is named after its stem.
    fmt : {"psplib", "jssp"}
        The file format.

    Returns
    -------
    Portfolio
        A one-plant portfolio (see ``psplib.to_portfolio`` and ``jssp.to_portfolio``).

    Raises
    ------
    DomainError
        When the file is malformed (each problem at ``line N``).
    ValueError
        On an unknown format.
    """
    if fmt == "psplib":
        return psplib.to_portfolio(read_psplib(path))
    if fmt == "jssp":
        return jssp.to_portfolio(read_jssp(path))
    raise ValueError(f"unknown benchmark format {fmt!r} (choose from {', '.join(FORMATS)})")
