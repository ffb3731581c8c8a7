"""Strict base64url and strict JSON: one reading per input, or a plain refusal."""

from __future__ import annotations

import pytest

from transmit_admin.core.b64 import Base64Error, b64url_decode_strict, b64url_encode
from transmit_admin.core.strict_json import MAX_DEPTH, JsonRejected, loads_object


@pytest.mark.parametrize("data", [b"", b"f", b"fo", b"foo", b"\xff\xfe\x00", bytes(range(256))])
def test_round_trip(data: bytes) -> None:
    assert b64url_decode_strict(b64url_encode(data)) == data


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Zm9v=", "padding"),
        ("Zg==", "padding"),
        ("Zm 9v", "spaces"),
        ("Zm9v+/", "not base64url"),
        ("Zm9?v", "not base64url"),
        ("Z", "length"),
        ("Zh", "padding bits"),  # "Zg" is the only spelling of b"f"
        ("Zm9", "padding bits"),  # "Zm8" is the only spelling of b"fo"
    ],
)
def test_non_canonical_encodings_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(Base64Error, match=fragment):
        b64url_decode_strict(text)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'{"a": 1, "a": 2}', "twice"),
        (b'{"x": {"a": 1, "a": 1}}', "twice"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": 1e999}', "too large"),
        (b"[1, 2]", "not an object"),
        (b'"text"', "not an object"),
        (b"\xff{}", "UTF-8"),
        (b"{", "not valid JSON"),
        (b'{"a": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}", "nested"),
    ],
)
def test_ambiguous_or_hostile_json_is_refused(data: bytes, fragment: str) -> None:
    with pytest.raises(JsonRejected, match=fragment):
        loads_object(data)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"a": "' + "[" * 500 + '"}'
    assert loads_object(text.encode()) == {"a": "[" * 500}
