"""What a service action answers: one readable sentence per session, never an exception.

The CLI prints `message` as the one line for the row; the GUI shows it in the status column.
`status` is the session's status after the action (a `SessionStatus` value) when known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transmit_admin.core.report import TokenReport


@dataclass(frozen=True)
class ActionResult:
    session_id: str
    ok: bool
    message: str
    status: str | None = None

    def line(self) -> str:
        """The one line the CLI prints for this session."""
        mark = "ok" if self.ok else "FAILED"
        status = f" [{self.status}]" if self.status else ""
        return f"{self.session_id}: {mark}{status}: {self.message}"


@dataclass(frozen=True)
class TrackResult:
    """Tracking a token response. When refused, `reports` say which token failed and why."""

    session_id: str | None
    ok: bool
    message: str
    status: str | None = None
    reports: tuple[TokenReport, ...] = ()

    def line(self) -> str:
        mark = "ok" if self.ok else "REFUSED"
        return f"{self.session_id or '-'}: {mark}: {self.message}"


@dataclass(frozen=True)
class SyncResult:
    """Reconciling the store with the user's session list at Transmit."""

    user_id: str | None
    ok: bool
    message: str
    inserted: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    ended: tuple[str, ...] = ()

    def line(self) -> str:
        mark = "ok" if self.ok else "FAILED"
        return f"{self.user_id or '-'}: {mark}: {self.message}"


@dataclass(frozen=True)
class UserRevokeResult:
    """Logging out all of a user's sessions; `revoked` lists the tracked ones marked revoked."""

    user_id: str | None
    ok: bool
    message: str
    revoked: tuple[str, ...] = ()

    def line(self) -> str:
        mark = "ok" if self.ok else "FAILED"
        return f"{self.user_id or '-'}: {mark}: {self.message}"
