"""Finding tokens in whatever a support agent pastes.

Accepted shapes: a bare compact JWT, `Bearer …`, a whole `Authorization:` header line, a JSON
token response, a URL carrying tokens in its query or fragment, any of these wrapped in
quotes, whitespace or line breaks. Nothing is fetched or evaluated because of what the text
says; the text is only searched.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from transmit_admin.core.jws import MAX_TOKEN_BYTES as MAX_TOKEN_BYTES  # part of this API
from transmit_admin.core.strict_json import JsonRejected, loads_value

MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_TOKENS = 1000

OPAQUE_REFRESH_ADVICE = (
    "Refresh tokens are opaque: they cannot be decoded or verified here. Only Transmit can "
    "tell whether one is still valid (it lives as long as its session, at most 14 days)."
)
NOTHING_FOUND_ADVICE = (
    "No token found in the text. Paste a token (three base64url parts separated by dots), an "
    "Authorization header, a URL that carries a token, or a JSON token response."
)

# Runs of base64url characters and dots that start like a JSON header (`{` encodes as `e`
# followed by one of w-z 0-9 - _): JWS/JWE candidates. Possessive, so the scan stays linear.
_RUN = re.compile(
    r"(?<![A-Za-z0-9_\-.])e[w-z0-9_\-][A-Za-z0-9_\-]*+\.[A-Za-z0-9_\-]*+\.[A-Za-z0-9_\-.]*+"
)
# Public for the HAR finder (core/har/finders.py), which searches every string of a capture.
JWT_CANDIDATE = _RUN
_WHITESPACE = re.compile(r"\s")
_LABEL_BEFORE = re.compile(
    r"(?i)(bearer|access_token|id_token|refresh_token|token|jwt)[\"'`]?\s*[:=]?\s*[\"'`]?\s*$"
)
# What follows a field name (`refresh_token=`, `"session_id": "`) up to its value.
_FIELD_VALUE = re.compile(r"[\"']?\s*[:=]\s*[\"']?([^\"'&\s,}#]+)")
_WRAPPING = re.compile(r"(?i)^\s*(authorization\s*:\s*)?(bearer\s+)?")


@dataclass(frozen=True, slots=True)
class FoundToken:
    label: str
    value: str = field(repr=False)  # the raw token: in memory only, never logged or stored


@dataclass(frozen=True, slots=True)
class OpaqueToken:
    label: str
    note: str


@dataclass(frozen=True, slots=True)
class Extraction:
    tokens: list[FoundToken]
    session_id: str | None = None
    opaque: list[OpaqueToken] = field(default_factory=list)
    # The pasted JSON token response, in memory only (it holds raw tokens).
    token_response: dict[str, Any] | None = field(default=None, repr=False)
    refusal: str | None = None
    notes: list[str] = field(default_factory=list)


def input_too_large(text: str) -> bool:
    if len(text) > MAX_INPUT_BYTES:
        return True
    # Only count bytes when the character count alone cannot rule it out.
    return (
        len(text) * 4 > MAX_INPUT_BYTES
        and len(text.encode("utf-8", "surrogatepass")) > MAX_INPUT_BYTES
    )


def extract_tokens(text: str) -> Extraction:
    if input_too_large(text):
        return Extraction(
            [],
            refusal=f"The input is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB and was "
            "not read. Paste only the token or the response that carries it.",
        )
    stripped = text.strip().strip("\"'`").strip()
    if stripped.startswith("{"):
        from_json = _from_json(stripped)
        if from_json is not None:
            return from_json
    return _from_free_text(text, stripped)


def _from_json(stripped: str) -> Extraction | None:
    try:
        data = loads_value(stripped.encode("utf-8", "surrogatepass"))
    except JsonRejected:
        return None  # not clean JSON: fall back to searching it as text
    if not isinstance(data, dict):
        return None
    if "payload" in data and ("signature" in data or "signatures" in data):
        # Handed to the verifier whole, whose format check explains that JSON
        # serialization is not supported.
        return Extraction([FoundToken("JSON-serialized JWS", stripped)])
    tokens: list[FoundToken] = []
    opaque: list[OpaqueToken] = []
    for name in ("access_token", "id_token"):
        value = data.get(name)
        if isinstance(value, str) and value:
            tokens.append(FoundToken(name, value.strip()))
    refresh = data.get("refresh_token")
    if isinstance(refresh, str) and refresh:
        opaque.append(OpaqueToken("refresh_token", OPAQUE_REFRESH_ADVICE))
    session = data.get("session_id")
    session_id = session if isinstance(session, str) and session else None
    if not tokens and not opaque and session_id is None:
        return None
    return Extraction(tokens, session_id, opaque, data)


def _looks_like_jose_header(segment: str) -> bool:
    """The first segment decodes to text starting with `{` (after optional whitespace)."""
    head = segment[:8]
    head = head[: len(head) - len(head) % 4]
    if len(head) < 4:
        return False
    try:
        decoded = base64.urlsafe_b64decode(head)
    except (binascii.Error, ValueError):
        return False
    return decoded.lstrip(b" \t\r\n").startswith(b"{")


def looks_like_jose_header(segment: str) -> bool:
    return _looks_like_jose_header(segment)


def _label_for(text: str, start: int, used: dict[str, int]) -> str:
    match = _LABEL_BEFORE.search(text[max(0, start - 40) : start])
    word = match.group(1).lower() if match else "token"
    base = {"bearer": "Bearer token", "jwt": "token"}.get(word, word)
    used[base] = used.get(base, 0) + 1
    return base if used[base] == 1 else f"{base} {used[base]}"


def _from_free_text(text: str, stripped: str) -> Extraction:
    tokens: list[FoundToken] = []
    seen: set[str] = set()
    used_labels: dict[str, int] = {}
    notes: list[str] = []
    for match in _RUN.finditer(text):
        value = match.group()
        if value.count(".") == 3 and value.endswith("."):
            value = value[:-1]  # a sentence's full stop after a token
        if value.count(".") not in (2, 4) or not _looks_like_jose_header(value):
            continue
        if value in seen:
            continue
        if len(tokens) == MAX_TOKENS:
            notes.append(f"Only the first {MAX_TOKENS} tokens were read.")
            break
        seen.add(value)
        tokens.append(FoundToken(_label_for(text, match.start(), used_labels), value))
    lowered = text.lower()
    has_refresh = _field_value(text, lowered, "refresh_token") is not None
    opaque = [OpaqueToken("refresh_token", OPAQUE_REFRESH_ADVICE)] if has_refresh else []
    session_id = _field_value(text, lowered, "session_id")
    if not tokens and not opaque:
        wrapping = _WRAPPING.match(stripped)
        single = stripped[wrapping.end() if wrapping else 0 :].strip().strip("\"'`")
        # One word that tries to be a token (dots, or the `ey` of a JSON header): report on
        # it, so the user learns what is wrong with it instead of "nothing found".
        if (
            single
            and _WHITESPACE.search(single) is None
            and ("." in single or single.startswith("ey"))
        ):
            label = (
                "Bearer token"
                if re.match(r"(?i)\s*(authorization\s*:\s*)?bearer\s", stripped)
                else "token"
            )
            return Extraction([FoundToken(label, single)], session_id)
        return Extraction([], session_id, refusal=NOTHING_FOUND_ADVICE)
    return Extraction(tokens, session_id, opaque, notes=notes)


def _field_value(text: str, lowered: str, name: str) -> str | None:
    """The value after `name=` / `"name": ` anywhere in the text (substring search first:
    a case-insensitive regex search is slow on megabytes)."""
    position = lowered.find(name)
    while position != -1:
        match = _FIELD_VALUE.match(text, position + len(name))
        if match:
            return match.group(1)
        position = lowered.find(name, position + 1)
    return None
