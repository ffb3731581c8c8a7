"""The Linux desktop metadata validates, agrees with the package, and installs cleanly.

The validators come from Debian's `appstream` and `desktop-file-utils`, which
`scripts/system-deps.sh --test` (run by `make test`) installs.
"""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from transmit_admin import APP_ID

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "resources" / "desktop" / f"{APP_ID}.desktop"
METAINFO = ROOT / "resources" / "desktop" / f"{APP_ID}.metainfo.xml"
INSTALLER = ROOT / "packaging" / "install-desktop-entry.sh"
SCREENSHOT_URL = "https://github.com/transmit-admin/transmit-admin/raw/main/docs/screenshots/"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: run `scripts/system-deps.sh --test` "
            f"(Debian package {package}); `make test` does this first"
        )
    return path


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _pyproject() -> dict[str, object]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project: dict[str, object] = data["project"]
    return project


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def _problems(output: str) -> list[str]:
    # appstreamcli prefixes each finding with E (error), W (warning), I (info) or P (pedantic)
    return [line for line in output.splitlines() if line.strip()[:2] in {"E:", "W:"}]


def test_desktop_file_validates() -> None:
    result = _run(_tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP))
    assert result.returncode == 0, result.stdout + result.stderr
    # hints (e.g. two main categories) are printed but do not fail the tool; keep it silent
    assert result.stdout.strip() == "", result.stdout


def test_metainfo_validates() -> None:
    result = _run(_tool("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert _problems(output) == [], output


def test_desktop_entry_matches_the_package() -> None:
    entry = _desktop_entry(DESKTOP)
    assert entry["Type"] == "Application"
    assert entry["Icon"] == APP_ID
    scripts = _pyproject()["scripts"]
    assert isinstance(scripts, dict)
    assert entry["Exec"].split()[0] in scripts
    assert entry["Terminal"] == "false"


def test_metainfo_matches_the_package() -> None:
    component = ET.parse(METAINFO).getroot()
    project = _pyproject()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("project_license") == project["license"]
    assert component.findtext("provides/binary") == project["name"]
    releases = component.findall("releases/release")
    assert releases, "AppStream needs release notes"
    newest = releases[0]
    assert newest.get("version") == project["version"]
    assert newest.get("date") == "2026-11-27"
    assert newest.find("description") is not None
    assert component.find("content_rating") is not None
    developer = component.find("developer")
    assert developer is not None
    assert developer.get("id")
    assert developer.findtext("name")


def test_screenshots_are_the_repository_docs_images() -> None:
    # AppStream wants absolute URLs; they name files that `make screenshots` writes into
    # docs/screenshots/, and the declared size must be the file's.
    screenshots = ET.parse(METAINFO).getroot().findall("screenshots/screenshot")
    assert len(screenshots) >= 2
    assert [s.get("type") for s in screenshots].count("default") == 1
    for screenshot in screenshots:
        assert screenshot.findtext("caption")
        image = screenshot.find("image")
        assert image is not None
        url = image.text or ""
        assert url.startswith(SCREENSHOT_URL), url
        local = ROOT / "docs" / "screenshots" / url.removeprefix(SCREENSHOT_URL)
        assert local.is_file(), f"{url} names a file that is not in docs/screenshots/"
        header = local.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", local
        width, height = struct.unpack(">II", header[16:24])
        assert (image.get("width"), image.get("height")) == (str(width), str(height)), local


def _install(data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(data_dir.parent)}
    return subprocess.run(
        ["bash", str(INSTALLER), "--data-dir", str(data_dir), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def test_install_script_installs_a_valid_tree_and_uninstalls(tmp_path: Path) -> None:
    fake_app = tmp_path / "opt" / "Transmit Admin" / "transmit-admin"
    fake_app.parent.mkdir(parents=True)
    fake_app.write_text("#!/bin/sh\nexit 0\n")
    fake_app.chmod(0o755)
    share = tmp_path / "root" / "usr" / "share"

    result = _install(share, "--exec", str(fake_app))
    assert result.returncode == 0, result.stderr

    installed = share / "applications" / DESKTOP.name
    entry = _desktop_entry(installed)
    assert entry["Exec"] == f'"{fake_app}"'  # quoted: the path has a space
    assert entry["TryExec"] == str(fake_app)
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").is_file()
    assert (share / "metainfo" / METAINFO.name).is_file()

    validated = _run(_tool("desktop-file-validate", "desktop-file-utils"), str(installed))
    assert validated.returncode == 0, validated.stdout
    tree = _run(
        _tool("appstreamcli", "appstream"), "validate-tree", "--no-net", str(share.parents[1])
    )
    assert tree.returncode == 0, tree.stdout + tree.stderr
    assert _problems(tree.stdout) == [], tree.stdout

    removed = _install(share, "--uninstall")
    assert removed.returncode == 0, removed.stderr
    assert not installed.exists()
    assert not list(share.rglob(f"{APP_ID}*"))


def test_install_script_refuses_a_missing_program(tmp_path: Path) -> None:
    result = _install(tmp_path / "share", "--exec", str(tmp_path / "absent"))
    assert result.returncode == 1
    assert "not an executable program" in result.stderr
    assert not (tmp_path / "share" / "applications").exists()


def test_install_script_inside_a_bundle_finds_the_binary_and_resources(tmp_path: Path) -> None:
    bundle = tmp_path / "transmit-admin"
    shutil.copytree(ROOT / "resources", bundle / "_internal" / "transmit_admin" / "resources")
    shutil.copy2(INSTALLER, bundle / INSTALLER.name)
    binary = bundle / "transmit-admin"
    binary.write_text("#!/bin/sh\nexit 0\n")
    binary.chmod(0o755)
    share = tmp_path / "share"
    result = subprocess.run(
        ["bash", str(bundle / INSTALLER.name), "--data-dir", str(share)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert _desktop_entry(share / "applications" / DESKTOP.name)["Exec"] == str(binary)


def test_install_script_alone_asks_the_installed_package(tmp_path: Path) -> None:
    # a wheel install: only the console script is known; its interpreter knows the resources
    alone = tmp_path / "download" / INSTALLER.name
    alone.parent.mkdir()
    shutil.copy2(INSTALLER, alone)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "transmit-admin"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(0)\n")
    script.chmod(0o755)
    share = tmp_path / "share"
    result = subprocess.run(
        ["bash", str(alone), "--data-dir", str(share)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert _desktop_entry(share / "applications" / DESKTOP.name)["Exec"] == str(script)
    icon = share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert icon.read_bytes() == (ROOT / "resources" / "icons" / "app.svg").read_bytes()
