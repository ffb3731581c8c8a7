"""Strict base64url decoding for JWS segments (RFC 7515 §2, RFC 4648 §5 without padding).

Python's `base64.urlsafe_b64decode` accepts padding, silently drops characters outside the
alphabet (in non-validating mode) and ignores non-zero trailing bits. Each of those lets two
different strings decode to the same bytes, so a signature computed over one text would
"verify" a different text. Here exactly one encoding is accepted for every byte string.
"""

from __future__ import annotations

import base64
import binascii
import re

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
_VALUES = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}


class Base64Error(ValueError):
    """The text is not canonical unpadded base64url; the message says why, in plain words."""


def b64url_decode_strict(text: str) -> bytes:
    if _ALPHABET.fullmatch(text) is None:
        if "=" in text:
            raise Base64Error("contains '=' padding, which tokens must not have")
        if any(c.isspace() for c in text):
            raise Base64Error("contains spaces or line breaks")
        raise Base64Error("contains characters that are not base64url (A-Z a-z 0-9 - _)")
    remainder = len(text) % 4
    if remainder == 1:
        raise Base64Error("has a length that no base64url encoding can have")
    # The unused low bits of the last character must be zero, or the text is a second
    # spelling of the same bytes (Wycheproof "ModifiedUnusedBits").
    if remainder == 2 and _VALUES[text[-1]] & 0x0F:
        raise Base64Error("has non-zero padding bits in its last character")
    if remainder == 3 and _VALUES[text[-1]] & 0x03:
        raise Base64Error("has non-zero padding bits in its last character")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:  # unreachable after the checks; keep it safe
        raise Base64Error("could not be decoded") from exc


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
