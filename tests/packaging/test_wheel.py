"""The wheel carries the whole package and its resources, and works when installed.

The wheel is built once per session from the working tree with `--no-isolation` (hatchling is
in the test extra), so the test needs no network.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from transmit_admin import APP_ID

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "transmit_admin"
RESOURCES = ROOT / "resources"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.timeout(300)
def test_wheel_name_and_version(wheel: Path) -> None:
    assert wheel.name == f"transmit_admin-{VERSION}-py3-none-any.whl"


@pytest.mark.timeout(300)
def test_wheel_has_every_module_and_py_typed(wheel: Path) -> None:
    names = _names(wheel)
    modules = {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert modules, "the package has no modules?"
    assert modules <= names, sorted(modules - names)
    assert "transmit_admin/py.typed" in names


@pytest.mark.timeout(300)
def test_wheel_has_every_resource(wheel: Path) -> None:
    names = _names(wheel)
    resources = {
        "transmit_admin/resources/" + path.relative_to(RESOURCES).as_posix()
        for path in RESOURCES.rglob("*")
        if path.is_file()
    }
    assert resources <= names, sorted(resources - names)
    for required in (
        "transmit_admin/resources/icons/app.svg",
        f"transmit_admin/resources/desktop/{APP_ID}.desktop",
        f"transmit_admin/resources/desktop/{APP_ID}.metainfo.xml",
        f"transmit_admin/resources/icons/hicolor/256x256/apps/{APP_ID}.png",
    ):
        assert required in names


@pytest.mark.timeout(300)
def test_wheel_has_no_development_files(wheel: Path) -> None:
    for name in _names(wheel):
        top = name.split("/")[0]
        assert top in {"transmit_admin", f"transmit_admin-{VERSION}.dist-info"}, name
        assert "__pycache__" not in name, name
        assert not name.endswith((".pyc", ".pyo")), name
        assert "/tests/" not in name, name
        assert ".venv" not in name, name


@pytest.mark.timeout(300)
def test_wheel_entry_points(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"transmit_admin-{VERSION}.dist-info/entry_points.txt").decode()
    parser = configparser.ConfigParser()
    parser.read_string(text)
    assert parser["console_scripts"]["transmit-admin"] == "transmit_admin.cli:main"
    assert parser["gui_scripts"]["transmit-admin-gui"] == "transmit_admin.cli:gui_main"


@pytest.mark.timeout(300)
def test_installed_wheel_finds_its_resources_and_runs(wheel: Path, tmp_path: Path) -> None:
    # Install without dependencies into a bare folder and put it first on the path: the
    # dependencies come from this venv, the package and its data only from the wheel.
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    install = subprocess.run(
        [*pip, "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = (
        "import transmit_admin, transmit_admin.resources as r\n"
        "print(transmit_admin.__file__)\n"
        "print(r.__file__)\n"
        "print(r.resource_root())\n"
        "print(r.icon_path('app'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    package_file, module_file, root, icon = result.stdout.split("\n")[:4]
    installed = site / "transmit_admin"
    assert Path(package_file) == installed / "__init__.py"
    # the module resources.py, not the resources/ data folder beside it
    assert Path(module_file) == installed / "resources.py"
    assert Path(root) == installed / "resources"
    assert Path(icon).is_file()

    for argv in (["--help"], ["verify", "--help"]):
        run = subprocess.run(
            [sys.executable, "-m", "transmit_admin", *argv],
            cwd=tmp_path,
            env={**env, "TRANSMIT_ADMIN_HOME": str(tmp_path / "home")},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert run.returncode == 0, (argv, run.stderr)
        assert "usage: transmit-admin" in run.stdout
