"""The HAR tab's one question: revoke the capture's live sessions? Widgets only.

Opened with `open()` (window-modal, no nested event loop, as `ui/sessions/dialogs.py`
explains). In production the environment's name must be typed before Revoke is enabled.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.ui.icons import icon


class RevokeCaptureDialog(QDialog):
    def __init__(
        self, count: int, env_name: str, production: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("harRevokeDialog")
        title = self.tr("Revoke the sessions in this capture?")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        where = (
            self.tr("the PRODUCTION environment {0}") if production else self.tr("environment {0}")
        )
        self.intro = QLabel(
            self.tr(
                "Revoke {0} live session(s) found in this capture, in {1}? Their users must "
                "log in again. Access tokens already issued stay valid until their own expiry "
                "(at most one hour)."
            ).format(count, where.format(env_name)),
            self,
        )
        self.intro.setWordWrap(True)
        self.expected = env_name if production else ""
        self.typed = QLineEdit(self)
        self.typed.setAccessibleName(self.tr("Type the environment's name to confirm"))
        self.typed.setPlaceholderText(env_name)
        self.typed.setToolTip(self.tr("Type {0} exactly").format(env_name))
        self.typed.setVisible(production)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Revoke {0}").format(count))
        self.ok_button.setIcon(icon("revoke"))
        self.ok_button.setEnabled(not production)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.typed.textChanged.connect(
            lambda text: self.ok_button.setEnabled(text.strip() == self.expected)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.typed)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
