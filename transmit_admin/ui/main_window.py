"""The main window's layout: toolbar, sessions | tabs, activity strip. Widgets only.

Until the context exists (the sandbox takes a second to start) the window shows a "starting"
page; a store that cannot be opened shows its message on an error page instead of the work
area. `MainController` creates the panels and hands them to `install_workspace`.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.ui.environment_switcher import EnvironmentSwitcher
from transmit_admin.ui.icons import icon
from transmit_admin.ui.spinner import Spinner

PASTE_SHORTCUT = "Ctrl+Shift+V"


def _action(window: QWidget, text: str, icon_name: str | None, tip: str) -> QAction:
    action = QAction(text, window)
    if icon_name:
        action.setIcon(icon(icon_name))
    action.setToolTip(tip)
    action.setStatusTip(tip)
    return action


class MessagePage(QWidget):
    """A centred message with a spinner or buttons: the starting and error states."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spinner = Spinner(self)
        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setAccessibleName(self.tr("Status"))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName(self.tr("Details"))
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.retry_button = QPushButton(icon("refresh"), self.tr("&Try again"), self)
        self.retry_button.setToolTip(self.tr("Open the data folder again"))
        self.retry_button.setAccessibleName(self.tr("Try again"))
        self.buttons.addWidget(self.retry_button)
        self.buttons.addStretch(1)
        # A word-wrapped label given an alignment in a layout loses its height-for-width and
        # shows one line: centre it between stretches instead.
        message_row = QHBoxLayout()
        message_row.addStretch(1)
        message_row.addWidget(self.message, 4)
        message_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.title)
        layout.addLayout(message_row)
        layout.addLayout(self.buttons)
        layout.addStretch(2)

    def show_busy(self, title: str, message: str) -> None:
        self.title.setText(title)
        self.message.setText(message)
        self.spinner.set_busy(True)
        self.retry_button.hide()

    def show_error(self, title: str, message: str) -> None:
        self.title.setText(title)
        self.message.setText(message)
        self.spinner.set_busy(False)
        self.retry_button.show()


