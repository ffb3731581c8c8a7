"""Team mode's failures, each with one sentence a person can act on."""

from __future__ import annotations


class TeamError(Exception):
    """Base class; `sentence()` is what the CLI prints and the settings page shows."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def sentence(self) -> str:
        return self.message


class TeamUnavailable(TeamError):
    """The server cannot be reached now (down, unreachable, timed out): work goes on locally
    and waits in the outbox."""


class TeamAuthFailed(TeamError):
    """Wrong password, or the role may not log in (removed agent)."""


class TeamRefused(TeamError):
    """Reached and authenticated, but refused: another tenant, an old or newer schema, a
    role that may not do this, TLS that is not verified."""


class SecretInEvent(TeamError):
    """An event headed for the journal carried something shaped like a token or a secret."""
