"""The two-level planner: fuel across plants by LP, each plant by CP-SAT, in parallel.

Public face of the room; its modules are private to it:

* ``planner``: :func:`optimise` and the plant planners it can use;
* ``run``: the plant planner run on each plant, in worker processes or in-process,
  with progress (:class:`OptimiseProgress`);
* ``merge``: plant plans merged into one, depot fuel trucked just in time
  (:func:`jit_transfers`, which replanning also uses), and how plans rank
  (:func:`plan_key`);
* ``feedback``: the feedback round (spare depot fuel to fuel-bound plants);
* ``mix``: a plant's part of the dispatch plan taken where it is better;
* ``budget``: the time budget's stage shares and stage seconds;
* ``needs``: the fuel needs of a plan read plant by plant (:func:`plant_fuel_needs`).
"""

from __future__ import annotations

from ingenio.planning.optimise.feedback import MIN_PLANT_SECONDS
from ingenio.planning.optimise.merge import TransferError, jit_transfers, plan_key
from ingenio.planning.optimise.needs import plant_fuel_needs
from ingenio.planning.optimise.planner import (
    OptimiseProgress,
    PlantPlanner,
    cp_sat_planner,
    dispatch_planner,
    optimise,
)

__all__ = [
    "MIN_PLANT_SECONDS",
    "OptimiseProgress",
    "PlantPlanner",
    "TransferError",
    "cp_sat_planner",
    "dispatch_planner",
    "jit_transfers",
    "optimise",
    "plan_key",
    "plant_fuel_needs",
]
