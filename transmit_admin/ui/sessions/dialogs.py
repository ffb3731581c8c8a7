"""The questions the session actions ask: confirmations and small forms. Widgets only.

They are opened with `open()` (window-modal, no nested event loop: a nested `exec()` would
stall the qasync loop that carries the network calls) and report through `accepted`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.ui.icons import icon


class _Form(QDialog):
    def __init__(self, title: str, intro: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.intro.setAccessibleName(self.tr("Explanation"))
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setToolTip(ok_text)
        self.ok_button.setAccessibleName(ok_text)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setToolTip(self.tr("Close without doing anything"))
        cancel.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.first_field: QWidget | None = None

    def _line(self, label: str, tip: str, text: str = "") -> QLineEdit:
        edit = QLineEdit(text, self)
        edit.setToolTip(tip)
        edit.setAccessibleName(label)
        self.form.addRow(label, edit)
        if self.first_field is None:
            self.first_field = edit
        return edit

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The question is the field: without this the first enabled button (Cancel, while
        # "Revoke all" waits for the typed email) had the focus.
        if self.first_field is not None:
            self.first_field.setFocus(Qt.FocusReason.PopupFocusReason)

    def hide_values(self) -> None:
        """While redacting (screen sharing), prefilled emails and ids show as dots until the
        agent edits them."""
        for edit in self.findChildren(QLineEdit):
            if edit.text():
                edit.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)


class ConfirmRevokeDialog(_Form):
    """Before a revoke of two or more sessions anywhere, and of any session in production:
    the count is the question (41 rows selected, most of them off screen)."""

    def __init__(
        self,
        count: int,
        env_name: str,
        parent: QWidget | None = None,
        *,
        users: int = 1,
        production: bool = True,
        left_out: int = 0,
    ) -> None:
        if count == 1:
            title = self.tr("Revoke this session?")
        elif users == 1:
            title = self.tr("Revoke {0} sessions of 1 user?").format(count)
        else:
            title = self.tr("Revoke {0} sessions of {1} users?").format(count, users)
        where = (
            self.tr("in the production environment {0}").format(env_name)
            if production
            else self.tr("in {0}").format(env_name)
        )
        skipped = (
            ""
            if not left_out
            else self.tr(" {0} selected already revoked or ended are left out.").format(left_out)
        )
        super().__init__(
            self.tr("Revoke in production?") if production else title,
            self.tr(
                "{0} ({1}){2} The users must log in again. Access tokens already issued stay "
                "valid until their own expiry (at most one hour): revoking does not cut off a "
                "request that carries one."
            ).format(title, where, skipped),
            self.tr("Revoke") if count == 1 else self.tr("Revoke {0}").format(count),
            parent,
        )
        self.ok_button.setIcon(icon("revoke"))


class ConfirmReauthenticateDialog(_Form):
    """Re-authenticating extends a customer's session by 14 days: never on one stray click."""

    def __init__(self, who: str, until: str, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Re-authenticate this session?"),
            self.tr(
                "This authenticates {0}'s session silently with its session id: Transmit issues "
                "new tokens and extends the session by 14 days (until about {1}). The customer "
                "is not asked."
            ).format(who, until),
            self.tr("Re-authenticate"),
            parent,
        )
        self.ok_button.setIcon(icon("reauth"))


