"""The HAR tab's text, cell by cell: what a capture's analysis shows, with the window's
redaction applied. No Qt here, so the masking is tested without widgets.

Values of secrets are never shown (a fingerprint prefix stands for each); while redaction is
on, emails, user ids, session ids and ids inside free text are masked as the session table
masks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from transmit_admin.core.har import InventoryItem, SecretKind, Step
from transmit_admin.core.printable import printable
from transmit_admin.core.redact import mask_email, mask_id, mask_text, redact_secrets
from transmit_admin.core.timefmt import relative, utc_text
from transmit_admin.services.har_intake import HarIntake, LeakMatch
from transmit_admin.services.results import REVOKE_WORDS

SECRET_COLUMNS = ("Kind", "Name", "Verdict", "Subject", "Expires", "Seen", "First seen", "Hash")
TIMELINE_COLUMNS = ("#", "Time", "Party", "Request", "Status", "Problem", "Secrets")
SESSION_COLUMNS = ("Owner", "Status", "Session", "Tracked", "Expires", "Done")


class Masks:
    """The masking of one rendering: identity while redaction is off."""

    def __init__(self, redact: bool) -> None:
        self.redact = redact

    def text(self, value: str | None) -> str:
        clean = printable(redact_secrets(value or ""))
        return mask_text(clean) if self.redact else clean

    def ident(self, value: str | None) -> str:
        if not value:
            return ""
        return mask_id(value) if self.redact else printable(value)

    def owner(self, email: str | None, user_id: str | None) -> str:
        if email:
            return mask_email(email) if self.redact else printable(email)
        return self.ident(user_id)


def _expiry(epoch: float | None, now: datetime) -> str:
    return f"{relative(epoch, now)} ({utc_text(epoch)})" if epoch else ""


def secret_row(item: InventoryItem, now: datetime, masks: Masks) -> list[str]:
    first = item.sightings[0] if item.sightings else None
    verdict = (
        item.verdict.value
        if item.verdict
        else ("may still work" if item.possibly_live(now) else "stale")
    )
    if item.report is not None and item.verdict is not None and item.verdict.value != "valid":
        verdict += f": {masks.text(item.report.reason)}"
    return [
        item.kind.value,
        masks.text(", ".join(item.names)),
        verdict,
        masks.owner(item.email, item.subject),
        _expiry(item.expires_at, now),
        str(item.seen_count),
        f"entry {first.entry + 1}, {masks.text(first.place)} ({masks.text(first.request)})"
        if first
        else "",
        item.fingerprint[:12],
    ]


def sightings_tip(item: InventoryItem, masks: Masks, limit: int = 12) -> str:
    """Where the secret was seen: entry, time, place and request, one line each."""
    lines = [
        f"entry {s.entry + 1}, {s.started[11:23]}: {masks.text(s.place)} ({masks.text(s.request)})"
        for s in item.sightings[:limit]
    ]
    more = item.seen_count - len(lines)
    if more > 0:
        lines.append(f"… and {more} more")
    if item.kind is SecretKind.JWT:
        lines.append("Double-click to open it in the Token tab.")
    return "\n".join(lines)


def step_row(step: Step, masks: Masks) -> list[str]:
    where = masks.text(step.where) + (
        f" → {masks.text(step.redirect_to)}" if step.redirect_to else ""
    )
    return [
        str(step.entry + 1),
        step.started_text[11:23],
        step.party.value,
        f"{step.method} {where}",
        "no response" if step.status is None else str(step.status),
        masks.text(step.problem),
        ", ".join(step.secrets),
    ]


def session_row(intake: HarIntake, match: LeakMatch, masks: Masks) -> list[str]:
    result = intake.revokes.get(match.session_id)
    done = ""
    if result is not None:
        done = f"{REVOKE_WORDS[result.outcome]}: {masks.text(result.message)}"
    expires = relative(match.expires_at) if match.expires_at else ""
    tracked = f"yes ({match.matched_by})" if match.record is not None else "no"
    status = match.state + (f": {masks.text(match.note)}" if match.note else "")
    return [
        masks.owner(match.email, match.user_id) or "unknown",
        status,
        masks.ident(match.session_id),
        tracked,
        expires,
        done,
    ]


def summary(intake: HarIntake, now: datetime, masks: Masks) -> str:
    analysis = intake.analysis
    who = analysis.head.browser or analysis.head.creator or "an unknown tool"
    live_secrets = len(analysis.live(now))
    live_sessions = len(intake.live())
    parts = [
        f"{masks.text(intake.name)}: {analysis.entries} entries from {printable(who)}",
        f"{len(analysis.inventory)} secrets ({live_secrets} may still work)",
        f"{len(intake.matches)} sessions ({live_sessions} live)",
    ]
    text = " · ".join(parts)
    if analysis.timeline.failure:
        text += f"\nThe flow failed at: {masks.text(analysis.timeline.failure)}"
    return text


@dataclass(frozen=True, slots=True)
class Rendered:
    """Every cell of the tab for one capture and one redaction mode."""

    secrets: list[list[str]]
    secret_tips: list[str]
    timeline: list[list[str]]
    failed_steps: set[int]
    sessions: list[list[str]]
    live_sessions: set[int]
    summary: str


def render_all(intake: HarIntake, now: datetime, redact: bool) -> Rendered:
    """Pure and thread-safe over a capture no one changes meanwhile (a large one is rendered
    in a worker thread: 1,857 secrets took 120 ms)."""
    masks = Masks(redact)
    steps = intake.analysis.timeline.steps
    matches = list(intake.matches)
    items = intake.analysis.inventory.items
    return Rendered(
        [secret_row(item, now, masks) for item in items],
        [sightings_tip(item, masks) for item in items],
        [step_row(step, masks) for step in steps],
        {n for n, step in enumerate(steps) if step.problem},
        [session_row(intake, m, masks) for m in matches],
        {n for n, m in enumerate(matches) if m.revocable},
        summary(intake, now, masks),
    )
