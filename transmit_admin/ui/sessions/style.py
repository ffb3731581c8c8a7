"""Status colours and status dots shared by the session table, details and activity views.

The colours are mid-tone so they read on both light and dark palettes; the status is always
also written in words, so colour is never the only carrier of meaning.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

STATUS_COLORS = {
    "active": "#2e9d4f",
    "expired": "#8a8f98",
    "revoked": "#d0433b",
    "ended": "#c7862a",
}
UNKNOWN_COLOR = "#8a8f98"


def status_color(status: str) -> str:
    return STATUS_COLORS.get(str(status), UNKNOWN_COLOR)


@functools.cache
def status_icon(status: str) -> QIcon:
    """A filled dot for live sessions, a ring for the others (shape differs, not just hue)."""
    size = 12
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(status_color(status))
    if str(status) == "active":
        painter.setBrush(color)
        painter.setPen(Qt.PenStyle.NoPen)
    else:
        pen = painter.pen()
        pen.setColor(color)
        pen.setWidthF(2.0)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(2, 2, size - 4, size - 4)
    painter.end()
    return QIcon(pixmap)
