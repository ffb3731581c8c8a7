"""The inventory of a capture: each secret once, with every place it was seen.

Findings come from `finders.find_in_entry`; JWTs go through the verifier the caller injects
(`verify(token) -> TokenReport`, the same one a pasted token meets, with the environment's keys
or the user's), once per distinct token. A `session_id` is tied to the tokens and `sub` of the
same token response, as Transmit ties them (shared/transmit-api.md, "Tokens").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from transmit_admin.core.har.entry import Entry
from transmit_admin.core.har.finders import Finding, SecretKind, find_in_entry
from transmit_admin.core.lifecycle import SESSION_LIFETIME
from transmit_admin.core.report import TokenReport, Verdict
from transmit_admin.core.verify import VerifyPolicy, inspect_token

Verifier = Callable[[str], TokenReport]
MAX_SIGHTINGS = 200  # per item; the count goes on (a cookie sent with every request)

# When one value is found as several kinds (a session id also set as a cookie), the most
# telling kind names it.
_PRECEDENCE = [
    SecretKind.JWT,
    SecretKind.SESSION_ID,
    SecretKind.REFRESH_TOKEN,
    SecretKind.CLIENT_SECRET,
    SecretKind.PASSWORD,
    SecretKind.BASIC_CREDENTIALS,
    SecretKind.OTP,
    SecretKind.CODE,
    SecretKind.OPAQUE_TOKEN,
    SecretKind.COOKIE,
]
# How long a secret of each kind can be of use after it was seen (None: until changed).
_USEFUL_FOR: dict[SecretKind, timedelta | None] = {
    SecretKind.SESSION_ID: SESSION_LIFETIME,
    SecretKind.REFRESH_TOKEN: SESSION_LIFETIME,
    SecretKind.COOKIE: SESSION_LIFETIME,
    SecretKind.OPAQUE_TOKEN: SESSION_LIFETIME,
    SecretKind.CODE: timedelta(hours=1),
    SecretKind.OTP: timedelta(hours=1),
    SecretKind.PASSWORD: None,
    SecretKind.CLIENT_SECRET: None,
    SecretKind.BASIC_CREDENTIALS: None,
}


def fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def unverified(token: str) -> TokenReport:
    """The default verifier: decodes and checks shape and times, no keys (verdict at best
    'unverified')."""
    return inspect_token(token, None, VerifyPolicy(), label="token")


@dataclass(frozen=True, slots=True)
class Sighting:
    entry: int
    started: str  # the entry's startedDateTime as written
    place: str
    request: str  # "POST api.example.com/login": no query, no fragment


@dataclass(slots=True)
class InventoryItem:
    kind: SecretKind
    value: str = field(repr=False)
    fingerprint: str
    names: list[str] = field(default_factory=list)
    sightings: list[Sighting] = field(default_factory=list)
    seen_count: int = 0
    first_seen: datetime | None = None
    report: TokenReport | None = None
    session_id: str | None = field(default=None, repr=False)
    subject: str | None = None
    email: str | None = None
    groups: set[str] = field(default_factory=set, repr=False)

    @property
    def label(self) -> str:
        name = next((n for n in self.names if n), "")
        return f"{self.kind.value} {name}".strip()

    @property
    def verdict(self) -> Verdict | None:
        return self.report.verdict if self.report else None

    @property
    def claims(self) -> dict[str, Any]:
        return (self.report.claims or {}) if self.report else {}

    @property
    def expires_at(self) -> float | None:
        exp = self.claims.get("exp")
        return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None

    def possibly_live(self, now: datetime) -> bool:
        """Could it still be used at `now`? JWTs by `exp`; the others by how long their kind
        lives after it was seen (a session 14 days; a code an hour; a password until changed)."""
        if self.kind is SecretKind.JWT:
            return self.expires_at is None or self.expires_at > now.timestamp()
        span = _USEFUL_FOR.get(self.kind)
        if span is None or self.first_seen is None:
            return True
        return self.first_seen + span > now

    def to_json(self, now: datetime | None = None) -> dict[str, Any]:
        """Everything but the value (a fingerprint stands for it)."""
        data: dict[str, Any] = {
            "kind": self.kind.value,
            "label": self.label,
            "fingerprint": self.fingerprint,
            "names": self.names,
            "seen": self.seen_count,
            "sightings": [
                {"entry": s.entry, "started": s.started, "place": s.place, "request": s.request}
                for s in self.sightings
            ],
            "subject": self.subject,
            "expires_at": self.expires_at,
            "has_session_id": self.session_id is not None,
        }
        if self.report is not None:
            data["verdict"] = self.report.verdict.value
            data["token_kind"] = self.report.kind.value
            data["reason"] = self.report.reason
        if now is not None:
            data["possibly_live"] = self.possibly_live(now)
        return data


@dataclass(frozen=True, slots=True)
class LeakedSession:
    session_id: str = field(repr=False)
    subject: str | None  # the owner's user id, when a token of the same response names it
    email: str | None
    item: InventoryItem


class Inventory:
    """`add(entry)` for each entry, then `finish(verify)`; items in order of first sighting."""

    def __init__(self) -> None:
        self._items: dict[str, InventoryItem] = {}
        self.entries = 0
        self._finished = False

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[InventoryItem]:
        return list(self._items.values())

    def values(self) -> list[str]:
        return list(self._items)

    def get(self, value: str) -> InventoryItem | None:
        return self._items.get(value)

    def add(self, entry: Entry, findings: Iterable[Finding] | None = None) -> None:
        self.entries += 1
        request = f"{entry.method} {entry.host}{entry.path}"
        for finding in find_in_entry(entry) if findings is None else findings:
            self._add(entry, request, finding)

    def _add(self, entry: Entry, request: str, finding: Finding) -> None:
        item = self._items.get(finding.value)
        if item is None:
            item = InventoryItem(finding.kind, finding.value, fingerprint(finding.value))
            item.first_seen = entry.started
            self._items[finding.value] = item
        elif _PRECEDENCE.index(finding.kind) < _PRECEDENCE.index(item.kind):
            item.kind = finding.kind
        if finding.name and finding.name not in item.names and len(item.names) < 10:
            item.names.append(finding.name)
        if finding.group is not None:
            item.groups.add(finding.group)
        sighting = Sighting(entry.index, entry.started_text, finding.place, request)
        if item.sightings and item.sightings[-1] == sighting:
            return
        item.seen_count += 1
        if len(item.sightings) < MAX_SIGHTINGS:
            item.sightings.append(sighting)

    def finish(self, verify: Verifier | None = None) -> Inventory:
        """Verifies each JWT once and ties session ids to the tokens beside them."""
        check = verify or unverified
        by_group: dict[str, list[InventoryItem]] = {}
        for item in self._items.values():
            if item.kind is SecretKind.JWT and item.report is None:
                item.report = check(item.value)
                sub = item.claims.get("sub")
                item.subject = sub if isinstance(sub, str) else None
                email = item.claims.get("email")
                item.email = email if isinstance(email, str) else None
                claimed = item.claims.get("session_id") or item.claims.get("sid")
                if isinstance(claimed, str) and claimed:
                    item.session_id = claimed
            for group in item.groups:
                by_group.setdefault(group, []).append(item)
        for members in by_group.values():
            sessions = [m for m in members if m.kind is SecretKind.SESSION_ID]
            tokens = [m for m in members if m.kind is SecretKind.JWT]
            for session in sessions:
                for token in tokens:
                    token.session_id = token.session_id or session.value
                    session.subject = session.subject or token.subject
                    session.email = session.email or token.email
        self._finished = True
        return self

    def sessions(self) -> list[LeakedSession]:
        """Every session id found, in a token response or a token claim, with its owner."""
        found: dict[str, LeakedSession] = {}
        for item in self._items.values():
            if item.kind is SecretKind.SESSION_ID:
                found[item.value] = LeakedSession(item.value, item.subject, item.email, item)
        for item in self._items.values():
            if item.session_id and item.session_id not in found:
                found[item.session_id] = LeakedSession(
                    item.session_id, item.subject, item.email, item
                )
        return list(found.values())

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for item in self._items.values():
            result[item.kind.value] = result.get(item.kind.value, 0) + 1
        return result

    def live(self, now: datetime) -> list[InventoryItem]:
        return [item for item in self._items.values() if item.possibly_live(now)]
