"""Messages the templates build from data (``_("state:" ~ state)``), listed here so that
the extractor finds them and the catalogue test checks their translations."""

from __future__ import annotations


def _(message: str) -> str:
    return message


DYNAMIC = (
    # roles
    _("admin"),
    _("planner"),
    _("plant_manager"),
    _("auditor"),
    _("integrator"),
    # plan states
    _("draft"),
    _("approved"),
    _("published"),
    # job states
    _("queued"),
    _("running"),
    _("succeeded"),
    _("failed"),
    _("cancelled"),
    # order states
    _("late"),
    _("unscheduled"),
    _("on_time"),
    # what a plant does now, and why it stands
    _("state:grid"),
    _("state:generator"),
    _("state:stopped"),
    _("state:idle"),
    _("why:grid_off"),
    _("why:no_fuel"),
    _("why:no_work"),
    # downtime causes
    _("cause:grid_outage"),
    _("cause:generator_failure"),
    _("cause:no_fuel"),
    _("cause:breakdown"),
    _("cause:no_material"),
    _("cause:no_labour"),
    _("cause:planned_stop"),
)
"""Every message id made from data."""
