"""Settings → Environments: the list on the left, the form on the right (layout only)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.ui.icons import icon
from transmit_admin.ui.settings.form import EnvironmentForm


def _button(parent: QWidget, text: str, tip: str, icon_name: str | None = None) -> QPushButton:
    button = QPushButton(text, parent)
    if icon_name:
        button.setIcon(icon(icon_name))
    button.setToolTip(tip)
    button.setAccessibleName(text.replace("&", ""))
    return button


class EnvironmentsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentsDialog")
        self.setWindowTitle(self.tr("Settings — Environments"))
        self.setWindowIcon(icon("settings"))
        self.resize(820, 560)

        self.backend_label = QLabel(self)
        self.backend_label.setWordWrap(True)
        self.backend_label.setAccessibleName(self.tr("Secret storage"))
        self.encrypt_button = _button(
            self,
            self.tr("Use an &encrypted file…"),
            self.tr("Keep client secrets in a file encrypted with a passphrase"),
        )
        self.memory_button = _button(
            self,
            self.tr("Keep for this run &only"),
            self.tr("Keep client secrets in memory; they are forgotten when the app closes"),
        )
        self.backend_box = QFrame(self)
        self.backend_box.setObjectName("secretBackendBox")
        self.backend_box.setFrameShape(QFrame.Shape.StyledPanel)
        backend = QHBoxLayout(self.backend_box)
        backend.addWidget(self.backend_label, 1)
        backend.addWidget(self.encrypt_button)
        backend.addWidget(self.memory_button)

        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Saved environments"))
        self.list.setToolTip(self.tr("Saved environments; choose one to edit it"))
        self.list.setMaximumWidth(280)  # room for "name · PRODUCTION"
        self.list.setMinimumWidth(240)
        self.new_button = _button(self, self.tr("&New"), self.tr("Add an environment"))
        self.delete_button = _button(
            self, self.tr("&Delete"), self.tr("Delete the chosen environment and its secret")
        )
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        left.addLayout(row)

        self.form = EnvironmentForm(self)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Problem with the form"))
        self.error.setStyleSheet("color: #cf222e; font-weight: 600;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = _button(self, self.tr("Sa&ve"), self.tr("Save this environment"))
        self.save_button.setDefault(True)
        self.test_button = _button(
            self,
            self.tr("&Test connection"),
            self.tr(
                "Ask Transmit for a client token and the signing keys with the form's values "
                "(changes nothing there)"
            ),
        )
        self.test_result = QLabel(self)
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName(self.tr("Connection test result"))
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right = QVBoxLayout()
        right.addWidget(self.form)
        right.addWidget(self.error)
        right.addWidget(self.test_result)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.test_button)
        save_row.addWidget(self.save_button)
        right.addLayout(save_row)
        right.addStretch(1)

        body = QHBoxLayout()
        body.addLayout(left)
        body.addLayout(right, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setToolTip(self.tr("Close the settings"))
        close.setAccessibleName(self.tr("Close"))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.backend_box)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)
