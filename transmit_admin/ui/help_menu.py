"""Help → Keyboard shortcuts and Documentation (About is the window's own).

The shortcut list is read from the window's actions when it opens, so it can never disagree
with what the keys really do. The documentation is the README and docs/ of the source the app
runs from (a checkout or an unpacked sdist); an installed wheel does not carry them, and the
action says where to find them instead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

import transmit_admin
from transmit_admin.ui.icons import icon

SOURCE_ROOT = Path(transmit_admin.__file__).resolve().parent.parent
DOCUMENTATION = SOURCE_ROOT / "README.md"


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(what, keys) for every action of the window that has a shortcut, by name."""
    rows: dict[str, str] = {}
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        keys = [k for k in keys if k]
        name = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        if keys and name:
            rows[name] = ", ".join(keys)
    return sorted(rows.items(), key=lambda row: row[0].casefold())


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.table = QTreeWidget(self)
        self.table.setHeaderLabels([self.tr("Action"), self.tr("Keys")])
        self.table.setRootIsDecorated(False)
        self.table.setAccessibleName(self.tr("Shortcuts"))
        self.table.setToolTip(self.tr("Every command that has a key, as the window defines it"))
        for name, keys in shortcut_rows(window):
            self.table.addTopLevelItem(QTreeWidgetItem([name, keys]))
        self.table.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(460, 480)


class HelpMenu(QObject):
    def __init__(self, window: QMainWindow, menu: QMenu, before: QAction) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: ShortcutsDialog | None = None
        self.shortcuts_action = QAction(icon("app"), self.tr("&Keyboard shortcuts"), window)
        self.shortcuts_action.setShortcut(QKeySequence("F1"))
        self.shortcuts_action.setToolTip(self.tr("Every keyboard shortcut of the window (F1)"))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.docs_action = QAction(icon("verify"), self.tr("&Documentation"), window)
        if DOCUMENTATION.is_file():
            self.docs_action.setToolTip(self.tr("Open the user guide ({0})").format(DOCUMENTATION))
        else:
            self.docs_action.setEnabled(False)
            self.docs_action.setToolTip(
                self.tr(
                    "The guide (README.md and docs/) comes with the source distribution of "
                    "transmit-admin; this installation does not include it"
                )
            )
        self.docs_action.triggered.connect(self.open_docs)
        menu.insertAction(before, self.shortcuts_action)
        menu.insertAction(before, self.docs_action)
        menu.insertSeparator(before)

    def show_shortcuts(self) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            return
        self.dialog = ShortcutsDialog(self.window)
        self.dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog.open()

    def open_docs(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(DOCUMENTATION)))
