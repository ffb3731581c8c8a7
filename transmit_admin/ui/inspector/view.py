"""The Token tab's widgets (layout only; `InspectorController` fills and wires them)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.ui.icons import icon
from transmit_admin.ui.inspector.claims_model import MEANING, VALUE, ClaimsModel
from transmit_admin.ui.inspector.paste_edit import PasteEdit
from transmit_admin.ui.spinner import Spinner


def _button(parent: QWidget, text: str, icon_name: str, tip: str) -> QPushButton:
    button = QPushButton(icon(icon_name), text, parent)
    button.setToolTip(tip)
    # "&Paste && inspect" is read "Paste & inspect": drop mnemonics, keep a literal "&&".
    button.setAccessibleName(text.replace("&&", "\0").replace("&", "").replace("\0", "&"))
    return button


class VerdictBanner(QFrame):
    """Icon, verdict title and the one-sentence reason; coloured by the controller."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.icon_label = QLabel(self)
        self.icon_label.setFixedSize(28, 28)
        self.title = QLabel(self)
        self.title.setObjectName("verdictTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setWordWrap(True)  # a long verdict must not set the window's minimum width
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The tracked session's state ("its session was revoked at 17:09 (by you)…"): the
        # token's checks alone cannot say it.
        self.session = QLabel(self)
        self.session.setObjectName("verdictSession")
        self.session.setWordWrap(True)
        self.session.setTextFormat(Qt.TextFormat.PlainText)
        self.session.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.session.setAccessibleName(self.tr("Tracked session"))
        self.session.hide()
        self.setAccessibleName(self.tr("Verdict"))
        self.setToolTip(self.tr("Whether the token can be trusted, and why"))
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.reason)
        text.addWidget(self.session)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        self.row = row  # the view adds the Track / Open session buttons at its end


