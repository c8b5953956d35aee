"""energy layer: what power and fuel each plant has, slot by slot, and where outages come from.

:mod:`.timeline` (power and fuel per plant and slot), :mod:`.battery` (the batteries'
bridge profile), :mod:`.outage_model` (grid-off
probabilities and the scenario sampler), :mod:`.rotation` (the UNE rotation model: a
national peak forecast to hours off per Havana block) and :mod:`.outage_import` (an
outage feed put into a portfolio's blocks). Pure: no file, no store.
"""

from ingenio.energy.battery import BatteryProfile, battery_profile
from ingenio.energy.outage_import import ImportResult, apply_outages, import_outages
from ingenio.energy.rotation import RotationParams, RotationPlan, UneReport, rotation_plan
from ingenio.energy.timeline import PowerTimeline, build_timeline

__all__ = [
    "BatteryProfile",
    "ImportResult",
    "PowerTimeline",
    "RotationParams",
    "RotationPlan",
    "UneReport",
    "apply_outages",
    "battery_profile",
    "build_timeline",
    "import_outages",
    "rotation_plan",
]
