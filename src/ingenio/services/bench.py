"""Benchmarks: solve standard scheduling instances with Ingenio's own model.

The door the edges use (``ingenio bench solve``, ``bench/standard.py``); the work is in
:mod:`ingenio.benchmarks` (strict readers, conversion into a one-plant portfolio,
makespan minimisation, the independent validator's check).
"""

from __future__ import annotations

from ingenio.benchmarks import BenchRun, Format, makespan_of, solve_instance, solve_portfolio

__all__ = ["BenchRun", "Format", "makespan_of", "solve_instance", "solve_portfolio"]
