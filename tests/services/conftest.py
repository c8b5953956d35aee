"""A service context on a fresh SQLite store, with the small fixture portfolio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingenio.services.context import Context, local_context
from ingenio.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SMALL = FIXTURES / "small.yaml"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    context = local_context(Settings(actor="tester"), f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield context
    context.store.close()
