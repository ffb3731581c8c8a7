"""The environment switcher: the first thing on screen, and never ambiguous.

A coloured badge names the region (sandbox, US, EU, CA, AU, custom); a production environment
gets a red "PRODUCTION" marker that differs from the sandbox's colour at a glance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

if TYPE_CHECKING:
    from transmit_admin.core.environment import Environment

# Badge text and background colour per region (white text on all of them), by the `Region`'s
# value: the switcher is in the window's first frame, which must not wait for the environment
# model's import (dataclasses, URL and address parsing); it shows "STARTING" until then.
REGION_BADGES: dict[str, tuple[str, str]] = {
    "sandbox": ("SANDBOX", "#1f6feb"),
    "us": ("US", "#6f42c1"),
    "eu": ("EU", "#0b7285"),
    "ca": ("CA", "#8a4b08"),
    "au": ("AU", "#2b7a0b"),
    "custom": ("CUSTOM", "#57606a"),
}
PRODUCTION_COLOUR = "#cf222e"
_BADGE_CSS = (
    "QLabel { background: %s; color: white; font-weight: 700; border-radius: 4px;"
    " padding: 2px 8px; }"
)


def badge_text(env: Environment) -> str:
    return REGION_BADGES[env.region.value][0]


def badge_colour(env: Environment) -> QColor:
    return QColor(REGION_BADGES[env.region.value][1])


class EnvironmentSwitcher(QWidget):
    """Shows the current environment; `chosen(name)` when the user picks another one."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.badge = QLabel(self)
        self.badge.setAccessibleName(self.tr("Environment region"))
        self.production = QLabel(self.tr("PRODUCTION"), self)
        self.production.setStyleSheet(_BADGE_CSS % PRODUCTION_COLOUR)
        self.production.setToolTip(
            self.tr("This is a production environment: actions affect real users")
        )
        self.production.setAccessibleName(self.tr("Production environment marker"))
        self.production.hide()
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(self.tr("Environment"))
        self.combo.setToolTip(
            self.tr("The Transmit environment this window works on; sessions are kept apart")
        )
        self.combo.setMinimumContentsLength(12)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 8, 0)
        layout.addWidget(self.badge)
        layout.addWidget(self.production)
        layout.addWidget(self.combo)
        self.combo.activated.connect(self._activated)
        self.show_starting()

    def show_starting(self) -> None:
        self.badge.setText(self.tr("STARTING"))
        self.badge.setStyleSheet(_BADGE_CSS % "#57606a")
        self.badge.setToolTip(self.tr("The environment is being opened"))
        self.combo.setEnabled(False)

    def set_environments(self, names: list[str], current: Environment) -> None:
        """Fills the list (current first if missing) and shows the current one's badge."""
        self.combo.blockSignals(True)
        self.combo.clear()
        for name in names:
            self.combo.addItem(name, name)
        if current.name not in names:
            self.combo.insertItem(0, current.name, current.name)
        self.combo.setCurrentIndex(self.combo.findData(current.name))
        self.combo.blockSignals(False)
        self.combo.setEnabled(True)
        text, colour = REGION_BADGES[current.region.value]
        self.badge.setText(text)
        self.badge.setStyleSheet(_BADGE_CSS % colour)
        self.badge.setToolTip(
            self.tr("{0}: {1}").format(current.name, current.base_url)
            + ("" if not current.production else self.tr(" (production)"))
        )
        self.production.setVisible(current.production)

    def current_name(self) -> str | None:
        data = self.combo.currentData()
        return str(data) if data is not None else None

    def _activated(self, index: int) -> None:
        name = self.combo.itemData(index)
        if name is not None:
            self.chosen.emit(str(name))
