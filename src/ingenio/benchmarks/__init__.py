"""Standard scheduling benchmarks (PSPLIB RCPSP, job shop) solved with Ingenio's own model.

Not part of the product: only ``ingenio bench solve`` and ``bench/`` use it. Each
format has a strict parser into plain dataclasses (errors as ``DomainError`` with
``line N`` paths) and a ``to_portfolio`` converter (:mod:`.psplib`, :mod:`.jssp`);
:func:`load_benchmark` does both, :func:`solve_instance` then minimises the makespan
and validates the plan; :mod:`.taillard` regenerates Taillard's job shops from his seeds.
"""

from ingenio.benchmarks import jssp, psplib, taillard
from ingenio.benchmarks.formats import FORMATS, BenchFormat, Format, load_benchmark
from ingenio.benchmarks.jssp import JsspInstance, JsspOperation, parse_jssp, read_jssp
from ingenio.benchmarks.psplib import PsplibInstance, PsplibJob, parse_psplib, read_psplib
from ingenio.benchmarks.solve import BenchRun, makespan_of, solve_instance, solve_portfolio

__all__ = [
    "FORMATS",
    "BenchFormat",
    "BenchRun",
    "Format",
    "JsspInstance",
    "JsspOperation",
    "PsplibInstance",
    "PsplibJob",
    "jssp",
    "load_benchmark",
    "makespan_of",
    "parse_jssp",
    "parse_psplib",
    "psplib",
    "read_jssp",
    "read_psplib",
    "solve_instance",
    "solve_portfolio",
    "taillard",
]
