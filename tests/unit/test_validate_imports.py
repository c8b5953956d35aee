"""The validator stays independent of every planner: it imports only ``ingenio.domain``."""

from __future__ import annotations

import ast
from pathlib import Path

import ingenio.validate

ALLOWED = ("ingenio.domain", "ingenio.validate")


def _ingenio_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n == "ingenio" or n.startswith("ingenio.")}


def test_validator_imports_only_the_domain() -> None:
    root = Path(ingenio.validate.__file__).parent
    files = sorted(root.glob("*.py"))
    assert {f.name for f in files} >= {"__init__.py", "rules.py", "energy.py"}
    for f in files:
        bad = {n for n in _ingenio_imports(f) if not n.startswith(ALLOWED)}
        assert not bad, f"{f.name} imports {sorted(bad)}"


def test_the_check_sees_a_planner_import(tmp_path: Path) -> None:
    f = tmp_path / "x.py"
    f.write_text("from ingenio.planning.dispatch import dispatch\nimport ingenio.domain\n")
    assert _ingenio_imports(f) == {"ingenio.planning.dispatch", "ingenio.domain"}
