"""The HAR tab's layout: open or drop a capture, progress and Cancel, then its secrets, the
auth-flow timeline and the leaked sessions, with Revoke and the sanitized export. Widgets only;
`HarController` fills them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.ui.har.rows import SECRET_COLUMNS, SESSION_COLUMNS, TIMELINE_COLUMNS
from transmit_admin.ui.har.table_model import TextRowsModel
from transmit_admin.ui.icons import icon


def dropped_file(event: QDragEnterEvent | QDropEvent) -> str | None:
    """The one local file being dragged, if that is what it is."""
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) == 1 and urls[0].isLocalFile():
        return urls[0].toLocalFile()
    return None


class RowsTable(QTableView):
    """A read-only table of text rows (`TextRowsModel`), one row selected at a time."""

    def __init__(self, parent: QWidget, columns: tuple[str, ...], name: str) -> None:
        super().__init__(parent)
        self.rows = TextRowsModel(columns)
        self.rows.setParent(self)
        self.setModel(self.rows)
        self.setObjectName(name)
        self.setAccessibleName(name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Column widths from the first rows only: measuring all 1,857 rows of a 200 MB
        # capture's secrets cost 0.76 s on the GUI thread (127,000 `data` calls).
        header.setResizeContentsPrecision(60)

    def fill(
        self,
        rows: list[list[str]],
        alarming: set[int] | None = None,
        tips: list[str] | None = None,
    ) -> None:
        self.rows.set_rows(rows, alarming, tips)
        self.resizeColumnsToContents()
        for column in range(self.rows.columnCount() - 1):  # a long request must not push
            self.setColumnWidth(column, min(self.columnWidth(column), 320))  # the rest away


class HarView(QWidget):
    file_dropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("harView")
        self.setAcceptDrops(True)
        self.open_button = QPushButton(icon("search"), self.tr("Open HAR…"), self)
        self.open_button.setToolTip(self.tr("Read a browser or proxy capture (.har)"))
        self.file_label = QLabel(self)
        self.file_label.setAccessibleName(self.tr("Capture"))
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.setAccessibleName(self.tr("Reading progress"))
        self.cancel_button = QPushButton(icon("cancel"), self.tr("Cancel"), self)
        self.cancel_button.setToolTip(self.tr("Stop reading or writing the capture"))
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)

        self.message = QLabel(self)
        self.message.setObjectName("harMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName(self.tr("Capture summary"))

        self.hint = QLabel(
            self.tr(
                "Drop a .har file here, or use File → Open HAR….\n\nThe capture is read where "
                "it is: it is never copied, and only its fingerprint and name are recorded."
            ),
            self,
        )
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)

        self.secrets = RowsTable(self, SECRET_COLUMNS, "harSecrets")
        self.secrets.setToolTip(self.tr("Double-click a token to open it in the Token tab"))
        self.timeline = RowsTable(self, TIMELINE_COLUMNS, "harTimeline")
        self.owner_email = QLineEdit(self)
        self.owner_email.setPlaceholderText(self.tr("Owner's email, for sessions with no owner"))
        self.owner_email.setAccessibleName(self.tr("Owner's email"))
        self.check_button = QPushButton(icon("check-alive"), self.tr("Check again"), self)
        self.check_button.setToolTip(self.tr("Ask Transmit again which sessions are alive"))
        self.sessions = RowsTable(self, SESSION_COLUMNS, "harSessions")
        self.sessions.setToolTip(self.tr("Double-click a tracked session to open it"))
        self.revoke_button = QPushButton(icon("revoke"), self.tr("Revoke live sessions"), self)
        sessions_page = QWidget(self)
        owner_row = QHBoxLayout()
        owner_row.addWidget(self.owner_email, 1)
        owner_row.addWidget(self.check_button)
        owner_row.addWidget(self.revoke_button)
        sessions_layout = QVBoxLayout(sessions_page)
        sessions_layout.setContentsMargins(0, 4, 0, 0)
        sessions_layout.addLayout(owner_row)
        sessions_layout.addWidget(self.sessions, 1)
        self.result_tabs = QTabWidget(self)
        self.result_tabs.setObjectName("harTabs")
        self.result_tabs.addTab(sessions_page, self.tr("Sessions"))
        self.result_tabs.addTab(self.secrets, self.tr("Secrets"))
        self.result_tabs.addTab(self.timeline, self.tr("Timeline"))

        self.mask_pii = QCheckBox(self.tr("Mask personal data"), self)
        self.mask_pii.setToolTip(
            self.tr("Also mask emails, phone numbers and names, inside tokens too")
        )
        self.export_button = QPushButton(icon("export"), self.tr("Save sanitized copy…"), self)
        self.export_button.setToolTip(
            self.tr("Write a copy with every secret replaced, to attach to the ticket")
        )
        self.report_button = QPushButton(icon("copy"), self.tr("Copy ticket report"), self)
        self.report_button.setToolTip(
            self.tr("Copy a short Markdown report (redacted) to paste into the ticket")
        )
        bottom = QHBoxLayout()
        bottom.addWidget(self.mask_pii)
        bottom.addStretch(1)
        bottom.addWidget(self.export_button)
        results = QWidget(self)
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.result_tabs, 1)
        results_layout.addLayout(bottom)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.hint)
        self.pages.addWidget(results)
        self.results_page = results
        top.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.pages, 1)
        self.set_busy(False)
        self.message.hide()

    def set_busy(self, busy: bool, *, cancellable: bool = True) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy and cancellable)
        for widget in (
            self.open_button,
            self.revoke_button,
            self.export_button,
            self.report_button,
        ):
            widget.setEnabled(not busy)
        self.check_button.setEnabled(not busy)
        if busy:
            self.progress.setValue(0)

    def show_message(self, text: str, ok: bool = True) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("" if ok else "color: #c62828; font-weight: 600;")
        self.message.show()

    def show_results(self, shown: bool) -> None:
        self.pages.setCurrentWidget(self.results_page if shown else self.hint)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_file(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_file(event)
        if path:
            event.acceptProposedAction()
            self.file_dropped.emit(path)