class TypeToConfirmDialog(_Form):
    """Revoke all of a user's sessions: the user's email or id must be typed to confirm."""

    def __init__(
        self,
        expected: str,
        env_name: str,
        parent: QWidget | None = None,
        *,
        shown: str | None = None,
    ) -> None:
        """`shown`: how to name the user on screen (masked while redacting)."""
        name = shown or expected
        super().__init__(
            self.tr("Revoke all of this user's sessions"),
            self.tr(
                "This logs {0} out of every session in {1}, including sessions this app does "
                "not track. Access tokens already issued stay valid until their expiry. Type "
                "the user's email or id to confirm."
            ).format(name, env_name),
            self.tr("Revoke all"),
            parent,
        )
        self.expected = expected
        self.counts = QLabel(self)
        self.counts.setWordWrap(True)
        self.counts.setAccessibleName(self.tr("Sessions it will end"))
        self.counts.setToolTip(self.tr("From the local store, and from Transmit once it answers"))
        self.form.addRow(self.counts)
        self.typed = self._line(
            self.tr("Type to confirm"), self.tr("Type {0} exactly").format(name)
        )
        self.typed.setPlaceholderText(name)
        self.ok_button.setIcon(icon("revoke-user"))
        self.ok_button.setEnabled(False)
        self.typed.textChanged.connect(self._check)

    def _check(self, text: str) -> None:
        self.ok_button.setEnabled(text.strip().casefold() == self.expected.casefold())

    def show_counts(self, tracked: int, at_transmit: str) -> None:
        """`tracked`: active sessions this app tracks for the user; `at_transmit`: what
        Transmit's list said (a count, "asking Transmit…", or why it could not say)."""
        self.counts.setText(
            self.tr("This app tracks {0} active session(s) of this user. Transmit: {1}").format(
                tracked, at_transmit
            )
        )


class MagicLinkDialog(_Form):
    def __init__(
        self, email: str, redirect_uri: str, automatic: bool, parent: QWidget | None = None
    ) -> None:
        how = (
            self.tr("The factor is added as soon as the link is opened (this app's callback).")
            if automatic
            else self.tr(
                "When the user has clicked it, use Complete magic link with the code or the "
                "URL they landed on."
            )
        )
        super().__init__(
            self.tr("Add a magic-link factor"),
            self.tr("Email a sign-in link; signing in with it adds 'eml' to this session. ") + how,
            self.tr("Send link"),
            parent,
        )
        self.email = self._line(self.tr("Email"), self.tr("Where the link is sent"), email)
        self.redirect = QLabel(redirect_uri, self)
        self.redirect.setWordWrap(True)
        self.redirect.setAccessibleName(self.tr("Redirect URI"))
        self.redirect.setToolTip(self.tr("Where the link lands (from the environment)"))
        self.form.addRow(self.tr("Redirect URI"), self.redirect)
        self.ok_button.setIcon(icon("magic-link"))
        self.email.textChanged.connect(lambda t: self.ok_button.setEnabled("@" in t))
        self.ok_button.setEnabled("@" in email)


class CompleteFactorDialog(_Form):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Complete the magic link"),
            self.tr("Paste the code from the link, or the whole URL the user landed on."),
            self.tr("Complete"),
            parent,
        )
        self.code = self._line(
            self.tr("Code or URL"), self.tr("The code, or the redirect URL with ?code=…")
        )
        self.ok_button.setEnabled(False)
        self.code.textChanged.connect(lambda t: self.ok_button.setEnabled(bool(t.strip())))


class UserRefDialog(_Form):
    """Asks for an email or a user id (sync user)."""

    def __init__(self, title: str, intro: str, ok_text: str, prefill: str, parent: QWidget | None):
        super().__init__(title, intro, ok_text, parent)
        self.ref = self._line(
            self.tr("Email or user id"),
            self.tr("The user's email address or Transmit user id"),
            prefill,
        )
        self.ok_button.setEnabled(bool(prefill.strip()))
        self.ref.textChanged.connect(lambda t: self.ok_button.setEnabled(bool(t.strip())))


class NoteDialog(_Form):
    def __init__(self, note: str, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Note"),
            self.tr(
                "A note for colleagues (kept in the local store, searchable). Never paste "
                "tokens or secrets here."
            ),
            self.tr("Save note"),
            parent,
        )
        self.text = QPlainTextEdit(note, self)
        self.text.setToolTip(self.tr("The note; empty clears it"))
        self.text.setAccessibleName(self.tr("Note text"))
        self.text.setTabChangesFocus(True)
        self.form.addRow(self.tr("Note"), self.text)
        self.first_field = self.text
        self.ok_button.setIcon(icon("note"))
