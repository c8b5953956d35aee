"""Rooms use each other only through their public faces (issue 9, RESTRUCTURE.md 3.2).

A module of ``src/ingenio`` outside room ``planning/<room>/`` (or ``operations/kpi/``,
``operations/replan/``) imports from ``ingenio.planning.<room>`` only, never one of its
modules, and never a name with a leading underscore.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ingenio

SRC = Path(ingenio.__file__).parent
ROOMS = (
    *(f"ingenio.planning.{p.name}" for p in (SRC / "planning").iterdir() if p.is_dir()
      and (p / "__init__.py").exists()),
    "ingenio.operations.kpi",
    "ingenio.operations.replan",
)  # fmt: skip


def _module_of(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _breaches(path: Path, here: str | None = None) -> list[str]:
    """Deep or private imports of another room by ``path`` (module ``here``)."""
    here = here or _module_of(path)
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [(node.module, [a.name for a in node.names])]
        elif isinstance(node, ast.Import):
            targets = [(a.name, []) for a in node.names]
        else:
            continue
        for module, names in targets:
            for room in ROOMS:
                inside = here == room or here.startswith(room + ".")
                if inside or not (module == room or module.startswith(room + ".")):
                    continue
                if module != room:
                    out.append(f"{here} imports {module} (use {room})")
                out += [f"{here} imports {room}.{n}" for n in names if n.startswith("_")]
    return out


def test_rooms_are_used_through_their_faces_only() -> None:
    assert "ingenio.planning.schedule" in ROOMS and len(ROOMS) >= 8
    breaches = [b for f in sorted(SRC.rglob("*.py")) for b in _breaches(f)]
    assert breaches == []


def test_the_check_sees_a_deep_and_a_private_import(tmp_path: Path) -> None:
    assert _breaches(SRC / "planning" / "optimise" / "planner.py") == []
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from ingenio.planning.schedule.starts import rank\n"
        "from ingenio.planning.dispatch import _a\n"
        "from ingenio.planning.schedule import rank\n"
    )
    assert _breaches(probe, here="ingenio.cli.x") == [
        "ingenio.cli.x imports ingenio.planning.schedule.starts (use ingenio.planning.schedule)",
        "ingenio.cli.x imports ingenio.planning.dispatch._a",
    ]
    assert _breaches(probe, here="ingenio.planning.schedule.cpsat") == [
        "ingenio.planning.schedule.cpsat imports ingenio.planning.dispatch._a",
    ]
