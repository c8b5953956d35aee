"""Outage schedules in the formats people have: parse and import."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main ``ingenio`` app."""
    del app  # commands are added here as they are built
