"""The fields of one environment (layout only)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from transmit_admin.core.environment import REGION_PRESETS, Region


class EnvironmentForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = self._line(self.tr("Name"), self.tr("A short name, e.g. acme-prod"))
        self.region = QComboBox(self)
        for region, preset in REGION_PRESETS.items():
            self.region.addItem(preset.label, str(region))
        self._describe(self.region, self.tr("Region"), self.tr("Fills the URLs below"))
        self.base_url = self._line(
            self.tr("Base URL"), self.tr("https://api.transmitsecurity.io (without /cis)")
        )
        self.issuer = self._line(
            self.tr("Issuer"), self.tr("The iss claim of this tenant's tokens")
        )
        self.jwks_url = self._line(self.tr("JWKS URL"), self.tr("Where the signing keys are"))
        self.client_id = self._line(self.tr("Client ID"), self.tr("The app's client id"))
        self.client_secret = self._line(
            self.tr("Client secret"),
            self.tr("Stored in the secret store, never in settings files; leave empty to keep"),
        )
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.audiences = self._line(
            self.tr("Audience(s)"), self.tr("Expected aud values, separated by commas (optional)")
        )
        self.tenant_id = self._line(
            self.tr("Tenant ID"), self.tr("Your tenant's tid; tokens of other tenants fail")
        )
        self.leeway = QSpinBox(self)
        self.leeway.setRange(0, 3600)
        self.leeway.setSuffix(self.tr(" s"))
        self.leeway.setValue(60)
        self._describe(
            self.leeway, self.tr("Clock leeway"), self.tr("Tolerated clock difference for exp/iat")
        )
        self.redirect_uri = self._line(
            self.tr("Redirect URI"), self.tr("Where magic links land (an allowed redirect URI)")
        )
        self.production = QCheckBox(self.tr("This is a &production environment"), self)
        self._describe(
            self.production,
            self.tr("Production"),
            self.tr("Marks the environment in red and confirms before revoking"),
        )
        self.secret_note = QLabel(self)
        self.secret_note.setWordWrap(True)
        self.secret_note.setAccessibleName(self.tr("Where the secret is kept"))

        form = QFormLayout(self)
        form.addRow(self.tr("Na&me:"), self.name)
        form.addRow(self.tr("&Region:"), self.region)
        form.addRow(self.tr("&Base URL:"), self.base_url)
        form.addRow(self.tr("&Issuer:"), self.issuer)
        form.addRow(self.tr("&JWKS URL:"), self.jwks_url)
        form.addRow(self.tr("&Client ID:"), self.client_id)
        form.addRow(self.tr("Client &secret:"), self.client_secret)
        form.addRow("", self.secret_note)
        form.addRow(self.tr("&Audience(s):"), self.audiences)
        form.addRow(self.tr("&Tenant ID:"), self.tenant_id)
        form.addRow(self.tr("&Leeway:"), self.leeway)
        form.addRow(self.tr("Redirect &URI:"), self.redirect_uri)
        form.addRow("", self.production)

    def _describe(self, widget: QWidget, name: str, tip: str) -> None:
        widget.setAccessibleName(name)
        widget.setToolTip(tip)

    def _line(self, name: str, tip: str) -> QLineEdit:
        line = QLineEdit(self)
        self._describe(line, name, tip)
        line.setPlaceholderText(tip)
        return line

    def region_value(self) -> Region:
        return Region(self.region.currentData())
