"""The architecture rules of docs/architecture.md, made executable.

1. Nothing below ui/ imports Qt: every module of those packages is imported in a child process
   where importing PySide6, shiboken6 or qasync raises.
2. Arrows point down only: checked on the import statements of every module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "transmit_admin"

# For each layer: the project packages it may import (besides itself).
ALLOWED = {
    "core": set(),
    "api": {"core"},
    "store": {"core"},
    "sandbox": {"core"},
    "services": {"core", "api", "store"},
    "team": {"core", "store"},
}
QT_FREE = sorted(ALLOWED)

BLOCKER = """
import importlib, pkgutil, sys
class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'qasync', 'PyQt5', 'PyQt6'):
            raise ImportError('Qt is not allowed below the ui layer: ' + name)
        return None
sys.meta_path.insert(0, BlockQt())
import transmit_admin
for layer in sys.argv[1:]:
    pkg = importlib.import_module('transmit_admin.' + layer)
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):
        importlib.import_module(info.name)
print('ok')
"""


def test_layers_below_ui_import_without_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER, *QT_FREE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _project_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    layers: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "transmit_admin" and len(parts) > 1:
                layers.add(parts[1])
    return layers


@pytest.mark.parametrize("layer", QT_FREE)
def test_imports_point_down_only(layer: str) -> None:
    folder = PACKAGE / layer
    assert folder.is_dir(), f"transmit_admin/{layer} is missing"
    offenders = []
    for path in sorted(folder.rglob("*.py")):
        bad = _project_imports(path) - ALLOWED[layer] - {layer}
        if bad:
            offenders.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)


def test_no_relative_imports_hide_layer_crossings() -> None:
    # Relative imports are fine inside a layer; going up two levels would cross layers unseen.
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                offenders.append(str(path.relative_to(PACKAGE)))
    assert not offenders
