"""Paints the Factors column as small rounded chips ("eml", "pwd", +1) from `FACTORS_ROLE`."""

from __future__ import annotations

from collections.abc import Callable

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


def fit_chips(widths: list[int], available: float, plus_width: Callable[[int], int]) -> int:
    """How many chips (newest first) fit in `available` pixels, leaving room for a "+N"
    chip when some do not; at least one (the newest is never the one hidden)."""
    total = sum(w + CHIP_GAP for w in widths)
    if total <= available:
        return len(widths)
    used = 0.0
    for shown, width in enumerate(widths):
        rest = len(widths) - shown - 1
        room = width + CHIP_GAP + (plus_width(rest) if rest else 0)
        if shown and used + room > available:
            return shown
        used += width + CHIP_GAP
    return len(widths)


class FactorChipDelegate(QStyledItemDelegate):
    """Chips newest first, so the factor just added is the one always in view; those that do
    not fit collapse into a visible "+N" chip (the cell's tooltip lists every factor).

    Drawn in first-seen order, a narrow column cut off exactly the newest factor and marked
    it only with "…" (issue 12).
    """

    def chips_for(self, option: QStyleOptionViewItem, factors: list[str]) -> tuple[list[str], int]:
        """The codes drawn (newest first) and how many collapse into "+N"."""
        metrics = option.fontMetrics
        newest_first = list(reversed(factors))
        widths = [metrics.horizontalAdvance(c) + 2 * CHIP_PADDING for c in newest_first]
        available = option.rect.width() - 4

        def plus(hidden: int) -> int:
            return metrics.horizontalAdvance(f"+{hidden}") + 2 * CHIP_PADDING + CHIP_GAP

        shown = fit_chips(widths, available, plus)
        return newest_first[:shown], len(factors) - shown

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
        painter.setClipRect(option.rect)
        metrics = option.fontMetrics
        rect = option.rect
        height = min(rect.height() - 4, metrics.height() + 2)
        x = float(rect.x() + 2)
        y = rect.y() + (rect.height() - height) / 2
        shown, hidden = self.chips_for(option, factors)
        chips = [(code, QColor(FACTOR_COLORS.get(code, NEUTRAL))) for code in shown]
        if hidden:
            outline = option.palette.color(
                QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Mid
            )
            chips.append((f"+{hidden}", outline))
        for code, colour in chips:
            width = metrics.horizontalAdvance(code) + 2 * CHIP_PADDING
            chip = QRectF(x, y, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
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
