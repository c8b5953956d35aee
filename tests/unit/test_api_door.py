"""The API is an edge: it imports only ``ingenio.services``, ``ingenio.domain`` and itself."""

from __future__ import annotations

import ast
from pathlib import Path

import ingenio.api

ALLOWED = ("ingenio.services", "ingenio.domain", "ingenio.api")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def test_api_modules_import_only_services_domain_and_themselves() -> None:
    root = Path(ingenio.api.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) >= 10
    bad = [
        f"{path.relative_to(root)}: {name}"
        for path in files
        for name in _imports(path)
        if name.startswith("ingenio") and not name.startswith(ALLOWED)
    ]
    assert not bad, bad
