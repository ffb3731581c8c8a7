"""The paste area. Large pastes are not laid out as text (that alone can freeze Qt for
seconds): they are handed over whole with `large_paste` and the area shows a short summary."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QPlainTextEdit, QWidget

# Above this many characters a paste is summarised instead of shown (a token is < 10 KiB).
LARGE_PASTE_CHARS = 256 * 1024


class PasteEdit(QPlainTextEdit):
    large_paste = Signal(str)
    # While redacting the field is read-only (it shows a masked copy). Ctrl+V there used to
    # do nothing at all: it now asks for the clipboard to be inspected, and typing says why
    # nothing appears.
    paste_requested = Signal()
    typing_refused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setTabChangesFocus(True)  # keyboard users must be able to leave the field

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            text = source.text()
            if len(text) > LARGE_PASTE_CHARS:
                self.large_paste.emit(text)
                return
        super().insertFromMimeData(source)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.isReadOnly():
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste_requested.emit()
                return
            if (
                event.text().isprintable()
                and event.text()
                and not event.modifiers()
                & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
            ):
                self.typing_refused.emit()
                return
        super().keyPressEvent(event)

    def show_summary(self, summary: str) -> None:
        """Replaces the content with a one-line note about input kept out of the editor."""
        self.blockSignals(True)
        try:
            self.setPlainText(summary)
        finally:
            self.blockSignals(False)
