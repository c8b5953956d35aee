"""The hand-made load-shedding portfolio of ``tests/unit/test_stages.py`` (see there)."""

from __future__ import annotations

from typing import Any

LOW = ["10:00-12:30"]
MID = [*LOW, "18:00-20:30"]
HIGH = [*MID, "02:00-04:30"]


def document(forecast: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A one-day portfolio: plant P (grid 100 kW, no generator), one 50 kW line; one
    order of 5 hours (uninterruptible), released 06:00, due 24:00."""
    stages = [LOW, MID, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH]
    if forecast is None:
        forecast = [
            {"date": "2026-04-06", "stage": 2, "probability": 0.6},
            {"date": "2026-04-06", "stage": 4, "probability": 0.4},
        ]
    return {
        "ingenio": 1,
        "name": "stages",
        "timezone": "Africa/Johannesburg",
        "start": "2026-04-06T00:00",
        "days": 1,
        "enterprises": [{"id": "E", "name": "E"}],
        "blocks": [
            {
                "id": "B",
                "name": "Soweto (12)",
                "load_shedding": {
                    "schedule": [{"date": "2026-04-06", "stages": stages}],
                    "forecast": forecast,
                },
            }
        ],
        "plants": [
            {
                "id": "P",
                "name": "P",
                "enterprise": "E",
                "block": "B",
                "grid_kw": 100,
                "lines": [{"id": "L", "name": "L"}],
            }
        ],
        "products": [
            {
                "id": "X",
                "name": "X",
                "family": "f",
                "routing": [
                    {
                        "name": "run",
                        "lines": ["L"],
                        "rate_per_hour": 10,
                        "power_kw": 50,
                        "interruptible": False,
                    }
                ],
            }
        ],
        "orders": [
            {
                "id": "O",
                "product": "X",
                "quantity": 50,
                "release": "2026-04-06T06:00",
                "due": "2026-04-07T00:00",
                "value_per_unit": 1,
            }
        ],
    }
