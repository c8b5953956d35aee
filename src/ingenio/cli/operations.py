"""What really happened: actuals, KPIs, reports, replanning, plan versions."""

from __future__ import annotations

import typer

from ingenio.cli import actuals


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main ``ingenio`` app."""
    actuals.register(app)  # record, template, import-actuals, plans, audit
    del app  # commands are added here as they are built
