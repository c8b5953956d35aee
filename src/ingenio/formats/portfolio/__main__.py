"""Regenerate the committed JSON Schema: ``python -m ingenio.formats.portfolio [FILE]``."""

from __future__ import annotations

import sys
from pathlib import Path

from ingenio.formats.portfolio import write_portfolio_json_schema

if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/portfolio.schema.json")
    print(write_portfolio_json_schema(target))
