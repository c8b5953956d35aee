"""The benchmark file formats by name, and reading a file of either into a portfolio."""

from __future__ import annotations

from enum import StrEnum
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


class Format(StrEnum):
    """Benchmark file formats (the choices of ``ingenio bench solve --format``)."""

    PSPLIB = "psplib"
    JSSP = "jssp"


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
