"""`ToolbarFitter`: the toolbar keeps every action on screen by dropping labels, not actions.

With every button "icon + text", a 1280 px window in production mode (the switcher shows
its PRODUCTION marker) pushed the last actions into Qt's "»" overflow menu, Note among them.
Whenever the toolbar is resized, the buttons named in `collapsible` (least used first) lose
their text, one at a time, until everything fits; the most used actions keep theirs. Each
button's tooltip keeps the name and the shortcut.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolBar, QToolButton, QWidget


class ToolbarFitter(QObject):
    def __init__(self, toolbar: QToolBar, collapsible: Sequence[QAction]) -> None:
        super().__init__(toolbar)
        self.toolbar = toolbar
        self.collapsible = list(collapsible)
        self._pending = False
        # The toolbar's width (the window) and the embedded widgets' (the environment
        # switcher grows a PRODUCTION marker) decide; never the buttons themselves, whose
        # size this changes (watching them, or LayoutRequest, would fit forever).
        self._watched: list[QObject] = [toolbar]
        for action in toolbar.actions():
            widget = toolbar.widgetForAction(action)
            if widget is not None and not isinstance(widget, QToolButton):
                self._watched.append(widget)
        for watched in self._watched:
            watched.installEventFilter(self)
        self.schedule()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched in self._watched and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.schedule()
        return False

    def schedule(self) -> None:
        # After the layout settled (a LayoutRequest arrives while the switcher's marker is
        # shown or hidden), and once per burst of events.
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self.fit)

    def _overflows(self) -> bool:
        """Whether Qt's toolbar layout put any action into the "»" extension menu: it
        hides the widgets of the actions that do not fit. Asked of the layout itself,
        after it re-laid the buttons out, rather than summing size hints (spacings,
        separators and the extension button are the style's business)."""
        layout = self.toolbar.layout()
        if layout is None:
            return False
        layout.invalidate()
        layout.activate()
        layout.setGeometry(self.toolbar.contentsRect())
        for action in self.toolbar.actions():
            widget = self.toolbar.widgetForAction(action)
            if action.isVisible() and widget is not None and not widget.isVisibleTo(self.toolbar):
                return True
        return False

    def _button(self, action: QAction) -> QToolButton | None:
        widget: QWidget | None = self.toolbar.widgetForAction(action)
        return widget if isinstance(widget, QToolButton) else None

    def fit(self) -> None:
        self._pending = False
        buttons = [b for b in map(self._button, self.collapsible) if b is not None]
        for button in buttons:
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for button in buttons:
            if not self._overflows():
                break
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

    def collapsed(self) -> list[QAction]:
        """The actions shown as icons only right now (tests, screenshots)."""
        return [
            action
            for action in self.collapsible
            if (button := self._button(action)) is not None
            and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
        ]