class Banner(QFrame):
    """A one-line notice above the work area (the sandbox, a missing secret…)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBanner")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAccessibleName(self.tr("Notice"))
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.label, 1)
        self.hide()

    def show_message(self, text: str, colour: str) -> None:
        self.label.setText(text)
        self.setToolTip(text)
        self.setStyleSheet(
            f"#noticeBanner {{ background: {colour}; border-radius: 4px; }}"
            "#noticeBanner QLabel { color: white; font-weight: 600; }"
        )
        self.show()


MINIMUM_SIZE = (720, 520)


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Transmit Admin"))
        self.setWindowIcon(icon("app"))
        self.resize(1280, 800)
        # Below this the session table collapsed to its header (at 500x300) and the token
        # tab's verdict and checks could not both be read.
        self.setMinimumSize(MINIMUM_SIZE[0], MINIMUM_SIZE[1])

        self.paste_action = _action(
            self,
            self.tr("&Paste && verify"),
            "paste",
            self.tr("Paste the clipboard into the token inspector and inspect it ({0})").format(
                PASTE_SHORTCUT
            ),
        )
        self.paste_action.setShortcut(QKeySequence(PASTE_SHORTCUT))
        self.paste_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.redact_action = _action(
            self,
            self.tr("&Redact"),
            "redact",
            self.tr("Mask signatures, emails, phone numbers and ids everywhere"),
        )
        self.redact_action.setCheckable(True)
        self.redact_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.settings_action = _action(
            self, self.tr("&Settings…"), "settings", self.tr("Environments and client secrets")
        )
        # Preferences has no standard key on Linux and Windows: Ctrl+, there too.
        preferences = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
        self.settings_action.setShortcuts(preferences or [QKeySequence("Ctrl+,")])
        self.open_har_action = _action(
            self,
            self.tr("Open &HAR…"),
            "search",
            self.tr("Read a HAR capture: its tokens, leaked sessions and a sanitized copy"),
        )
        self.open_har_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Open))
        self.about_action = _action(self, self.tr("&About"), "app", self.tr("About this app"))
        self.quit_action = _action(self, self.tr("&Quit"), None, self.tr("Quit the app"))
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.switcher = EnvironmentSwitcher(self)
        self.toolbar = QToolBar(self.tr("Main toolbar"), self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setAccessibleName(self.tr("Main toolbar"))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setMovable(False)
        self.toolbar.addWidget(self.switcher)
        self.toolbar.addAction(self.paste_action)
        self.toolbar.addSeparator()
        self.session_actions_anchor = self.toolbar.addSeparator()
        self.addToolBar(self.toolbar)

        menu = self.menuBar()
        self.file_menu = menu.addMenu(self.tr("&File"))
        self.file_menu.addAction(self.open_har_action)
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.view_menu = menu.addMenu(self.tr("&View"))
        self.view_menu.addAction(self.paste_action)
        self.view_menu.addAction(self.redact_action)
        self.session_menu = menu.addMenu(self.tr("&Session"))
        self.help_menu = menu.addMenu(self.tr("&Help"))
        self.help_menu.addAction(self.about_action)

        self.message_page = MessagePage(self)
        self.banner = Banner(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("detailTabs")
        self.tabs.setAccessibleName(self.tr("Token and session details"))
        self.tabs.setDocumentMode(True)
        self.top_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.top_splitter.setObjectName("topSplitter")
        self.top_splitter.setChildrenCollapsible(False)
        self.main_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.setChildrenCollapsible(False)
        self.main_splitter.addWidget(self.top_splitter)
        workspace = QWidget(self)
        layout = QVBoxLayout(workspace)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(self.main_splitter, 1)
        self.workspace = workspace
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.message_page)
        self.pages.addWidget(self.workspace)
        self.setCentralWidget(self.pages)
        self.statusBar().setSizeGripEnabled(True)

    def restore_geometry(self, settings: QSettings) -> None:
        """Size and place the window as it was left (`window/geometry`); call before `show()`."""
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)

    def show_starting(self) -> None:
        """The state until the context exists: the starting page, nothing to paste into yet."""
        self.paste_action.setEnabled(False)
        self.message_page.show_busy(
            self.tr("Opening…"),
            self.tr(
                "Opening the session store. Without a saved environment the local sandbox "
                "starts with demo sessions first; that takes a few seconds."
            ),
        )
        self.pages.setCurrentWidget(self.message_page)

    def install_workspace(
        self,
        sessions_panel: QWidget,
        activity_panel: QWidget,
        tabs: list[tuple[QWidget, str, str, str]],
    ) -> None:
        """Places the panels (once); `tabs` are (widget, title, icon, tooltip)."""
        for widget, title, icon_name, tip in tabs:
            index = self.tabs.addTab(widget, icon(icon_name), title)
            self.tabs.setTabToolTip(index, tip)
        self.top_splitter.addWidget(sessions_panel)
        self.top_splitter.addWidget(self.tabs)
        self.top_splitter.setStretchFactor(0, 5)
        self.top_splitter.setStretchFactor(1, 4)
        self.main_splitter.addWidget(activity_panel)
        self.main_splitter.setStretchFactor(0, 5)
        self.main_splitter.setStretchFactor(1, 1)
        self.pages.setCurrentWidget(self.workspace)
        self._order_focus(sessions_panel, [widget for widget, *_ in tabs], activity_panel)

    def _order_focus(
        self, sessions_panel: QWidget, tab_pages: list[QWidget], activity_panel: QWidget
    ) -> None:
        """Tab follows the screen: environment, sessions, the detail tabs, then activity.

        In creation order the activity strip came between the table and the detail tabs, and
        the environment switcher after it.
        """
        chain = [
            *_focusable_within(self.switcher),
            *_focusable_within(sessions_panel),
            self.tabs,  # it takes focus too (for its tab bar): keep both together
            self.tabs.tabBar(),
            *(widget for page in tab_pages for widget in _focusable_within(page)),
            *_focusable_within(activity_panel),
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)


def _focusable_within(root: QWidget) -> list[QWidget]:
    """The widgets inside `root` that Tab can reach, in their current focus-chain order."""
    found: list[QWidget] = []
    widget = root.nextInFocusChain()
    while widget is not None and widget is not root and len(found) < 500:
        if root.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            found.append(widget)
        widget = widget.nextInFocusChain()
    return found
