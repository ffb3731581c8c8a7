"""Settings → Team: where the team's PostgreSQL server is, who this agent is, and the state
(layout only; `team_controller.py` holds the logic). The password goes to the OS keyring,
never into a URL, a settings file or SQLite."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.team.server import DEFAULT_PORT
from transmit_admin.ui.icons import icon


class TeamPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamPage")
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setAccessibleName(self.tr("Environment of the team"))
        form = QFormLayout()
        self.host = self._line(form, self.tr("Host"), self.tr("The team's PostgreSQL server"))
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setAccessibleName(self.tr("Port"))
        form.addRow(self.tr("&Port"), self.port)
        self.database = self._line(form, self.tr("Database"), self.tr("The team space's database"))
        self.user = self._line(
            form, self.tr("User"), self.tr("Your agent role (the team owner adds it)")
        )
        self.password = self._line(
            form,
            self.tr("Password"),
            self.tr("Kept in the OS keyring; leave empty to keep the stored one"),
        )
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_file = self._line(
            form,
            self.tr("CA certificate"),
            self.tr("Optional: the CA file that signed the server's certificate"),
        )
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Team status"))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_button = QPushButton(icon("refresh"), self.tr("&Test connection"), self)
        self.test_button.setToolTip(self.tr("Connect and check the team space, without joining"))
        self.join_button = QPushButton(icon("open-session"), self.tr("&Join the team"), self)
        self.join_button.setToolTip(
            self.tr("Keep the password in the keyring and share this environment's journal")
        )
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.join_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def _line(self, form: QFormLayout, label: str, tip: str) -> QLineEdit:
        field = QLineEdit(self)
        field.setPlaceholderText(tip)
        field.setToolTip(tip)
        field.setAccessibleName(label)
        form.addRow(f"&{label}", field)
        return field

    def set_busy(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)
        self.join_button.setEnabled(not busy)


class TeamDialog(QDialog):
    """The page in a window of its own (File → Team settings…)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamDialog")
        self.setWindowTitle(self.tr("Settings — Team"))
        self.setWindowIcon(icon("settings"))
        self.resize(560, 420)
        self.page = TeamPage(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page, 1)
        layout.addWidget(self.buttons)
