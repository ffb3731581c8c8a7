"""What the verifier tells a person about one token: verdict, kind, checks, decoded parts.

The report holds the decoded header and claims (never trusted unless the verdict is `valid`)
and, in memory only, the raw segments so a UI can colour them. `to_json()` never contains the
raw token: only its SHA-256 fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from transmit_admin.core.timefmt import local_text, relative, utc_text


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 (a status word, not a password)
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    UNVERIFIED = "unverified"


class TokenKind(StrEnum):
    USER_ACCESS_TOKEN = "user_access_token"  # noqa: S105
    ID_TOKEN = "id_token"  # noqa: S105
    CLIENT_ACCESS_TOKEN = "client_access_token"  # noqa: S105
    UNKNOWN = "unknown"

    @property
    def display_name(self) -> str:
        return _KIND_TITLES[self]


_KIND_TITLES = {
    TokenKind.USER_ACCESS_TOKEN: "Transmit user access token",
    TokenKind.ID_TOKEN: "Transmit ID token",
    TokenKind.CLIENT_ACCESS_TOKEN: "Transmit client access token",
    TokenKind.UNKNOWN: "token of unknown kind",
}


TIME_CLAIMS = ("exp", "nbf", "iat", "auth_time")


class TimeView(NamedTuple):
    epoch: float
    utc: str
    local: str
    relative: str  # "in 12 min", "3 h ago"

    def to_json(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "utc": self.utc,
            "local": self.local,
            "relative": self.relative,
        }


class Check(NamedTuple):
    """One verdict on one aspect of a token. A NamedTuple: immutable and cheap to build
    (a token gets thirteen of them on the verifier's hot path)."""

    id: str
    status: Status
    message: str
    # Optional short form for the one-sentence reason ("expired 3 h ago"); message otherwise.
    summary: str | None = None

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "status": str(self.status), "message": self.message}


@dataclass(frozen=True, slots=True)
class TokenReport:
    label: str
    fingerprint: str
    verdict: Verdict
    kind: TokenKind
    header: dict[str, Any] | None
    claims: dict[str, Any] | None
    checks: tuple[Check, ...]
    # The raw header, payload and signature segments, for display only. Never serialised.
    segments: tuple[str, ...] = field(default=(), repr=False, compare=False)
    checked_at: float = 0.0  # the "now" the checks used (epoch seconds)

    def times(self) -> dict[str, TimeView]:
        """Each numeric time claim rendered as UTC, local time and relative to `checked_at`."""
        views: dict[str, TimeView] = {}
        for name in TIME_CLAIMS:
            value = (self.claims or {}).get(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            views[name] = TimeView(
                value, utc_text(value), local_text(value), relative(value, self.checked_at)
            )
        return views

    def check(self, check_id: str) -> Check | None:
        for item in self.checks:
            if item.id == check_id:
                return item
        return None

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is Status.FAIL)

    @property
    def warnings(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is Status.WARN)

    @property
    def reason(self) -> str:
        """One sentence a support agent can read out: why the verdict is what it is."""
        if self.verdict is Verdict.INVALID:
            first = self.failures[0] if self.failures else None
            detail = (first.summary or first.message) if first else "a check failed"
            return _sentence(f"Invalid: {detail}")
        if self.verdict is Verdict.UNVERIFIED:
            blocking = self.check("format")
            if blocking is not None and blocking.status is Status.WARN:
                return _sentence(f"Not verified: {blocking.summary or blocking.message}")
            return _sentence("Not verified: no signing key was available to check the signature")
        exp = self.check("exp")
        tail = f", {exp.summary}" if exp is not None and exp.summary else ""
        return _sentence(f"Valid {self.kind.display_name}{tail}")

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "fingerprint": self.fingerprint,
            "verdict": str(self.verdict),
            "kind": str(self.kind),
            "reason": self.reason,
            "header": self.header,
            "claims": self.claims,
            "checks": [c.to_json() for c in self.checks],
            "times": {name: view.to_json() for name, view in self.times().items()},
        }


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
