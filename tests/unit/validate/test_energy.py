"""The validator's energy rules (``validate/energy.py``): the local clock of solar power."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ingenio.domain import Horizon
from ingenio.validate.energy import Clock


@pytest.mark.parametrize(
    ("origin", "zone"),
    [
        (datetime(2026, 4, 6), "America/Havana"),
        (datetime(2026, 3, 7), "America/Havana"),  # clocks jump 00:00 -> 01:00 on 8 March
        (datetime(2026, 11, 1), "America/Havana"),  # and back 01:00 -> 00:00 on 1 November
        (datetime(2026, 4, 4), "Australia/Lord_Howe"),  # half-hour shift on 5 April
        (datetime(2026, 4, 6, 0, 7), "Asia/Kolkata"),  # UTC+05:30, origin off the hour
    ],
)
def test_local_hour_at_every_minute(origin: datetime, zone: str) -> None:
    h = Horizon(origin.replace(tzinfo=ZoneInfo(zone)), days=2, timezone=zone)
    clock = Clock(h, -90, h.minutes)
    assert all(clock.hour(m) == h.to_datetime(m).hour for m in range(-90, h.minutes))
