"""Masking of free text (action results, audit details) while the redaction switch is on.

The service writes sentences such as "tracked: user B0z6Y2NnIa9PVvPnkOli <ann@example.com>";
the table and the details mask their fields one by one, and this masks the same emails and ids
inside those sentences, wherever they are shown (activity panel, audit tab, the line under the
session table). Secrets are removed before this, always (`core.redact.redact_secrets`).
"""

from __future__ import annotations

import re

from transmit_admin.core.redact import mask_email, mask_id

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An identifier: a run of 12+ id characters with at least one letter and one digit (session,
# user, app and client ids, UUIDs); plain words, dates and times never match.
_ID = re.compile(r"(?<![\w@.-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{12,}(?![\w@-])")


# Values of keys that always hold an identifier, whatever they look like: a session id of
# letters only slipped past `_ID` in a pasted token response ("session_id":"9lgd…").
_KEYED = re.compile(
    r"""(?ix)(["']?(?:session_id|sessionid|user_id|userid|sub|sid|jti|client_id|app_id|tid|
    tenant_id|phone_number|phone)["']?\s*[:=]\s*["']?)([^"'\s,;&}\]]+)"""
)


def mask_text(text: str) -> str:
    """`text` with its emails and identifiers masked as the table masks them."""
    masked = _EMAIL.sub(lambda found: mask_email(found.group(0)), text)
    masked = _KEYED.sub(lambda found: found.group(1) + _masked_value(found.group(2)), masked)
    return _ID.sub(lambda found: mask_id(found.group(0)), masked)


def _masked_value(value: str) -> str:
    return value if "•" in value or "…" in value else mask_id(value)
