"""Paints the Factors column as small rounded chips ("pwd", "eml", …) from `FACTORS_ROLE`."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from transmit_admin.ui.sessions.model import FACTORS_ROLE

CHIP_PADDING = 4
CHIP_GAP = 3

# The amr codes Transmit documents; anything else gets the neutral colour.
FACTOR_COLORS = {
    "pwd": "#5b7bd5",
    "eml": "#2e9d8f",
    "eotp": "#3c9d5a",
    "sms": "#b07a2a",
    "social": "#8a5bd5",
    "webauthn": "#c2527a",
    "mfa": "#6d6f78",
}
NEUTRAL = "#6d6f78"


class FactorChipDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        factors = index.data(FACTORS_ROLE)
        if not isinstance(factors, list) or not factors:
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget else None
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        if selected:
            painter.fillRect(option.rect, option.palette.highlight())
        elif style is None:
            painter.fillRect(option.rect, option.palette.base())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = option.fontMetrics
        rect = option.rect
        height = min(rect.height() - 4, metrics.height() + 2)
        x = float(rect.x() + 2)
        y = rect.y() + (rect.height() - height) / 2
        text_color = option.palette.color(QPalette.ColorRole.HighlightedText)
        for code in factors:
            width = metrics.horizontalAdvance(code) + 2 * CHIP_PADDING
            if x + width > rect.right():
                painter.setPen(text_color if selected else QColor(NEUTRAL))
                painter.drawText(QRectF(x, y, 12, height), Qt.AlignmentFlag.AlignCenter, "…")
                break
            chip = QRectF(x, y, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(FACTOR_COLORS.get(code, NEUTRAL)))
            painter.drawRoundedRect(chip, height / 2, height / 2)
            painter.setPen(QColor("white"))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, code)
            x += width + CHIP_GAP
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        factors = index.data(FACTORS_ROLE)
        if isinstance(factors, list) and factors:
            metrics = option.fontMetrics
            width = sum(metrics.horizontalAdvance(c) + 2 * CHIP_PADDING + CHIP_GAP for c in factors)
            hint.setWidth(max(hint.width(), width + 4))
        return hint
