"""HAR intake, for the CLI and the window: read a capture with the environment's hosts and
keys, tie the sessions it leaked to the store and to Transmit, and revoke the live ones.

The reading is `core.har.analyze_har` in a worker thread (it is CPU work over a file that may
be 200 MB); which hosts are Transmit's comes from the configured environments, never a list.
Liveness is asked without side effects: the owner's session list (never silent
authentication, which would mint tokens and extend the session). A revoke is the console's own
single-session revoke (`SessionService.revoke`), after the session is tracked if it was not;
each leaves an audit row naming the capture by fingerprint. Values of secrets stay in memory:
only fingerprints, names and counts reach the audit log.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from transmit_admin.api.errors import TransmitError
from transmit_admin.core.environment import Environment
from transmit_admin.core.har import (
    HarAnalysis,
    InventoryItem,
    LeakedSession,
    Manifest,
    SecretKind,
    TransmitHosts,
    Verifier,
    analyze_har,
    sanitize_har,
)
from transmit_admin.core.har.inventory import fingerprint
from transmit_admin.core.keys import KeySet
from transmit_admin.core.lifecycle import SESSION_LIFETIME, SessionStatus
from transmit_admin.core.report import TokenKind, TokenReport
from transmit_admin.core.verify import inspect_token
from transmit_admin.services.results import ActionResult
from transmit_admin.services.session_service import SessionService
from transmit_admin.store.records import EventKind, SessionRecord

log = logging.getLogger(__name__)
Opener = Callable[[], BinaryIO]
_RESPONSE_FIELDS = {TokenKind.USER_ACCESS_TOKEN: "access_token", TokenKind.ID_TOKEN: "id_token"}


def _capture_note(intake: HarIntake) -> str:
    return f"leaked in HAR capture {intake.name} (sha256 {intake.fingerprint[:16]})"


class Liveness(StrEnum):
    ALIVE = "alive"  # listed in its owner's sessions at Transmit
    GONE = "gone"  # not listed: logged out, expired or revoked
    CLOSED = "closed"  # the store already knows it revoked or ended
    UNCHECKED = "unchecked"  # the session list could not be read
    NO_OWNER = "no owner"  # nothing in the capture or the store says whose it is


@dataclass(frozen=True)
class LeakMatch:
    """A session id found in the capture, and what is known of it."""

    session_id: str = field(repr=False)
    user_id: str | None
    email: str | None
    record: SessionRecord | None  # the tracked session, when the store knows it
    matched_by: str  # "session id", "token fingerprint", "token jti" or "" (not tracked)
    liveness: Liveness = Liveness.UNCHECKED
    started_at: datetime | None = None
    expires_at: datetime | None = None
    note: str = ""  # why it is unchecked or has no owner, in words

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.session_id)

    @property
    def revocable(self) -> bool:
        """Worth a logout: alive, or unknown with an owner to track it under."""
        return self.user_id is not None and self.liveness in (Liveness.ALIVE, Liveness.UNCHECKED)

    @property
    def state(self) -> str:
        """In one word: the liveness, or the store's final status once closed."""
        if self.liveness is Liveness.CLOSED and self.record is not None:
            return str(self.record.status)
        return str(self.liveness)

    def status_text(self) -> str:
        text = self.state
        if self.record is not None and self.liveness is not Liveness.CLOSED:
            text += f" (tracked, {self.record.status})"
        return text + (f": {self.note}" if self.note else "")


@dataclass
class HarIntake:
    """One capture read for one environment."""

    name: str  # the file's name as the agent chose it; the file itself is never copied
    analysis: HarAnalysis
    environment: Environment
    matches: list[LeakMatch]
    revokes: dict[str, ActionResult] = field(default_factory=dict)  # by session id

    @property
    def fingerprint(self) -> str:
        return self.analysis.fingerprint

    def live(self) -> list[LeakMatch]:
        return [m for m in self.matches if m.revocable]