class InspectorView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorView")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        self.paste_edit = PasteEdit(self)
        self.paste_edit.setPlaceholderText(
            self.tr(
                "Paste a token, an Authorization header, a token response or a log line: "
                "it is inspected as soon as it arrives (Ctrl+Shift+V pastes from anywhere)."
            )
        )
        self.paste_edit.setAccessibleName(self.tr("Text to inspect"))
        self.paste_edit.setToolTip(self.tr("Paste text containing tokens here"))
        self.paste_edit.setMaximumHeight(60)

        self.paste_button = _button(
            self, self.tr("&Paste && inspect"), "paste", self.tr("Paste the clipboard and inspect")
        )
        self.clear_button = _button(
            self, self.tr("C&lear"), "cancel", self.tr("Clear the pasted text and the result")
        )
        self.redact_check = QCheckBox(self.tr("&Redact"), self)
        self.redact_check.setIcon(icon("redact"))
        self.redact_check.setToolTip(
            self.tr("Mask signatures, emails, phone numbers and ids everywhere (screen sharing)")
        )
        self.redact_check.setAccessibleName(self.tr("Redact"))
        self.spinner = Spinner(self)
        self.status = QLabel(self)
        self.status.setAccessibleName(self.tr("Inspector status"))
        self.status.setWordWrap(True)
        tools = QHBoxLayout()
        tools.addWidget(self.paste_button)
        tools.addWidget(self.clear_button)
        tools.addWidget(self.redact_check)
        tools.addWidget(self.spinner)
        tools.addStretch(1)

        self.selector = QComboBox(self)
        self.selector.setAccessibleName(self.tr("Token to show"))
        self.selector.setToolTip(self.tr("The paste held several tokens: choose one"))
        self.selector.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.selector.setMinimumContentsLength(24)
        self.selector.hide()

        self.banner = VerdictBanner(self)
        self.banner.hide()

        self.segments = QTextBrowser(self)
        self.segments.setFont(mono)
        self.segments.setAccessibleName(self.tr("Token segments"))
        self.segments.setToolTip(self.tr("The token's header, payload and signature"))
        self.segments.setMaximumHeight(44)  # two lines: the colours, not the whole token
        self.segments.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.segments.hide()

        self.track_button = _button(
            self,
            self.tr("&Track this session"),
            "track",
            self.tr("Record the session of this token response in the session list"),
        )
        self.open_button = _button(
            self,
            self.tr("&Open session"),
            "open-session",
            self.tr("Show the tracked session this token belongs to"),
        )
        self.copy_claims_button = _button(
            self, self.tr("Copy &claims"), "copy", self.tr("Copy the claims as JSON")
        )
        self.copy_report_button = _button(
            self,
            self.tr("Cop&y report"),
            "copy",
            self.tr("Copy the verification report as JSON (never the raw token)"),
        )
        self.actions_row = QWidget(self)
        actions = QHBoxLayout(self.actions_row)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.track_button)
        actions.addWidget(self.open_button)
        self.track_button.hide()
        self.open_button.hide()
        self.actions_row.hide()

        self.checks = QListWidget(self)
        self.checks.setAccessibleName(self.tr("Checks"))
        self.checks.setToolTip(self.tr("Each check the verifier made, with its result"))
        self.checks.setWordWrap(True)
        self.checks.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

        self.claims_model = ClaimsModel(self)
        self.header_model = ClaimsModel(self)
        self.claims_table = self._table(self.claims_model, self.tr("Claims"))
        self.header_table = self._table(self.header_model, self.tr("Header"))
        self.raw_json = QPlainTextEdit(self)
        self.raw_json.setReadOnly(True)
        self.raw_json.setFont(mono)
        self.raw_json.setAccessibleName(self.tr("Report as JSON"))
        self.raw_json.setToolTip(self.tr("The report as JSON (never contains the raw token)"))
        self.details = QTabWidget(self)
        self.details.setAccessibleName(self.tr("Token details"))
        self.details.addTab(self.claims_table, self.tr("Claims"))
        self.details.addTab(self.header_table, self.tr("Header"))
        self.details.addTab(self.raw_json, self.tr("Raw JSON"))
        for index, tip in enumerate(
            (
                self.tr("Every claim with its meaning; times in UTC, local and relative"),
                self.tr("The token's header parameters"),
                self.tr("The verification report as JSON (never the raw token)"),
            )
        ):
            self.details.setTabToolTip(index, tip)
        copy_row = QWidget(self)
        copy_layout = QHBoxLayout(copy_row)
        copy_layout.setContentsMargins(0, 0, 0, 2)
        copy_layout.addWidget(self.copy_claims_button)
        copy_layout.addWidget(self.copy_report_button)
        self.details.setCornerWidget(copy_row, Qt.Corner.TopRightCorner)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("inspectorSplitter")
        self.splitter.addWidget(self.checks)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.result_area = self.splitter
        self.result_area.hide()

        self.empty_hint = QLabel(
            self.tr(
                "Nothing inspected yet. Paste a token above; the verdict, its checks and "
                "every claim explained appear here."
            ),
            self,
        )
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setEnabled(False)
        self.empty_hint.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

        # No scroll area around the tab: three nested scroll areas (tab, checks, claims) left
        # 1-3 claim rows in view at 1280x800. The tab's parts have small minimum heights
        # instead, so an inspected token never forces the window taller than a laptop
        # screen; the checks list and the claims table scroll on their own.
        self.splitter.setMinimumHeight(210)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.paste_edit)
        layout.addLayout(tools)
        # Its own full-width row: beside the buttons the notes wrapped into a tall column
        # that pushed the claims out of a laptop-sized window.
        layout.addWidget(self.status)
        layout.addWidget(self.selector)
        layout.addWidget(self.banner)
        layout.addWidget(self.segments)
        # Track / Open session sit in the verdict's own row: a row of their own cost the
        # claims a line at 1280x800.
        self.banner.row.addWidget(self.actions_row, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.result_area, 1)
        layout.addWidget(self.empty_hint, 1)

    def _table(self, model: ClaimsModel, name: str) -> QTableView:
        table = QTableView(self)
        table.setModel(model)
        table.setAccessibleName(name)
        table.setToolTip(self.tr("Hover a row for the full value and its meaning"))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setTabKeyNavigation(False)  # Tab moves on to the next control, never a trap
        # One line per claim: a wrapped Meaning made each row 4-5 lines tall, cut off, with
        # 1-3 claims in view. The full meaning is the row's tooltip.
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(MEANING, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        return table
