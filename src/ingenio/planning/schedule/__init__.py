"""The plant-level scheduler: one plant's detailed schedule on OR-Tools CP-SAT.

Public face of the room; its modules are private to it:

* ``cpsat``: :func:`schedule_plant`, :class:`SolveParams`, :class:`PlantResult`;
* ``data``: the flat, index-based model input and its pre-solve checks;
* ``energy``: power and fuel of the plant in exact integer terms;
* ``model`` and ``constraints``: the variables and the constraint families;
* ``solve``: objectives, warm start, reading the solution;
* ``hint``: a plan repaired into a warm start;
* ``starts``: greedy starting plans and the ranking of plans (:func:`rank`,
  :func:`makespan`), which the two-level optimiser also uses;
* ``plan``: the solver's assignment turned into a :class:`~ingenio.domain.Plan`;
* ``lns``: neighbourhood search after the first CP-SAT run;
* ``fill``: :func:`filled`, a plan with its left-out orders slipped into its gaps.
"""

from __future__ import annotations

from ingenio.planning.schedule.cpsat import PlantResult, SolveParams, schedule_plant
from ingenio.planning.schedule.fill import filled
from ingenio.planning.schedule.starts import makespan, makespan_start, outcomes, placed_in, rank

__all__ = [
    "PlantResult",
    "SolveParams",
    "filled",
    "makespan",
    "makespan_start",
    "outcomes",
    "placed_in",
    "rank",
    "schedule_plant",
]