def capture_verifier(keys: KeySet | None, env: Environment, now: float | None = None) -> Verifier:
    """The verifier a pasted token meets: the environment's keys and policy, never keys the
    token names itself."""
    policy = env.verify_policy()

    def verify(token: str) -> TokenReport:
        return inspect_token(token, keys, policy, now, label="token")

    return verify


def read_capture(
    open_source: Opener,
    *,
    environments: Iterable[Environment],
    verify: Verifier,
    total_bytes: int | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> HarAnalysis:
    """Blocking: the whole analysis in one streamed pass (run it off the GUI thread)."""
    with open_source() as stream:
        return analyze_har(
            stream,
            hosts=TransmitHosts.from_environments(environments),
            verify=verify,
            total_bytes=total_bytes,
            on_progress=on_progress,
            cancelled=cancelled,
        )


class HarIntakeService:
    """Capture → matched sessions → revokes, over one `SessionService` (store, client, env)."""

    def __init__(self, service: SessionService, environments: Sequence[Environment]) -> None:
        self.service = service
        self.store = service.store
        self.env = service.env
        # The current environment's hosts count even if it is not saved (the demo sandbox).
        self.environments = [*environments, self.env]

    async def read(
        self,
        open_source: Opener,
        name: str,
        *,
        keys: KeySet | None,
        owner_email: str | None = None,
        total_bytes: int | None = None,
        on_progress: Callable[[int, int | None], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> HarIntake:
        """Reads the capture in a worker thread, then matches and checks its sessions.

        Raises `HarError` (with a sentence) for a file that is not a readable HAR."""
        analysis = await asyncio.to_thread(
            read_capture,
            open_source,
            environments=self.environments,
            verify=capture_verifier(keys, self.env),
            total_bytes=total_bytes,
            on_progress=on_progress,
            cancelled=cancelled,
        )
        matches = await self.check(self.match(analysis), owner_email=owner_email)
        counts = analysis.inventory.counts()
        self.service.trail.audit(
            "har_inspect",
            f"capture sha256 {analysis.fingerprint}",
            "ok",
            f"{name}: {analysis.entries} entries, {sum(counts.values())} secrets, "
            f"{len(matches)} sessions ({sum(m.revocable for m in matches)} live)",
        )
        return HarIntake(name, analysis, self.env, matches)

    def match(self, analysis: HarAnalysis) -> list[LeakMatch]:
        """Each leaked session with its tracked record: by session id, else by the
        fingerprint or `jti` of a token beside it."""
        return [self._match_one(leak) for leak in analysis.inventory.sessions()]

    def _match_one(self, leak: LeakedSession) -> LeakMatch:
        record = self.store.get_session(self.env.name, leak.session_id)
        how = "session id" if record is not None else ""
        if record is None and leak.item.kind is SecretKind.JWT:
            found = self.store.find_session_by_fingerprint(leak.item.fingerprint)
            if found is not None and found.environment == self.env.name:
                record, how = found, "token fingerprint"
            jti = leak.item.claims.get("jti")
            if record is None and isinstance(jti, str):
                record = self.store.find_session_by_jti(jti, self.env.name)
                how = "token jti" if record is not None else ""
        user_id = leak.subject or (record.user_id if record else None)
        email = leak.email or (record.email if record else None)
        return LeakMatch(leak.session_id, user_id, email, record, how)

    async def check(
        self, matches: Sequence[LeakMatch], *, owner_email: str | None = None
    ) -> list[LeakMatch]:
        """Alive or gone, from the owner's session list (no side effect at Transmit).

        `owner_email` names the owner of sessions nothing else ties to a user."""
        owner_of_email: str | None = None
        if owner_email and any(m.user_id is None for m in matches):
            owner_of_email, problem = await self._user_of(owner_email)
            if owner_of_email is None:
                matches = [
                    m if m.user_id else dataclasses.replace(m, note=problem) for m in matches
                ]
        lists: dict[str, list[tuple[str, datetime, datetime]] | str] = {}
        checked: list[LeakMatch] = []
        for match in matches:
            if match.user_id is None and owner_of_email is not None:
                match = dataclasses.replace(match, user_id=owner_of_email, email=owner_email)
            checked.append(await self._check_one(match, lists))
        return await self._with_emails(checked)

    async def _with_emails(self, matches: list[LeakMatch]) -> list[LeakMatch]:
        """Owners known only by user id get their email, so the agent recognises them (best
        effort: one look-up per user, none for tracked sessions, which have theirs)."""
        emails: dict[str, str | None] = {}
        named = []
        for match in matches:
            if match.user_id is not None and match.email is None and match.record is None:
                if match.user_id not in emails:
                    try:
                        user = await self.service.client.get_user(match.user_id)
                        emails[match.user_id] = user.email
                    except TransmitError as exc:
                        log.info("owner look-up failed: %s", exc.details())
                        emails[match.user_id] = None
                match = dataclasses.replace(match, email=emails[match.user_id])
            named.append(match)
        return named

    async def _user_of(self, email: str) -> tuple[str | None, str]:
        try:
            user = await self.service.client.get_user_by_email(email)
        except TransmitError as exc:
            return None, f"the owner {email!r} was not found: {exc.sentence()}"
        return user.user_id, ""

    async def _check_one(
        self, match: LeakMatch, lists: dict[str, list[tuple[str, datetime, datetime]] | str]
    ) -> LeakMatch:
        record = match.record
        if record is not None and record.status in (SessionStatus.REVOKED, SessionStatus.ENDED):
            return dataclasses.replace(match, liveness=Liveness.CLOSED)
        if match.user_id is None:
            note = match.note or "no owner is known: give the user's email to check it"
            return dataclasses.replace(match, liveness=Liveness.NO_OWNER, note=note)
        if record is not None:
            # The console's own check: it writes the event and marks an ended session.
            result = await self.service.check_alive(record.session_id)
            fresh = self.store.get_session(self.env.name, record.session_id) or record
            if not result.ok:
                return dataclasses.replace(match, record=fresh, note=result.message)
            alive = fresh.status is SessionStatus.ACTIVE
            return dataclasses.replace(
                match,
                record=fresh,
                liveness=Liveness.ALIVE if alive else Liveness.GONE,
                started_at=fresh.created_at,
                expires_at=fresh.expires_at,
            )
        listed = lists.get(match.user_id)
        if listed is None:
            try:
                found = await self.service.client.list_user_sessions(match.user_id)
                listed = [(s.session_id, s.start_time, s.expiration_time) for s in found]
            except TransmitError as exc:
                listed = f"not checked: {exc.sentence()}"
            lists[match.user_id] = listed
        if isinstance(listed, str):
            return dataclasses.replace(match, liveness=Liveness.UNCHECKED, note=listed)
        hit = next((s for s in listed if s[0] == match.session_id), None)
        if hit is None:
            return dataclasses.replace(match, liveness=Liveness.GONE)
        return dataclasses.replace(
            match, liveness=Liveness.ALIVE, started_at=hit[1], expires_at=hit[2]
        )

    async def export(
        self,
        intake: HarIntake,
        open_source: Opener,
        out_path: Path,
        *,
        mask_pii: bool = False,
        on_progress: Callable[[int, int | None], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Manifest:
        """Writes the sanitized copy (mode 0600, checked again before it is renamed into
        place) in a worker thread; raises `SanitizeRefused` when a secret would survive."""
        manifest = await asyncio.to_thread(
            sanitize_har,
            open_source,
            out_path,
            inventory=intake.analysis.inventory,
            mask_pii=mask_pii,
            on_progress=on_progress,
            cancelled=cancelled,
        )
        self.service.trail.audit(
            "har_export",
            f"capture sha256 {intake.fingerprint}",
            "ok",
            f"sanitized copy of {intake.name}: {manifest.entries} entries, "
            f"{sum(manifest.replaced.values())} values replaced"
            + ("; personal data masked" if mask_pii else ""),
        )
        return manifest

    async def revoke(
        self,
        intake: HarIntake,
        matches: Sequence[LeakMatch] | None = None,
        *,
        on_result: Callable[[ActionResult], None] | None = None,
    ) -> list[ActionResult]:
        """Revokes `matches` (default: every live one): tracked first, then the console's
        single-session revoke, then an audit row with the capture's fingerprint."""
        results = []
        for match in intake.live() if matches is None else matches:
            if not match.revocable:
                continue
            result = await self._revoke_one(intake, match)
            intake.revokes[match.session_id] = result
            self._settle(intake, match)
            results.append(result)
            if on_result is not None:
                on_result(result)
        return results

    def _settle(self, intake: HarIntake, match: LeakMatch) -> None:
        """The match as the store now knows it: closed once revoked (or found ended)."""
        record = self.store.get_session(self.env.name, match.session_id)
        if record is None:
            return
        closed = record.status in (SessionStatus.REVOKED, SessionStatus.ENDED)
        settled = dataclasses.replace(
            match,
            record=record,
            matched_by=match.matched_by or "session id",
            liveness=Liveness.CLOSED if closed else match.liveness,
        )
        intake.matches = [settled if m is match else m for m in intake.matches]

    async def _revoke_one(self, intake: HarIntake, match: LeakMatch) -> ActionResult:
        sid = match.session_id
        if self.store.get_session(self.env.name, sid) is None:
            response = self._response_of(intake, sid)
            if response is not None and (await self.service.track_token_response(response)).ok:
                self._note_capture(intake, sid)
            else:  # no verifiable tokens beside it: tracked from what the session list said
                self._track(intake, match)
        result = await self.service.revoke(sid)
        self.service.trail.audit(
            "har_revoke",
            sid,
            "ok" if result.ok else "failed",
            f"found in capture {intake.name} (sha256 {intake.fingerprint}); {result.message}",
        )
        return result

    @staticmethod
    def _response_of(intake: HarIntake, session_id: str) -> dict[str, object] | None:
        """The session's newest tokens from the capture, as a token response (in memory
        only), so that it is tracked as the console tracks a pasted one: verified, with its
        app, factors and email, tokens kept by fingerprint."""
        newest: dict[str, InventoryItem] = {}
        for item in intake.analysis.inventory.items:
            if item.kind is not SecretKind.JWT or item.session_id != session_id:
                continue
            kind = item.report.kind if item.report is not None else None
            name = _RESPONSE_FIELDS.get(kind) if kind is not None else None
            if name is None:
                continue
            held = newest.get(name)
            if held is None or (item.expires_at or 0) > (held.expires_at or 0):
                newest[name] = item
        if "access_token" not in newest:
            return None
        return {**{k: v.value for k, v in newest.items()}, "session_id": session_id}

    def _note_capture(self, intake: HarIntake, session_id: str) -> None:
        record = self.store.get_session(self.env.name, session_id)
        if record is not None:  # tracked just now, from this capture's own tokens
            self.store.upsert_session(
                dataclasses.replace(record, source="har", note=record.note or _capture_note(intake))
            )

    def _track(self, intake: HarIntake, match: LeakMatch) -> None:
        assert match.user_id is not None  # `revocable` requires an owner
        now = datetime.now(UTC)
        started = match.started_at or now
        record = SessionRecord(
            environment=self.env.name,
            session_id=match.session_id,
            user_id=match.user_id,
            created_at=started,
            expires_at=match.expires_at or started + SESSION_LIFETIME,
            last_auth_at=started,
            source="har",
            email=match.email,
            last_checked_at=now,
            note=_capture_note(intake),
        )
        with self.store.writing():
            self.store.upsert_session(record)
            self.service.trail.event(
                record,
                EventKind.CREATED,
                f"tracked from a HAR capture (sha256 {intake.fingerprint[:16]}) to revoke it",
            )
