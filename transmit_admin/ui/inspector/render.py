"""Drawing one report into the inspector's widgets: banner, coloured segments, checks."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from transmit_admin.core.claims import explain_header
from transmit_admin.core.report import Status, TokenReport, Verdict
from transmit_admin.ui.icons import icon
from transmit_admin.ui.inspector.claims_model import ClaimRow, build_rows
from transmit_admin.ui.inspector.masking import SIGNATURE_MASK, mask_known_values
from transmit_admin.ui.inspector.session_line import SessionMatch, match_of

if TYPE_CHECKING:
    from transmit_admin.ui.inspector.view import VerdictBanner
    from transmit_admin.workspace import Workspace

STATUS_ICONS = {
    Status.PASS: "valid",
    Status.FAIL: "invalid",
    Status.WARN: "warn",
    Status.SKIP: "skip",
}
VERDICT_ICONS = {
    Verdict.VALID: "valid",
    Verdict.INVALID: "invalid",
    Verdict.UNVERIFIED: "unverified",
}
# (light-theme colour, dark-theme colour)
VERDICT_COLOURS = {
    Verdict.VALID: ("#1a7f37", "#3fb950"),
    Verdict.INVALID: ("#cf222e", "#f85149"),
    Verdict.UNVERIFIED: ("#9a6700", "#d29922"),
}
SEGMENT_COLOURS = (("#b31d28", "#ff7b72"), ("#6f42c1", "#d2a8ff"), ("#0b7285", "#56d4dd"))


def _tr(text: str) -> str:
    return QCoreApplication.translate("inspector", text)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _pick(pair: tuple[str, str], palette: QPalette) -> str:
    return pair[1] if is_dark(palette) else pair[0]


def verdict_title(verdict: Verdict) -> str:
    return {
        Verdict.VALID: _tr("VALID"),
        Verdict.INVALID: _tr("INVALID"),
        Verdict.UNVERIFIED: _tr("UNVERIFIED"),
    }[verdict]


def verdict_icon(report: TokenReport) -> QIcon:
    return icon(VERDICT_ICONS[report.verdict])


def selector_text(report: TokenReport) -> str:
    return f"{report.label} · {verdict_title(report.verdict)} · {report.kind.display_name}"


def fill_banner(banner: VerdictBanner, report: TokenReport, redact: bool) -> None:
    colour = QColor(_pick(VERDICT_COLOURS[report.verdict], banner.palette()))
    title = f"{verdict_title(report.verdict)} · {report.kind.display_name}"
    alg = (report.header or {}).get("alg")
    kid = (report.header or {}).get("kid")
    if alg:
        title += " · " + _tr("signed {0}").format(alg)
        if kid and not redact:
            title += f" (kid {str(kid)[:12]})"
    banner.title.setText(title)
    reason = (
        mask_known_values(report.reason, report.claims, report.header) if redact else report.reason
    )
    banner.reason.setText(reason)
    banner.icon_label.setPixmap(verdict_icon(report).pixmap(28, 28))
    banner.setAccessibleDescription(f"{title}. {reason}")
    background = QColor(colour)
    background.setAlpha(40)
    edge, fill = colour.name(), background.name(QColor.NameFormat.HexArgb)
    banner.setStyleSheet(
        f"#verdictBanner {{ border: 2px solid {edge}; border-radius: 6px; background: {fill}; }}"
        f"#verdictTitle {{ color: {edge}; }}"
    )


def segments_html(report: TokenReport, palette: QPalette, redact: bool) -> str:
    """The token's three parts in three colours; the signature (and payload) masked when asked."""
    segments = list(report.segments)
    if len(segments) != 3:
        return html.escape(_tr("(the token's segments are not available)"))
    if redact:  # base64 is readable to anyone with a decoder: keep only the start visible
        segments[0] = segments[0][:12] + "…"
        segments[1] = segments[1][:12] + "…"
        segments[2] = SIGNATURE_MASK
    names = (_tr("header"), _tr("payload"), _tr("signature"))
    parts = []
    for text, colours, name in zip(segments, SEGMENT_COLOURS, names, strict=True):
        parts.append(
            f'<span style="color:{_pick(colours, palette)}" title="{html.escape(name)}">'
            f"{html.escape(text)}</span>"
        )
    return '<span style="font-weight:600">.</span>'.join(parts)


def fill_checks(widget: QListWidget, report: TokenReport, redact: bool) -> None:
    widget.clear()
    # Failures first, then warnings: what decides the verdict is read before what passed.
    order = {Status.FAIL: 0, Status.WARN: 1, Status.PASS: 2, Status.SKIP: 3}
    for check in sorted(report.checks, key=lambda c: order[c.status]):
        message = (
            mask_known_values(check.message, report.claims, report.header)
            if redact
            else check.message
        )
        item = QListWidgetItem(icon(STATUS_ICONS[check.status]), f"{check.id}: {message}")
        item.setToolTip(f"{check.id} — {check.status}")
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{check.status}: {check.id}: {message}")
        item.setData(Qt.ItemDataRole.UserRole, str(check.status))
        widget.addItem(item)


def claim_rows(claims: dict[str, Any] | None) -> list[ClaimRow]:
    return build_rows(claims)


def header_rows(header: dict[str, Any] | None) -> list[ClaimRow]:
    return build_rows(header, explain_header)


def extraction_note(extraction: Any, count: int) -> str:
    """The status line under the paste area: what was found in the text."""
    if getattr(extraction, "refusal", None):
        return str(extraction.refusal)
    notes = []
    if count == 0:
        notes.append(_tr("No token found in the pasted text."))
    elif count > 1:
        notes.append(_tr("{0} tokens found; choose one in the list below.").format(count))
    for opaque in getattr(extraction, "opaque", ()) or ():
        notes.append(f"{opaque.label}: {opaque.note}")
    if getattr(extraction, "token_response", None) and getattr(extraction, "session_id", None):
        notes.append(_tr("This is a token response with a session id: it can be tracked."))
    return " ".join(notes)


def tracked_session_of(workspace: Workspace, report: TokenReport) -> SessionMatch | None:
    """The tracked session of this environment the token was recorded in: by the token's
    fingerprint (this very token), else by its `jti` claim (see `SessionMatch.verified`)."""
    env_name = workspace.environment.name
    found = workspace.reader.find_session_by_fingerprint(report.fingerprint)
    if found is not None and found.environment != env_name:
        found = None  # a token seen under another environment: never mix them
    if found is not None:
        return match_of(found, "fingerprint", report)
    jti = (report.claims or {}).get("jti")
    if isinstance(jti, str) and jti:
        found = workspace.reader.find_session_by_jti(jti, env_name)
    return None if found is None else match_of(found, "jti", report)
