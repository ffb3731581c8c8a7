"""Render the application icon's PNG sizes, a Windows .ico and a macOS .icns from app.svg.

Usage: .venv/bin/python packaging/render_icons.py [--check]

Writes
  resources/icons/hicolor/<N>x<N>/apps/<APP_ID>.png   (Linux icon theme sizes)
  packaging/icons/transmit-admin.ico                  (Windows: 16-256 px, PNG-compressed)
  packaging/icons/transmit-admin.icns                 (macOS: 16-1024 px incl. @2x, PNG)
All are committed, so building a wheel or a bundle needs no renderer; run this again after
changing app.svg. `--check` renders into memory and exits 1 when a committed file differs.
Both container formats are written directly (they are a directory of PNG images), so no
ImageMagick or macOS `iconutil` is needed; packaging/README.md shows the equivalent commands.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from transmit_admin import APP_ID  # noqa: E402

ICONS = ROOT / "resources" / "icons"
PLATFORM_ICONS = ROOT / "packaging" / "icons"
HICOLOR_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns element types holding PNG data, with their pixel size
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),  # 16 pt @2x
    (b"icp6", 64),
    (b"ic12", 64),  # 32 pt @2x
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),  # 128 pt @2x
    (b"ic09", 512),
    (b"ic14", 512),  # 256 pt @2x
    (b"ic10", 1024),  # 512 pt @2x
)


class Renderer:
    def __init__(self, svg: Path) -> None:
        self._svg = QSvgRenderer(str(svg))
        if not self._svg.isValid():
            raise SystemExit(f"cannot parse {svg}")
        self._cache: dict[int, bytes] = {}

    def png(self, size: int) -> bytes:
        if size not in self._cache:
            image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            self._svg.render(painter, QRectF(0, 0, size, size))
            painter.end()
            data = QByteArray()
            buffer = QBuffer(data)
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            if not image.save(buffer, "PNG"):
                raise SystemExit(f"could not encode a {size} px PNG")
            self._cache[size] = bytes(data.data())
        return self._cache[size]


def ico(renderer: Renderer) -> bytes:
    images = [renderer.png(size) for size in ICO_SIZES]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    for size, data in zip(ICO_SIZES, images, strict=True):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(images)


def icns(renderer: Renderer) -> bytes:
    body = b"".join(
        kind + struct.pack(">I", 8 + len(data)) + data
        for kind, data in ((kind, renderer.png(size)) for kind, size in ICNS_TYPES)
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def outputs(renderer: Renderer) -> dict[Path, bytes]:
    files = {
        ICONS / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png": renderer.png(n)
        for n in HICOLOR_SIZES
    }
    files[PLATFORM_ICONS / "transmit-admin.ico"] = ico(renderer)
    files[PLATFORM_ICONS / "transmit-admin.icns"] = icns(renderer)
    return files


def main(argv: list[str]) -> int:
    check = "--check" in argv
    _app = QGuiApplication.instance() or QGuiApplication([])
    stale = 0
    for path, data in outputs(Renderer(ICONS / "app.svg")).items():
        name = path.relative_to(ROOT)
        if check:
            if not path.is_file() or path.read_bytes() != data:
                print(f"out of date: {name}", file=sys.stderr)
                stale += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{name}  {len(data)} bytes")
    if stale:
        print("run: .venv/bin/python packaging/render_icons.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
