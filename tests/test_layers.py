"""The architecture rules of docs/architecture.md, made executable.

1. Nothing below ui/ imports Qt: every module of those packages is imported in a child process
   where importing PySide6, shiboken6 or qasync raises.
2. Arrows point down only: checked on the import statements of every module.
"""

from __future__ import annotations

import ast
import re
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


# -- import circles and the UI's view of the store ------------------------------------------

# What ui/ may import from store/: record types, the reader it browses with, the error it
# shows, and the files it edits (saved environments, secrets, the data folder). Everything
# else there (queries, SQL helpers, the connection) is the store's own business.
# `changes`: the read-only change feed the window polls to follow other writers.
STORE_MODULES_FOR_UI = {"records", "reader", "changes", "db", "environments", "secrets", "paths"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _module_imports(module: str, path: Path) -> set[str]:
    """The project modules `module` imports, those under `if TYPE_CHECKING:` included: a
    circle held together by type-only imports is still one idea split over files."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            # `from package import module` imports the module; the package only when one of
            # the names is not a module of it.
            named_modules = all(name in MODULES for name in submodules)
            targets = submodules if named_modules else [base, *submodules]
        for target in targets:
            resolved = _resolve(target) if target.startswith("transmit_admin.") else None
            # A package's __init__ is not an edge: importing a submodule runs it, but it
            # imports nothing back here.
            inside = resolved is not None and module.startswith(resolved + ".")
            if resolved and resolved not in (module, "transmit_admin") and not inside:
                found.add(resolved)
    return found


def _import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles


def test_circle_finder_finds_a_circle() -> None:
    # The check below must be able to fail: a known circle is found, a chain is not.
    assert _import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _import_circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles_between_modules() -> None:
    graph = {module: _module_imports(module, path) for module, path in MODULES.items()}
    circles = _import_circles(graph)
    assert not circles, "\n".join(" <-> ".join(circle) for circle in circles)


def test_ui_reads_the_store_only_through_its_public_modules() -> None:
    offenders = []
    for module, path in sorted(MODULES.items()):
        if not module.startswith("transmit_admin.ui"):
            continue
        for imported in _module_imports(module, path):
            parts = imported.split(".")
            if parts[1] == "store" and (len(parts) < 3 or parts[2] not in STORE_MODULES_FOR_UI):
                offenders.append(f"{module} imports {imported}")
    assert not offenders, "\n".join(offenders)


def test_ui_holds_no_sql_and_no_store_internals() -> None:
    # The connection, the store's lock and SQL text belong to store/.
    pattern = re.compile(r"\.db\.conn|\._lock\b|\.execute\(|\bSELECT\b|\bUPDATE\b|\bINSERT\b")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted((PACKAGE / "ui").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, "\n".join(offenders)


# -- the run and its workspaces ---------------------------------------------------------------

# The ui modules that wire the run (build it, switch environments, join a team); every other
# panel gets a `Workspaces` source and works on the frozen `Workspace` it returns.
RUNTIME_USERS = {
    "transmit_admin.ui.main_controller",
    "transmit_admin.ui.environment_controller",
    "transmit_admin.ui.team_mode",
    "transmit_admin.ui.settings.team_controller",
}


def test_panels_work_on_a_workspace_not_on_the_run() -> None:
    offenders = [
        module
        for module, path in sorted(MODULES.items())
        if module.startswith("transmit_admin.ui.")
        and module not in RUNTIME_USERS
        and "transmit_admin.app" in _module_imports(module, path)
    ]
    assert not offenders, f"ui modules reaching for the mutable run: {offenders}"


def test_the_wiring_imports_neither_qt_nor_the_layers_above_it() -> None:
    for module in ("transmit_admin.app", "transmit_admin.workspace"):
        above = {
            imported
            for imported in _module_imports(module, MODULES[module])
            if imported.startswith(("transmit_admin.ui", "transmit_admin.commands"))
        }
        assert not above, f"{module} imports {sorted(above)}"
    code = (
        "import sys\n"
        "import transmit_admin.app, transmit_admin.workspace\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
