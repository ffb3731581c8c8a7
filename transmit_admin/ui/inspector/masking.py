"""Redaction of decoded token parts for screen sharing: ids, emails, phone numbers.

The core masks single values (`core.redact`); this walks claims and headers and decides which
values are ids. Used for every view and every copy while redaction is on.
"""

from __future__ import annotations

import re
from typing import Any

from transmit_admin.core.redact import mask_email, mask_id, mask_phone

# Claims whose values identify a user, tenant, app, token or session.
ID_CLAIMS = frozenset(
    {
        "sub",
        "jti",
        "tid",
        "client_id",
        "app_id",
        "azp",
        "aud",
        "sid",
        "session_id",
        "org_id",
        "user_id",
        "act",
        "at_hash",
        "c_hash",
        "nonce",
        "kid",
    }
)
EMAIL_CLAIMS = frozenset({"email", "username"})
PHONE_CLAIMS = frozenset({"phone_number"})
NAME_CLAIMS = frozenset({"name", "fname", "lname", "given_name", "family_name"})
_EMAIL = re.compile(r"[^@\s\"']+@[^@\s\"']+\.[^@\s\"']+")
SIGNATURE_MASK = "•" * 12


def _mask_strings(value: Any, masker: Any) -> Any:
    if isinstance(value, str):
        return masker(value)
    if isinstance(value, list):
        return [_mask_strings(v, masker) for v in value]
    if isinstance(value, dict):
        return {k: _mask_strings(v, masker) for k, v in value.items()}
    return value


def mask_free_text(value: Any) -> Any:
    """Emails hidden inside any other string value (custom claims, names)."""
    return _mask_strings(value, lambda s: _EMAIL.sub(lambda m: mask_email(m.group(0)), s))


def mask_value(name: str, value: Any) -> Any:
    if name in ID_CLAIMS:
        return _mask_strings(value, mask_id)
    if name in PHONE_CLAIMS:
        return _mask_strings(value, mask_phone)
    if name in EMAIL_CLAIMS:
        return _mask_strings(value, lambda s: mask_email(s) if "@" in s else mask_id(s))
    if name in NAME_CLAIMS:
        return _mask_strings(value, lambda s: (s[:1] + "…") if s else s)
    if isinstance(value, dict):
        return mask_mapping(value)
    return mask_free_text(value)


def mask_mapping(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {key: mask_value(key, value) for key, value in data.items()}


def mask_known_values(
    text: str, claims: dict[str, Any] | None, header: dict[str, Any] | None
) -> str:
    """`text` (a check message) with this token's ids, emails and phone numbers masked."""
    for source in (claims or {}, header or {}):
        for name, value in source.items():
            if not isinstance(value, str) or len(value) < 4 or value not in text:
                continue
            masked = mask_value(name, value)
            if masked != value:
                text = text.replace(value, str(masked))
    return str(mask_free_text(text))


def mask_report_json(data: dict[str, Any]) -> dict[str, Any]:
    """`TokenReport.to_json()` with claims, header and fingerprint masked."""
    masked = dict(data)
    masked["claims"] = mask_mapping(data.get("claims"))
    masked["header"] = mask_mapping(data.get("header"))
    if isinstance(data.get("fingerprint"), str):
        masked["fingerprint"] = mask_id(data["fingerprint"])
    claims, header = data.get("claims"), data.get("header")
    masked["checks"] = [
        {**c, "message": mask_known_values(c.get("message", ""), claims, header)}
        for c in data.get("checks", [])
    ]
    masked["reason"] = mask_known_values(data.get("reason", ""), claims, header)
    return masked
