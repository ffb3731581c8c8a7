"""The verdict's sentence about the tracked session a token belongs to.

A token's own checks say nothing about its session: an access token of a session revoked a
minute ago still verifies ("VALID · expires in 51 min"), and an agent reading only that would
tell the customer the session is fine. So the verdict names the session's state, with the
same words the table and the Session tab use (`session_marks.status_text`).

A session found through the token's `jti` claim, when the token itself does not verify
(`alg: none`, a tampered signature, no keys), proves nothing: anyone can write any `jti`
into a forged token. Such a match is said to be on unverified claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from PySide6.QtCore import QCoreApplication

from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.core.report import TokenReport, Verdict
from transmit_admin.core.timefmt import relative
from transmit_admin.store.records import EventKind, SessionEvent, SessionRecord
from transmit_admin.ui.session_marks import SessionMark, mark_explanation, shown_mark, status_text

MatchedBy = Literal["fingerprint", "jti"]
ENDING_EVENTS = (EventKind.REVOKE_CONFIRMED, EventKind.FOUND_ENDED)


def _tr(text: str) -> str:
    return QCoreApplication.translate("inspector", text)


@dataclass(frozen=True)
class SessionMatch:
    record: SessionRecord
    by: MatchedBy
    verified: bool  # the token verified, or it is the very token recorded (fingerprint)

    @property
    def session_id(self) -> str:
        return self.record.session_id


def match_of(record: SessionRecord, by: MatchedBy, report: TokenReport) -> SessionMatch:
    return SessionMatch(record, by, by == "fingerprint" or report.verdict is Verdict.VALID)


def _clock(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def _who(events: list[SessionEvent], kind: EventKind, actor: str) -> str | None:
    for event in reversed(events):
        if event.kind == kind:
            return _tr("by you") if event.actor == actor else _tr("by {0}").format(event.actor)
    return None


def session_line(
    match: SessionMatch,
    report: TokenReport,
    events: list[SessionEvent],
    mark: SessionMark | None,
    actor: str,
    now: datetime,
) -> str:
    """One or two sentences for under the verdict's reason."""
    record = match.record
    prefix = ""
    if not match.verified:
        prefix = _tr(
            "Matched on unverified claims (jti): this token does not verify, so it proves "
            "nothing about that session. "
        )
    applied = shown_mark(record.status, mark)
    exp = (report.claims or {}).get("exp")
    still_usable = report.verdict is Verdict.VALID and isinstance(exp, int | float)
    if record.status in (SessionStatus.REVOKED, SessionStatus.ENDED):
        ended = record.revoked_at or record.ended_at
        when = _tr(" at {0}").format(_clock(ended)) if ended is not None else ""
        kind = (
            EventKind.REVOKE_CONFIRMED
            if record.status is SessionStatus.REVOKED
            else EventKind.FOUND_ENDED
        )
        who = _who(events, kind, actor)
        verb = _tr("was revoked") if record.status is SessionStatus.REVOKED else _tr("ended")
        text = _tr("Its session {0}{1}").format(verb, when)
        if who:
            text += f" ({who})"
        if still_usable:
            assert isinstance(exp, int | float)
            text += _tr("; this access token stays usable until its exp ({0})").format(
                relative(exp, now.timestamp())
            )
        return prefix + text + "."
    if applied is not None:
        return prefix + _tr("Its session is {0}: {1}.").format(
            status_text(record.status, applied), mark_explanation(applied)
        )
    return prefix + _tr("Its tracked session is {0}.").format(status_text(record.status, None))
