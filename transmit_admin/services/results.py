"""What a service action answers: a value, never an exception.

`outcome` says what happened (callers decide on it, never on the text); `status` is the
session's status after the action (a `SessionStatus` value) when known; `message` is the
readable sentence the CLI prints as the row's line and the GUI shows in its lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transmit_admin.core.report import TokenReport


class Outcome(StrEnum):
    """What an action did to a session, as a value the CLI and the GUI count and render."""

    REVOKED = "revoked"  # Transmit confirmed the logout (204, or its session list)
    ALREADY_GONE = "already_gone"  # revoked or ended before this action: nothing was sent
    ENDED = "ended"  # Transmit says the session no longer exists
    UNCONFIRMED = "unconfirmed"  # a 2xx that confirms nothing; the session may be alive
    FAILED = "failed"  # the call failed; nothing changed but the trail
    CANCELLED = "cancelled"  # a bulk action stopped before this one was sent
    REFUSED = "refused"  # nothing to act on (not tracked, bad input, tokens refused)
    HELD = "held"  # a teammate holds this session's claim (team mode): nothing was sent
    DONE = "done"  # any other action that did what was asked (checked, noted, extended)


# How a revoke's outcome reads in a list (HAR rows, the ticket report): only a confirmation
# from Transmit reads "revoked"; a session that was gone already says so.
REVOKE_WORDS = {
    Outcome.REVOKED: "revoked",
    Outcome.ALREADY_GONE: "already revoked or ended",
    Outcome.ENDED: "already ended at Transmit",
    Outcome.UNCONFIRMED: "NOT confirmed",
    Outcome.FAILED: "NOT revoked",
    Outcome.CANCELLED: "cancelled",
    Outcome.REFUSED: "NOT revoked",
    Outcome.HELD: "held by a teammate",
    Outcome.DONE: "done",
}


@dataclass(frozen=True)
class ActionResult:
    session_id: str
    ok: bool
    message: str
    status: str | None = None
    outcome: Outcome = Outcome.DONE

    def line(self) -> str:
        """The one line the CLI prints for this session."""
        mark = "ok" if self.ok else "FAILED"
        status = f" [{self.status}]" if self.status else ""
        return f"{self.session_id}: {mark}{status}: {self.message}"


@dataclass(frozen=True)
class TrackResult:
    """Tracking a token response. When refused, `reports` say which token failed and why.

    `outcome`: DONE (tracked, or an already tracked session updated), REFUSED (not a token
    response, or its tokens failed verification), FAILED (the signing keys could not be
    fetched from Transmit, so nothing could be verified)."""

    session_id: str | None
    ok: bool
    message: str
    status: str | None = None
    outcome: Outcome = Outcome.DONE
    reports: tuple[TokenReport, ...] = ()

    def line(self) -> str:
        mark = "ok" if self.ok else "REFUSED"
        return f"{self.session_id or '-'}: {mark}: {self.message}"


@dataclass(frozen=True)
class SyncResult:
    """Reconciling the store with the user's session list at Transmit.

    `outcome`: DONE (reconciled), REFUSED (no user given, or Transmit has no such user),
    FAILED (a call to Transmit failed; the store is unchanged)."""

    user_id: str | None
    ok: bool
    message: str
    outcome: Outcome = Outcome.DONE
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
    outcome: Outcome = Outcome.DONE
    revoked: tuple[str, ...] = ()

    def line(self) -> str:
        mark = "ok" if self.ok else "FAILED"
        return f"{self.user_id or '-'}: {mark}: {self.message}"
