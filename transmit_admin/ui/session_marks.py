"""Where a logout stands, beyond the stored status: "revoking…" and "unconfirmed".

A session whose logout was sent and not yet answered, or answered with a 2xx that confirmed
nothing, is still `active` in the store: that is the truth Transmit has confirmed. Showing
plain "active" then misleads (the agent just pressed Revoke); showing "revoked" would lie.
Every view that shows a session's status (table row, Session tab, token verdict) renders it
through `status_text`, so the three always say the same words.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QCoreApplication

from transmit_admin.core.lifecycle import SessionStatus


class SessionMark(StrEnum):
    REVOKING = "revoking…"
    UNCONFIRMED = "unconfirmed"


# The store's last revoke-state event kind (store.changes.REVOKE_STATE_KINDS) → the mark.
MARK_OF_EVENT = {
    "revoke_requested": SessionMark.REVOKING,
    "revoke_unconfirmed": SessionMark.UNCONFIRMED,
}

FINAL = (SessionStatus.REVOKED, SessionStatus.ENDED)


def _tr(text: str) -> str:
    return QCoreApplication.translate("session_marks", text)


def shown_mark(status: SessionStatus | str, mark: SessionMark | None) -> SessionMark | None:
    """The mark that applies: none once the session is revoked or ended (settled)."""
    return None if mark is None or SessionStatus(status) in FINAL else mark


def status_text(status: SessionStatus | str, mark: SessionMark | None) -> str:
    """The status word every view shows: the mark when one applies, else the status."""
    applied = shown_mark(status, mark)
    return _tr(str(applied)) if applied is not None else _tr(str(SessionStatus(status)))


def mark_explanation(mark: SessionMark) -> str:
    if mark is SessionMark.REVOKING:
        return _tr("the logout was sent to Transmit and has not been answered yet")
    return _tr(
        "the logout got an answer that confirms nothing: the session may still be alive "
        "(Check alive, or revoke again)"
    )
