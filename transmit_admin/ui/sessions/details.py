"""`SessionDetailsView`: everything known about one session, and what the app should do now.

Tokens are shown by fingerprint and decoded claims only (the store never has raw tokens).
`load_details` gathers the facts (plain reads, a few ms); the view only lays them out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.core.lifecycle import (
    AccessDecision,
    SessionStatus,
    access_usable_until,
    extend_access_decision,
)
from transmit_admin.core.redact import mask_email, mask_id
from transmit_admin.core.timefmt import describe, relative, span_text, utc_text
from transmit_admin.store.records import SessionEvent, SessionRecord, TokenSeen
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.redaction import mask_text
from transmit_admin.ui.session_marks import (
    SessionMark,
    mark_explanation,
    shown_mark,
    status_text,
)
from transmit_admin.ui.sessions.style import status_color

if TYPE_CHECKING:
    from transmit_admin.store.reader import StoreReader
    from transmit_admin.workspace import Workspaces

ACCESS_KINDS = ("user_access_token",)
MASKED_CLAIMS = {"sub", "tid", "client_id", "app_id", "jti", "sid", "at_hash", "aud"}
EMAIL_CLAIMS = {"email"}
DECISION_TITLES = {
    "continue": "Continue: the access token is still valid",
    "reauthenticate": "Re-authenticate silently with the session id",
    "login": "Log in again",
}


@dataclass(frozen=True)
class SessionDetails:
    record: SessionRecord
    tokens: list[TokenSeen]
    events: list[SessionEvent]
    usable_until: datetime | None
    decision: AccessDecision
    now: datetime


def load_details(store: StoreReader, environment: str, session_id: str) -> SessionDetails | None:
    record = store.get_session(environment, session_id)
    if record is None:
        return None
    now = datetime.now(UTC)
    tokens = list(store.tokens_of(environment, session_id))
    events = list(store.events_of(environment, session_id))
    usable = access_usable_until(
        [t.exp for t in tokens if t.kind in ACCESS_KINDS] + [record.access_expires_at]
    )
    return SessionDetails(record, tokens, events, usable, extend_access_decision(record, now), now)


def _selectable(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    return label


class SessionDetailsView(QWidget):
    FIELDS = (
        ("session_id", "Session id"),
        ("user_id", "User id"),
        ("email", "Email"),
        ("app", "App"),
        ("client_id", "Client id"),
        ("tenant_id", "Tenant"),
        ("status", "Status"),
        ("source", "Source"),
        ("factors", "Factors (amr)"),
        ("created", "Created"),
        ("last_auth", "Last authentication"),
        ("expires", "Session expires"),
        ("last_checked", "Last checked at Transmit"),
        ("ended", "Revoked / ended"),
        ("note", "Note"),
    )

    def __init__(self, workspaces: Workspaces, bus: UiBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionDetails")
        self.workspaces = workspaces
        self.bus = bus
        self.session_id: str | None = None
        self.details: SessionDetails | None = None
        self._mark_shown: SessionMark | None = None
        self.placeholder = QLabel(self.tr("Select a session in the table to see it here."), self)
        self.placeholder.setAccessibleName(self.tr("No session selected"))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = _selectable(self, self.tr("Session"))
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.fields: dict[str, QLabel] = {}
        form_box = QGroupBox(self.tr("Session"), self)
        form = QFormLayout(form_box)
        for key, label in self.FIELDS:
            value = _selectable(form_box, self.tr(label))
            self.fields[key] = value
            form.addRow(self.tr(label), value)
        self.usable = _selectable(self, self.tr("Access usable until"))
        self.usable.setToolTip(
            self.tr("The newest access token seen in this session stays usable until then, even")
            + self.tr(" if the session is revoked")
        )
        decision_box = QGroupBox(self.tr("If the user came back now"), self)
        decision_box.setToolTip(self.tr("What the app's extend-access logic would decide now"))
        self.decision_title = _selectable(decision_box, self.tr("Extend-access decision"))
        # Bold through the font, not a style sheet: a style-sheeted label kept the light
        # palette's black text when the system switched to dark (invisible on dark grey).
        decision_font = self.decision_title.font()
        decision_font.setBold(True)
        self.decision_title.setFont(decision_font)
        self.decision_reason = _selectable(decision_box, self.tr("Reason for the decision"))
        decision_layout = QVBoxLayout(decision_box)
        decision_layout.addWidget(self.usable)
        decision_layout.addWidget(self.decision_title)
        decision_layout.addWidget(self.decision_reason)
        self.tokens = QTreeWidget(self)
        self.tokens.setHeaderLabels([self.tr("Token / claim"), self.tr("Value")])
        self.tokens.setAccessibleName(self.tr("Tokens seen"))
        self.tokens.setToolTip(self.tr("Tokens seen in this session: fingerprints and claims only"))
        self.tokens.setMinimumHeight(120)
        self.events = QTreeWidget(self)
        self.events.setHeaderLabels(
            [self.tr("When"), self.tr("Event"), self.tr("By"), self.tr("Detail")]
        )
        self.events.setRootIsDecorated(False)
        self.events.setAccessibleName(self.tr("Event timeline"))
        self.events.setToolTip(self.tr("What happened to this session, oldest first"))
        self.events.setMinimumHeight(120)

        body = QWidget(self)
        column = QVBoxLayout(body)
        column.addWidget(self.title)
        column.addWidget(decision_box)
        column.addWidget(form_box)
        column.addWidget(QLabel(self.tr("Tokens seen"), body))
        column.addWidget(self.tokens)
        column.addWidget(QLabel(self.tr("Timeline"), body))
        column.addWidget(self.events)
        self.body = body
        scroll = QScrollArea(self)
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName(self.tr("Session details"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(scroll, 1)
        self.scroller = scroll
        scroll.hide()

        bus.session_changed.connect(self._changed)
        bus.sessions_reloaded.connect(self.refresh)
        bus.redaction_changed.connect(lambda _on: self.refresh())
        bus.marks_changed.connect(self._marks_changed)
        bus.environment_changed.connect(self.clear)

    # -- public -----------------------------------------------------------------------------
    def show_session(self, session_id: str) -> None:
        self.session_id = session_id
        self.refresh()

    def clear(self) -> None:
        self.session_id = None
        self.details = None
        self.scroller.hide()
        self.placeholder.show()

    def refresh(self) -> None:
        if self.session_id is None:
            return
        ws = self.workspaces.current
        details = load_details(ws.reader, ws.environment.name, self.session_id)
        if details is None:
            self.clear()
            self.placeholder.setText(self.tr("This session is not tracked in this environment."))
            return
        self.details = details
        self._render(details)
        self.placeholder.hide()
        self.scroller.show()

    def _marks_changed(self) -> None:
        # Cheap unless this session's mark changed (a bulk revoke changes hundreds).
        if self.session_id is not None and self.bus.session_mark(self.session_id) != (
            self._mark_shown
        ):
            self.refresh()

    def _changed(self, session_id: str) -> None:
        if session_id == self.session_id:
            self.refresh()

    # -- rendering --------------------------------------------------------------------------
    def _id(self, value: str | None) -> str:
        if not value:
            return "—"
        return mask_id(value) if self.bus.redaction_enabled() else value

    def _email(self, value: str | None) -> str:
        if not value:
            return "—"
        return mask_email(value) if self.bus.redaction_enabled() else value

    def _when(self, moment: datetime | None, now: datetime) -> str:
        return "—" if moment is None else describe(moment, now)

    def _expires(self, record: SessionRecord, now: datetime) -> str:
        text = self._when(record.expires_at, now)
        if record.status in (SessionStatus.REVOKED, SessionStatus.ENDED):
            # The 14-day deadline no longer applies once Transmit deleted the session.
            return self.tr("{0} · no longer applies: the session is {1}").format(
                text, record.status
            )
        return text

    def _render(self, details: SessionDetails) -> None:
        record, now = details.record, details.now
        who = self._email(record.email) if record.email else self._id(record.user_id)
        self._mark_shown = self.bus.session_mark(record.session_id)
        mark = shown_mark(record.status, self._mark_shown)
        shown_status = status_text(record.status, mark)
        self.title.setText(self.tr("{0} · {1}").format(who, shown_status))
        self.title.setStyleSheet(f"color: {status_color(record.status)};")
        ended = record.revoked_at or record.ended_at
        values = {
            "session_id": self._id(record.session_id),
            "user_id": self._id(record.user_id),
            "email": self._email(record.email),
            "app": " · ".join(
                x for x in (record.app_name, record.app_id and self._id(record.app_id)) if x
            )
            or "—",
            "client_id": self._id(record.client_id),
            "tenant_id": self._id(record.tenant_id),
            "status": shown_status
            if mark is None
            else self.tr("{0} ({1}; stored status: {2})").format(
                shown_status, mark_explanation(mark), record.status
            ),
            "source": record.source,
            "factors": " ".join(record.factors) or "—",
            "created": self._when(record.created_at, now),
            "last_auth": self._when(record.last_auth_at, now),
            "expires": self._expires(record, now),
            "last_checked": self._when(record.last_checked_at, now),
            "ended": self._when(ended, now),
            "note": record.note or "—",
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        if details.usable_until is None:
            self.usable.setText(self.tr("Access usable until: no access token of it was seen"))
        else:
            self.usable.setText(
                self.tr("Access usable until: {0}").format(describe(details.usable_until, now))
            )
        decision = details.decision
        title = self.tr(DECISION_TITLES[decision.action])
        if decision.until is not None and decision.until > now:
            # "until" is a deadline: say how long the decision holds, not "(in 13 d)".
            title += self.tr(" (for another {0})").format(
                span_text((decision.until - now).total_seconds())
            )
        reason = decision.reason
        if mark is not None:
            reason = self.tr("{0} Meanwhile the session is {1}: {2}.").format(
                reason, shown_status, mark_explanation(mark)
            )
        self.decision_title.setText(title)
        self.decision_reason.setText(reason)
        self._render_tokens(details)
        self._render_events(details)

    def _render_tokens(self, details: SessionDetails) -> None:
        self.tokens.clear()
        for token in sorted(details.tokens, key=lambda t: t.seen_at, reverse=True):
            expiry = "" if token.exp is None else f" · exp {relative(token.exp, details.now)}"
            item = QTreeWidgetItem(
                [token.kind, self.tr("sha256 {0}…{1}").format(token.fingerprint[:16], expiry)]
            )
            item.setToolTip(
                1,
                self.tr("Fingerprint {0}\nseen {1}").format(
                    token.fingerprint, utc_text(token.seen_at)
                ),
            )
            for name, value in sorted(token.claims.items()):
                item.addChild(QTreeWidgetItem([name, self._claim(name, value)]))
            self.tokens.addTopLevelItem(item)
        if not details.tokens:
            self.tokens.addTopLevelItem(
                QTreeWidgetItem([self.tr("none"), self.tr("No token of this session was seen")])
            )
        self.tokens.resizeColumnToContents(0)

    def _claim(self, name: str, value: Any) -> str:
        if name in ("exp", "iat", "nbf", "auth_time") and isinstance(value, int | float):
            return f"{value} · {utc_text(value)}"
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        if self.bus.redaction_enabled():
            if name in EMAIL_CLAIMS and isinstance(value, str):
                return mask_email(value)
            if name in MASKED_CLAIMS:
                return mask_id(text)
        return text

    def _render_events(self, details: SessionDetails) -> None:
        self.events.clear()
        for event in details.events:
            detail = mask_text(event.detail) if self.bus.redaction_enabled() else event.detail
            item = QTreeWidgetItem(
                [relative(event.at, details.now), event.kind.value, event.actor, detail]
            )
            item.setToolTip(0, utc_text(event.at))
            item.setToolTip(3, detail)
            self.events.addTopLevelItem(item)
        self.events.resizeColumnToContents(0)
        self.events.resizeColumnToContents(1)
