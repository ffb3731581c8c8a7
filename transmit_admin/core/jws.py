"""Splitting and decoding a compact JWS, with the `format` check's verdict.

Nothing here trusts the token: it only turns text into header bytes, claims and signature
bytes, refusing anything that has more than one reading (see b64.py and strict_json.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transmit_admin.core.b64 import Base64Error, b64url_decode_strict
from transmit_admin.core.report import Check, Status
from transmit_admin.core.strict_json import JsonRejected, loads_object

MAX_TOKEN_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class ParsedToken:
    format: Check
    segments: tuple[str, ...] = ()
    header: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None
    claims_problem: str | None = None  # why the payload is not a usable JSON object
    signing_input: bytes = b""
    signature: bytes = b""
    encrypted: bool = False

    @property
    def readable(self) -> bool:
        return self.format.status is Status.PASS


def _fail(message: str, summary: str | None = None, **parts: Any) -> ParsedToken:
    return ParsedToken(Check("format", Status.FAIL, message, summary), **parts)


def parse_compact(token: str) -> ParsedToken:
    size = len(token.encode("utf-8", "surrogatepass")) if len(token) * 4 > MAX_TOKEN_BYTES else 0
    if size > MAX_TOKEN_BYTES:
        return _fail(
            f"The token is too large ({size // 1024} KiB; the limit is "
            f"{MAX_TOKEN_BYTES // 1024} KiB), so it was not decoded.",
            "the token is too large to be a real token",
        )
    stripped = token.lstrip()
    if stripped.startswith("{"):
        return _fail(
            "This is a JSON-serialized JWS. Only the compact form (three base64url parts "
            "separated by dots) is supported; JSON serialization is rejected.",
            "it is a JSON-serialized JWS, which is not supported",
        )
    segments = tuple(token.split("."))
    if len(segments) == 5:
        return ParsedToken(
            Check(
                "format",
                Status.WARN,
                "This is an encrypted token (JWE, five parts). Its contents can only be read "
                "with the application's private decryption key, so it was not decoded.",
                "it is an encrypted token (JWE), which this tool cannot decrypt",
            ),
            segments=segments,
            encrypted=True,
        )
    if len(segments) != 3:
        return _fail(
            f"The token has {len(segments)} part(s); a signed token has exactly three "
            "(header, payload, signature) separated by dots. It may be truncated.",
            "the token is incomplete or damaged (wrong number of parts)",
            segments=segments,
        )
    header_text, payload_text, signature_text = segments
    if not header_text:
        return _fail("The header part is empty.", "the token has no header", segments=segments)
    try:
        header = loads_object(b64url_decode_strict(header_text))
    except Base64Error as exc:
        return _fail(
            f"The header part {exc}.", "the token is damaged (bad base64)", segments=segments
        )
    except JsonRejected as exc:
        return _fail(f"The header {exc}.", "the token's header is not valid", segments=segments)
    try:
        signature = b64url_decode_strict(signature_text)
    except Base64Error as exc:
        return _fail(
            f"The signature part {exc}.",
            "the token is damaged (bad base64)",
            segments=segments,
            header=header,
        )
    try:
        payload = b64url_decode_strict(payload_text)
    except Base64Error as exc:
        return _fail(
            f"The payload part {exc}.",
            "the token is damaged (bad base64)",
            segments=segments,
            header=header,
        )
    claims: dict[str, Any] | None = None
    problem: str | None = None
    try:
        claims = loads_object(payload)
    except JsonRejected as exc:
        problem = f"The payload {exc}."
    return ParsedToken(
        Check("format", Status.PASS, "Three base64url parts with a JSON object header."),
        segments=segments,
        header=header,
        claims=claims,
        claims_problem=problem,
        signing_input=f"{header_text}.{payload_text}".encode("ascii"),
        signature=signature,
    )
