"""resources.py finds the data files in every layout, and the icon set is complete and sane."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from transmit_admin import APP_ID, resources
from transmit_admin.resources import (
    ICON_NAMES,
    candidate_roots,
    icon_path,
    resource_path,
    resource_root,
)

CHECKOUT_RESOURCES = Path(__file__).resolve().parents[2] / "resources"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)


def test_checkout_root_is_found() -> None:
    assert resource_root() == CHECKOUT_RESOURCES


def test_installed_layout_wins_over_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed = tmp_path / "site-packages" / "transmit_admin" / "resources"
    (installed / "icons").mkdir(parents=True)
    (installed / "icons" / "app.svg").write_text("<svg/>")
    monkeypatch.setattr(resources, "_installed_root", lambda: installed)
    assert resource_root() == installed
    assert icon_path("app") == installed / "icons" / "app.svg"


def test_frozen_layout_is_used_when_nothing_else_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "_internal"
    (bundle / "resources" / "icons").mkdir(parents=True)
    monkeypatch.setattr(resources, "_installed_root", lambda: None)
    monkeypatch.setattr(resources, "PACKAGE_DIR", tmp_path / "nowhere" / "transmit_admin")
    monkeypatch.setattr("sys._MEIPASS", str(bundle), raising=False)
    assert resource_root() == bundle / "resources"
    # the spec's own layout (what importlib.resources would also find) is preferred
    (bundle / "transmit_admin" / "resources").mkdir(parents=True)
    assert resource_root() == bundle / "transmit_admin" / "resources"


def test_candidate_order() -> None:
    found = list(candidate_roots(Path("/a"), Path("/b"), "/c"))
    assert found == [
        Path("/a"),
        Path("/b"),
        Path("/c/transmit_admin/resources"),
        Path("/c/resources"),
    ]
    assert list(candidate_roots(None, None, None)) == []


def test_missing_root_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "_installed_root", lambda: None)
    monkeypatch.setattr(resources, "PACKAGE_DIR", tmp_path / "transmit_admin")
    monkeypatch.delattr("sys._MEIPASS", raising=False)
    with pytest.raises(FileNotFoundError, match="resources folder is missing") as info:
        resource_root()
    assert str(tmp_path / "resources") in str(info.value)


def test_missing_file_is_a_clear_error() -> None:
    with pytest.raises(FileNotFoundError, match=r"'icons/nope\.svg' is not in"):
        resource_path("icons", "nope.svg")
    with pytest.raises(FileNotFoundError, match="no icon called 'nope'"):
        icon_path("nope")


@pytest.mark.parametrize("part", ["..", ".", "", "a/b", "a\\b"])
def test_path_components_cannot_escape(part: str) -> None:
    with pytest.raises(ValueError, match="plain path component"):
        resource_path("icons", part)


def test_every_icon_file_is_listed_and_every_listed_icon_exists() -> None:
    on_disk = {p.stem for p in (CHECKOUT_RESOURCES / "icons").glob("*.svg")}
    assert on_disk == set(ICON_NAMES)
    assert len(ICON_NAMES) == len(set(ICON_NAMES))


@pytest.mark.parametrize("name", ICON_NAMES)
def test_icon_is_a_24px_svg_without_current_color(name: str) -> None:
    text = icon_path(name).read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 24 24"
    assert root.find(f"{SVG}title") is not None
    # QIcon renders SVGs without a palette: currentColor would come out black on dark themes
    assert "currentColor" not in text
    assert len(list(root.iter())) > 2, "an icon needs at least one shape"


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.parametrize("size", PNG_SIZES)
def test_app_icon_png_sizes(size: int) -> None:
    png = resource_path("icons", "hicolor", f"{size}x{size}", "apps", f"{APP_ID}.png")
    assert _png_size(png) == (size, size)


def test_no_stray_png_sizes() -> None:
    folders = {p.name for p in (CHECKOUT_RESOURCES / "icons" / "hicolor").iterdir()}
    assert folders == {f"{n}x{n}" for n in PNG_SIZES}


PLATFORM_ICONS = CHECKOUT_RESOURCES.parent / "packaging" / "icons"


def test_windows_ico_holds_png_sizes_up_to_256() -> None:
    data = (PLATFORM_ICONS / "transmit-admin.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        width, height, _, _, _, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index : 22 + 16 * index]
        )
        image = data[offset : offset + length]
        assert image[:8] == b"\x89PNG\r\n\x1a\n"
        side = width or 256
        assert struct.unpack(">II", image[16:24]) == (side, height or 256)
        assert bits == 32
        sizes.append(side)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_macos_icns_holds_png_sizes_up_to_1024() -> None:
    data = (PLATFORM_ICONS / "transmit-admin.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    found: dict[bytes, int] = {}
    position = 8
    while position < len(data):
        kind = data[position : position + 4]
        length = struct.unpack(">I", data[position + 4 : position + 8])[0]
        image = data[position + 8 : position + length]
        assert image[:8] == b"\x89PNG\r\n\x1a\n", kind
        found[kind] = struct.unpack(">I", image[16:20])[0]
        position += length
    assert position == len(data)
    assert found[b"ic10"] == 1024  # 512 pt @2x: what Finder and the Dock use on Retina
    assert found[b"ic07"] == 128
    assert found[b"icp4"] == 16
