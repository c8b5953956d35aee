"""Shared test setup: puts ``tests/`` on ``sys.path`` so tests can ``import strategies``,
and makes the command line speak English whatever the machine's ``LANG`` (the CLI tests
read its English words; the tests of ``--lang`` name their language)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

os.environ["INGENIO_LANG"] = "en"  # subprocesses (``ingenio serve``, the CLI) inherit it
