"""The layer contracts of ``pyproject.toml`` hold, and they catch a CLI or core shortcut."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, check=False
    )


def _prepend(module: Path, line: str) -> None:
    text = module.read_text(encoding="utf-8")
    head = "from __future__ import annotations\n"
    assert head in text
    module.write_text(text.replace(head, head + line + "\n", 1), encoding="utf-8")


pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def test_the_clean_tree_keeps_every_contract(tmp_path: Path) -> None:
    done = _lint(_copy(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_a_cli_module_importing_the_store_breaks_the_cli_contract(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    _prepend(tree / "src/ingenio/cli/plan_versions.py", "from ingenio.store import Store  # noqa")
    done = _lint(tree)
    assert done.returncode != 0
    assert "ingenio.cli.plan_versions -> ingenio.store" in done.stdout


def test_a_planning_module_importing_the_store_breaks_the_core_contracts(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    planning = tree / "src/ingenio/planning"
    module = next(
        m
        for m in sorted(planning.rglob("*.py"))
        if "from __future__ import annotations\n" in m.read_text(encoding="utf-8")
    )
    _prepend(module, "import ingenio.store  # noqa")
    done = _lint(tree)
    dotted = ".".join(module.relative_to(tree / "src").with_suffix("").parts)
    dotted = dotted.removesuffix(".__init__")
    assert done.returncode != 0
    assert f"{dotted} -> ingenio.store" in done.stdout
    assert "the pure core imports no adapter or edge BROKEN" in done.stdout
