"""Settings → Environments logic: load, fill from region presets, validate, save, delete.

The client secret goes only to the `SecretStore`. Where no keyring exists the dialog says so
and offers an encrypted file (passphrase) or memory for this run; never plaintext.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QInputDialog, QLineEdit, QListWidgetItem, QMessageBox, QWidget

from transmit_admin.core.environment import REGION_PRESETS, Environment, Region
from transmit_admin.store.environments import EnvironmentsFileError, SavedEnvironments
from transmit_admin.store.secrets import SECRETS_FILE_NAME, SecretStore, SecretStoreError
from transmit_admin.ui.environment_controller import PRODUCTION_COLOUR
from transmit_admin.ui.icons import icon
from transmit_admin.ui.settings.connection_check import check_connection
from transmit_admin.ui.settings.dialog import EnvironmentsDialog
from transmit_admin.ui.tasks import TaskRunner

log = logging.getLogger(__name__)
PassphraseAsker = Callable[[bool], str | None]


def ask_passphrase(parent: QWidget, new_file: bool) -> str | None:
    """Asks for the passphrase (twice for a new file); None when the user cancels."""
    tr = parent.tr
    first, ok = QInputDialog.getText(
        parent,
        tr("Encrypted secrets file"),
        tr("Passphrase for the encrypted secrets file:"),
        QLineEdit.EchoMode.Password,
    )
    if not ok or not first:
        return None
    if new_file:
        again, ok = QInputDialog.getText(
            parent,
            tr("Encrypted secrets file"),
            tr("The same passphrase again:"),
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return None
        if again != first:
            QMessageBox.warning(parent, tr("Passphrases differ"), tr("The two entries differ."))
            return None
    return first


class EnvironmentsController(QObject):
    saved = Signal(str)  # environment name
    deleted = Signal(str)
    secrets_replaced = Signal(object)  # the new SecretStore

    def __init__(
        self,
        dialog: EnvironmentsDialog,
        data_dir: Path,
        secrets: SecretStore,
        *,
        passphrase_asker: PassphraseAsker | None = None,
    ) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.data_dir = Path(data_dir)
        self.saved_envs = SavedEnvironments(self.data_dir)
        self.secrets = secrets
        self._ask = passphrase_asker or (lambda new: ask_passphrase(dialog, new))
        self._editing: str | None = None
        form = dialog.form
        form.region.currentIndexChanged.connect(self._region_changed)
        dialog.list.currentItemChanged.connect(self._chosen)
        dialog.new_button.clicked.connect(self.new)
        dialog.delete_button.clicked.connect(self.delete)
        dialog.save_button.clicked.connect(self.save)
        dialog.test_button.clicked.connect(self.test_connection)
        self.runner = TaskRunner(None, self)
        dialog.encrypt_button.clicked.connect(self.use_encrypted_file)
        dialog.memory_button.clicked.connect(self.use_memory)
        self._show_backend()
        self.reload()

    # --- list ------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        dialog = self.dialog
        dialog.list.blockSignals(True)
        dialog.list.clear()
        try:
            envs = self.saved_envs.load_all()
        except EnvironmentsFileError as exc:
            self._error(str(exc))
            envs = []
        for env in envs:
            # Production is marked in the list, not only inside the form.
            text = self.tr("{0} · PRODUCTION").format(env.name) if env.production else env.name
            item = QListWidgetItem(text, dialog.list)
            item.setData(Qt.ItemDataRole.UserRole, env.name)
            tip = f"{REGION_PRESETS[env.region].label} · {env.base_url}"
            if env.production:
                item.setIcon(icon("warn"))
                item.setForeground(QColor(PRODUCTION_COLOUR))
                tip += self.tr(" · production: revoking here logs real users out")
            item.setToolTip(tip)
        dialog.list.blockSignals(False)
        dialog.delete_button.setEnabled(bool(envs))
        names = [env.name for env in envs]
        target = select if select in names else (names[0] if names else None)
        if target is None:
            self.new()
        else:
            dialog.list.setCurrentRow(names.index(target))

    def _chosen(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            return
        env = self.saved_envs.get(str(item.data(Qt.ItemDataRole.UserRole)))
        if env is not None:
            self.load(env)

    def load(self, env: Environment) -> None:
        form = self.dialog.form
        self._editing = env.name
        form.name.setText(env.name)
        form.region.blockSignals(True)
        form.region.setCurrentIndex(form.region.findData(str(env.region)))
        form.region.blockSignals(False)
        form.base_url.setText(env.base_url)
        form.issuer.setText(env.issuer)
        form.jwks_url.setText(env.jwks_url)
        form.client_id.setText(env.client_id)
        form.client_secret.clear()
        form.audiences.setText(", ".join(env.audiences))
        form.tenant_id.setText(env.tenant_id or "")
        form.leeway.setValue(env.leeway)
        form.redirect_uri.setText(env.redirect_uri or "")
        form.production.setChecked(env.production)
        self._secret_note(env.name)
        self._error("")

    def new(self) -> None:
        form = self.dialog.form
        self._editing = None
        self.dialog.list.clearSelection()
        for line in (
            form.name,
            form.client_id,
            form.client_secret,
            form.audiences,
            form.tenant_id,
            form.redirect_uri,
        ):
            line.clear()
        form.leeway.setValue(60)
        form.production.setChecked(False)
        form.region.setCurrentIndex(form.region.findData(str(Region.US)))
        self._region_changed()
        self._secret_note(None)
        self._error("")
        form.name.setFocus()

    def _region_changed(self, *_: object) -> None:
        form = self.dialog.form
        preset = REGION_PRESETS[form.region_value()]
        # A preset only fills what it knows; for custom and sandbox the user types the rest.
        for line, value in (
            (form.base_url, preset.base_url),
            (form.issuer, preset.issuer),
            (form.jwks_url, preset.jwks_url),
        ):
            line.setText(value)

    # --- test connection -------------------------------------------------------------------
    def test_connection(self) -> None:
        """The form's values (saved or not) and the typed secret, else the stored one."""
        dialog = self.dialog
        try:
            env = self.environment_from_form()
        except ValueError as exc:
            self._error(str(exc))
            return
        secret = dialog.form.client_secret.text() or (
            self.secrets.get(self._editing) if self._editing else None
        )
        if not secret:
            dialog.test_result.setText(
                self.tr("Type the client secret first: none is stored for this environment.")
            )
            return
        dialog.test_result.setText(self.tr("Testing the connection…"))
        self.runner.start(
            "test connection",
            check_connection(env, secret),
            busy=[dialog.test_button],
            on_result=dialog.test_result.setText,
            on_error=lambda message: dialog.test_result.setText(
                self.tr("Not connected: {0}").format(message)
            ),
            report=False,
            replace=True,
        )

    # --- save and delete -------------------------------------------------------------------
    def environment_from_form(self) -> Environment:
        form = self.dialog.form
        audiences = tuple(a.strip() for a in form.audiences.text().split(",") if a.strip())
        return Environment(
            name=form.name.text().strip(),
            region=form.region_value(),
            base_url=form.base_url.text().strip(),
            client_id=form.client_id.text().strip(),
            issuer=form.issuer.text().strip(),
            jwks_url=form.jwks_url.text().strip(),
            audiences=audiences,
            tenant_id=form.tenant_id.text().strip() or None,
            leeway=form.leeway.value(),
            redirect_uri=form.redirect_uri.text().strip() or None,
            production=form.production.isChecked(),
        )

    def save(self) -> bool:
        try:
            env = self.environment_from_form()
        except ValueError as exc:
            self._error(str(exc))
            return False
        secret = self.dialog.form.client_secret.text()
        old_name = self._editing
        try:
            if old_name is None and self.saved_envs.get(env.name) is not None:
                self._error(self.tr("An environment named {0} exists already.").format(env.name))
                return False
            if secret:
                self.secrets.set(env.name, secret)
            elif old_name and old_name != env.name:
                moved = self.secrets.get(old_name)
                if moved:
                    self.secrets.set(env.name, moved)
            self.saved_envs.save(env)
            if old_name and old_name != env.name:
                self.saved_envs.delete(old_name)
                self.secrets.delete(old_name)
        except (EnvironmentsFileError, SecretStoreError, OSError) as exc:
            self._error(str(exc))
            return False
        self.dialog.form.client_secret.clear()
        self.reload(select=env.name)
        self.saved.emit(env.name)
        return True

    def delete(self) -> None:
        name = self._editing
        if name is None:
            return
        answer = QMessageBox.question(
            self.dialog,
            self.tr("Delete environment"),
            self.tr(
                "Delete {0} and its stored client secret? Its tracked sessions stay in the store."
            ).format(name),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.delete_named(name)

    def delete_named(self, name: str) -> None:
        try:
            self.saved_envs.delete(name)
            self.secrets.delete(name)
        except (EnvironmentsFileError, SecretStoreError, OSError) as exc:
            self._error(str(exc))
            return
        self.reload()
        self.deleted.emit(name)

    # --- where secrets live ----------------------------------------------------------------
    def use_encrypted_file(self) -> None:
        path = self.data_dir / SECRETS_FILE_NAME
        passphrase = self._ask(not path.exists())
        if not passphrase:
            return
        try:
            store = SecretStore.encrypted_file(path, passphrase)
        except SecretStoreError as exc:
            self._error(str(exc))
            return
        self._replace_store(store)

    def use_memory(self) -> None:
        self._replace_store(SecretStore.in_memory())

    def _replace_store(self, store: SecretStore) -> None:
        # Secrets typed this run move along, so switching never loses one silently.
        try:
            for name in self.saved_envs.names():
                value = self.secrets.get(name)
                if value and not store.get(name):
                    store.set(name, value)
        except (EnvironmentsFileError, SecretStoreError) as exc:
            self._error(str(exc))
            return
        self.secrets = store
        self._show_backend()
        self._secret_note(self._editing)
        self.secrets_replaced.emit(store)

    def _show_backend(self) -> None:
        dialog = self.dialog
        where = self.secrets.backend_description()
        if self.secrets.kind.value == "keyring":
            text = self.tr("Client secrets are kept in {0}.").format(where)
        elif self.secrets.is_persistent:
            text = self.tr("Client secrets are kept in an encrypted file ({0}).").format(
                self.data_dir / SECRETS_FILE_NAME
            )
        else:
            text = self.tr(
                "No keyring was found on this computer, so client secrets are kept for this "
                "run only. Choose an encrypted file protected by a passphrase to keep them."
            )
        dialog.backend_label.setText(text)
        keyring = self.secrets.kind.value == "keyring"
        dialog.encrypt_button.setVisible(not keyring and not self.secrets.is_persistent)
        # From an encrypted file one may go back to keeping secrets for this run only.
        dialog.memory_button.setVisible(not keyring and self.secrets.is_persistent)

    def _secret_note(self, name: str | None) -> None:
        note = self.dialog.form.secret_note
        where = self.secrets.backend_description()
        try:
            stored = bool(name) and bool(self.secrets.get(name or ""))
        except SecretStoreError:
            stored = False
        if stored:
            note.setText(
                self.tr("A secret is stored ({0}); type a new one to replace it.").format(where)
            )
        else:
            note.setText(self.tr("No secret stored yet; it will be kept in: {0}.").format(where))

    def _error(self, message: str) -> None:
        self.dialog.error.setText(message)
