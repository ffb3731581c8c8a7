"""Finding tokens in pasted text: every shape a support agent meets."""

from __future__ import annotations

import json

import pytest

from tests.core.jwt_factory import good_token, id_claims
from transmit_admin.core.extract import MAX_INPUT_BYTES, extract_tokens, input_too_large

TOKEN = good_token()


def _values(text: str) -> list[tuple[str, str]]:
    return [(t.label, t.value) for t in extract_tokens(text).tokens]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (TOKEN, "token"),
        (f"  \n\t{TOKEN}\r\n", "token"),
        (f'"{TOKEN}"', "token"),
        (f"'{TOKEN}'", "token"),
        (f"Bearer {TOKEN}", "Bearer token"),
        (f"Authorization: Bearer {TOKEN}", "Bearer token"),
        (f"curl -H 'authorization: bearer {TOKEN}' https://api", "Bearer token"),
        (f"https://app.example/cb?id_token={TOKEN}&state=x", "id_token"),
        (f"https://app.example/cb#access_token={TOKEN}&token_type=Bearer", "access_token"),
        (f"The token was {TOKEN}. Please check.", "token"),
    ],
)
def test_one_token_in_many_wrappings(text: str, label: str) -> None:
    assert _values(text) == [(label, TOKEN)]


def test_a_token_response_yields_both_tokens_the_opaque_refresh_token_and_the_session() -> None:
    id_token = good_token(id_claims())
    response = {
        "access_token": TOKEN,
        "id_token": id_token,
        "refresh_token": "opaque-refresh-value",
        "token_type": "Bearer",
        "expires_in": 3600,
        "session_id": "sess-1",
    }
    extraction = extract_tokens(json.dumps(response, indent=2))
    assert [(t.label, t.value) for t in extraction.tokens] == [
        ("access_token", TOKEN),
        ("id_token", id_token),
    ]
    assert extraction.session_id == "sess-1"
    assert [o.label for o in extraction.opaque] == ["refresh_token"]
    assert "opaque" in extraction.opaque[0].note
    assert "opaque-refresh-value" not in repr(extraction)
    assert extraction.token_response is not None
    assert extraction.refusal is None


def test_a_broken_json_response_is_still_searched_as_text() -> None:
    text = f'{{"access_token": "{TOKEN}", "refresh_token": "r1", "session_id": "s-9",'
    extraction = extract_tokens(text)
    assert [t.label for t in extraction.tokens] == ["access_token"]
    assert extraction.session_id == "s-9"
    assert extraction.opaque


def test_several_tokens_keep_input_order_and_duplicates_are_dropped() -> None:
    other = good_token(id_claims())
    text = f"first {TOKEN}\nsecond {other}\nagain {TOKEN}"
    assert [v for _, v in _values(text)] == [TOKEN, other]
    assert [label for label, _ in _values(text)] == ["token", "token 2"]


def test_a_lone_refresh_token_is_reported_as_opaque() -> None:
    extraction = extract_tokens("refresh_token=abc123def")
    assert extraction.tokens == []
    assert extraction.refusal is None
    assert extraction.opaque[0].label == "refresh_token"


def test_a_truncated_lone_token_is_handed_over_so_the_report_explains() -> None:
    assert _values(TOKEN[:40]) == [("token", TOKEN[:40])]


def test_text_without_tokens_is_refused_with_a_clear_message() -> None:
    extraction = extract_tokens("hello, my login does not work since Monday")
    assert extraction.tokens == []
    assert extraction.refusal is not None
    assert "No token found" in extraction.refusal


def test_domain_names_and_versions_are_not_tokens() -> None:
    assert extract_tokens("see api.transmitsecurity.io v1.2.3 e.g. ex.am.ple").tokens == []


def test_a_json_serialized_jws_is_passed_on_whole() -> None:
    text = json.dumps({"payload": "e30", "protected": "e30", "signature": "c2ln"})
    (found,) = extract_tokens(text).tokens
    assert found.label == "JSON-serialized JWS"
    assert found.value == text


def test_an_input_over_64_mib_is_refused_at_once() -> None:
    big = "a" * (MAX_INPUT_BYTES + 1)
    extraction = extract_tokens(big)
    assert extraction.tokens == []
    assert "64 MiB" in (extraction.refusal or "")
    assert input_too_large("é" * (MAX_INPUT_BYTES // 2 + 1))
    assert not input_too_large("é" * 10)
