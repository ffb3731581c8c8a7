"""The ticket report of a capture: what failed, the tokens' verdicts, the sessions and what was
done to them, in Markdown (to paste into the ticket) or JSON.

Redaction is applied unless the caller turns it off: emails and ids are masked as the window
masks them, and secrets appear only as fingerprint prefixes. The capture's own values are
never in it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from transmit_admin.core.har import InventoryItem, SecretKind
from transmit_admin.core.printable import printable
from transmit_admin.core.redact import mask_text, redact_secrets
from transmit_admin.core.timefmt import utc_text
from transmit_admin.services.har_intake import HarIntake, LeakMatch
from transmit_admin.services.results import REVOKE_WORDS


def _masker(redact: bool) -> Callable[[str | None], str]:
    def show(text: str | None) -> str:
        if not text:
            return ""
        clean = printable(redact_secrets(text))
        return mask_text(clean) if redact else clean

    return show


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _tokens(intake: HarIntake) -> list[InventoryItem]:
    return [i for i in intake.analysis.inventory.items if i.kind is SecretKind.JWT]


def _done(intake: HarIntake, match: LeakMatch) -> str:
    result = intake.revokes.get(match.session_id)
    if result is None:
        return "revoke it" if match.revocable else "nothing to do"
    return f"{REVOKE_WORDS[result.outcome]}: {result.message}"


def report_json(intake: HarIntake, now: datetime, *, redact: bool = True) -> dict[str, Any]:
    show = _masker(redact)
    analysis = intake.analysis
    return {
        "capture": {
            "name": show(intake.name),
            "sha256": intake.fingerprint,
            "entries": analysis.entries,
            "creator": analysis.head.creator,
        },
        "environment": intake.environment.name,
        "problems": [show(p) for p in analysis.timeline.problems],
        "secrets": analysis.inventory.counts(),
        "possibly_live": len(analysis.live(now)),
        "tokens": [
            {
                "fingerprint": item.fingerprint[:16],
                "kind": item.report.kind.value if item.report else None,
                "verdict": item.verdict.value if item.verdict else None,
                "reason": show(item.report.reason) if item.report else None,
                "subject": show(item.subject),
                "expires_at": item.expires_at,
                "possibly_live": item.possibly_live(now),
            }
            for item in _tokens(intake)
        ],
        "sessions": [
            {
                "fingerprint": m.fingerprint[:16],
                "owner": show(m.email or m.user_id),
                "tracked": m.record is not None,
                "status": m.state,
                "note": show(m.note),
                "action": show(_done(intake, m)),
            }
            for m in intake.matches
        ],
    }


def report_markdown(intake: HarIntake, now: datetime, *, redact: bool = True) -> str:
    data = report_json(intake, now, redact=redact)
    capture = data["capture"]
    lines = [
        f"## HAR capture {capture['name']}",
        "",
        f"- {capture['entries']} entries, sha256 `{capture['sha256'][:16]}…`, "
        f"environment {data['environment']}",
        "- secrets found: "
        + (", ".join(f"{k} {n}" for k, n in sorted(data["secrets"].items())) or "none")
        + f"; {data['possibly_live']} may still work",
        "",
        "### What failed",
    ]
    lines += [f"- {p}" for p in data["problems"]] or ["- nothing: no error answer in the capture"]
    lines += ["", "### Tokens", ""]
    if data["tokens"]:
        lines += ["| token | kind | verdict | subject | expires |", "|---|---|---|---|---|"]
        for token in data["tokens"]:
            expires = utc_text(token["expires_at"]) if token["expires_at"] else "-"
            lines.append(
                f"| `{token['fingerprint']}` | {token['kind'] or '-'} | "
                f"{_cell(token['verdict'] or '-')}: {_cell(token['reason'] or '')} | "
                f"{_cell(token['subject']) or '-'} | {expires} |"
            )
    else:
        lines.append("No JWT in the capture.")
    lines += ["", "### Sessions", ""]
    if data["sessions"]:
        lines += ["| session | owner | status | done |", "|---|---|---|---|"]
        for session in data["sessions"]:
            status = session["status"] + (f" ({session['note']})" if session["note"] else "")
            lines.append(
                f"| `{session['fingerprint']}` | {_cell(session['owner']) or 'unknown'} | "
                f"{_cell(status)} | {_cell(session['action'])} |"
            )
    else:
        lines.append("No session id in the capture.")
    return "\n".join(lines) + "\n"
