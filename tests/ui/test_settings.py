"""Settings → Environments: presets, validation, and secrets only in the SecretStore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from transmit_admin.core.environment import Region
from transmit_admin.store.environments import SavedEnvironments
from transmit_admin.store.secrets import SECRETS_FILE_NAME, BackendKind, SecretStore
from transmit_admin.ui.launch import ui_settings
from transmit_admin.ui.settings import EnvironmentsController, EnvironmentsDialog

SECRET = "s3cret-Value-never-on-disk-42"


@pytest.fixture
def settings(qtbot: Any, tmp_path: Path) -> EnvironmentsController:
    dialog = EnvironmentsDialog()
    qtbot.addWidget(dialog)
    controller = EnvironmentsController(
        dialog, tmp_path, SecretStore.in_memory(), passphrase_asker=lambda new: "pass phrase 1"
    )
    dialog.show()
    return controller


def fill(controller: EnvironmentsController, qtbot: Any, name: str, region: Region) -> None:
    form = controller.dialog.form
    form.name.clear()
    qtbot.keyClicks(form.name, name)
    form.region.setCurrentIndex(form.region.findData(str(region)))
    form.client_id.setText("client-abc")
    form.client_secret.setText(SECRET)
    form.tenant_id.setText("tenant-1")


def files_containing(folder: Path, needle: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_region_preset_fills_the_urls(settings: EnvironmentsController) -> None:
    form = settings.dialog.form
    form.region.setCurrentIndex(form.region.findData(str(Region.EU)))
    assert form.base_url.text() == "https://api.eu.transmitsecurity.io"
    assert form.issuer.text() == "https://eu.userid.security"
    assert form.jwks_url.text().endswith("/cis/oidc/jwks")


def test_save_puts_the_secret_in_the_secret_store_and_nowhere_else(
    qtbot: Any, settings: EnvironmentsController, tmp_path: Path
) -> None:
    fill(settings, qtbot, "acme-dev", Region.EU)
    qtbot.mouseClick(settings.dialog.save_button, Qt.MouseButton.LeftButton)

    assert settings.dialog.error.text() == ""
    saved = SavedEnvironments(tmp_path).get("acme-dev")
    assert saved is not None
    assert saved.region is Region.EU
    assert saved.tenant_id == "tenant-1"
    assert settings.secrets.get("acme-dev") == SECRET
    assert settings.dialog.form.client_secret.text() == ""  # not left in the widget
    assert files_containing(tmp_path, SECRET) == []
    qsettings = ui_settings(tmp_path)
    assert all(SECRET not in str(qsettings.value(k)) for k in qsettings.allKeys())
    default = QSettings()
    assert all(SECRET not in str(default.value(k)) for k in default.allKeys())


def test_invalid_form_shows_the_reason_and_saves_nothing(
    qtbot: Any, settings: EnvironmentsController, tmp_path: Path
) -> None:
    fill(settings, qtbot, "bad", Region.CUSTOM)
    settings.dialog.form.base_url.setText("http://api.example.com")
    settings.dialog.form.issuer.setText("https://issuer.example.com")
    qtbot.mouseClick(settings.dialog.save_button, Qt.MouseButton.LeftButton)
    assert "https" in settings.dialog.error.text()
    assert SavedEnvironments(tmp_path).names() == []
    assert settings.secrets.get("bad") is None


def test_without_keyring_it_says_so_and_offers_an_encrypted_file(
    qtbot: Any, settings: EnvironmentsController, tmp_path: Path
) -> None:
    dialog = settings.dialog
    assert "No keyring" in dialog.backend_label.text()
    assert dialog.encrypt_button.isVisible()
    fill(settings, qtbot, "acme-prod", Region.US)
    qtbot.mouseClick(dialog.encrypt_button, Qt.MouseButton.LeftButton)
    assert settings.secrets.kind is BackendKind.ENCRYPTED_FILE
    assert "encrypted file" in dialog.backend_label.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert (tmp_path / SECRETS_FILE_NAME).exists()
    assert files_containing(tmp_path, SECRET) == []  # encrypted, never plaintext
    reopened = SecretStore.encrypted_file(tmp_path / SECRETS_FILE_NAME, "pass phrase 1")
    assert reopened.get("acme-prod") == SECRET


def test_rename_moves_the_secret_and_delete_removes_it(
    qtbot: Any, settings: EnvironmentsController, tmp_path: Path
) -> None:
    fill(settings, qtbot, "old-name", Region.US)
    settings.save()
    form = settings.dialog.form
    form.name.setText("new-name")
    assert settings.save()
    assert SavedEnvironments(tmp_path).names() == ["new-name"]
    assert settings.secrets.get("old-name") is None
    assert settings.secrets.get("new-name") == SECRET

    settings.delete_named("new-name")
    assert SavedEnvironments(tmp_path).names() == []
    assert settings.secrets.get("new-name") is None
