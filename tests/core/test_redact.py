"""Secrets never survive `redact_secrets`; personal data is shortened by the mask helpers."""

from __future__ import annotations

import pytest

from tests.core.jwt_factory import good_token
from transmit_admin.core.redact import mask_email, mask_id, mask_phone, redact_secrets

TOKEN = good_token()


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Authorization: Bearer {TOKEN}", TOKEN.split(".")[1]),
        ("Authorization: Bearer opaque-access-token-123", "opaque-access-token-123"),
        ("authorization: Basic Y2xpZW50OnNlY3JldA==", "Y2xpZW50OnNlY3JldA=="),
        ("Authorization: raw-value-xyz", "raw-value-xyz"),
        (f"GET /cb?id_token={TOKEN}&state=ok", TOKEN.split(".")[2]),
        ("https://app/cb?code=magic-code-1&state=ok", "magic-code-1"),
        ("grant_type=client_credentials&client_id=c&client_secret=s3cr3t", "s3cr3t"),
        ('{"password": "hunter2", "user": "bob"}', "hunter2"),
        ('{"passcode": 123456}', "123456"),
        ('{"refresh_token": "rt-\\"quoted\\"-value"}', "quoted"),
        ("{'client_secret': 'py-repr-secret'}", "py-repr-secret"),
        ("refresh_token: rt-yaml-value", "rt-yaml-value"),
        ("POST body: passcode=987654&identifier=a@b.c", "987654"),
        (f"log line with a bare token {TOKEN} inside", TOKEN.split(".")[1][:20]),
    ],
)
def test_secrets_are_masked(text: str, secret: str) -> None:
    redacted = redact_secrets(text)
    assert secret not in redacted
    assert "redacted" in redacted


def test_a_jwt_keeps_only_the_start_of_its_header() -> None:
    redacted = redact_secrets(f"token={TOKEN}")
    assert redacted.startswith("token=")
    assert TOKEN[:6] in redacted
    assert TOKEN[:12] not in redacted


@pytest.mark.parametrize(
    "text",
    [
        "error_code=400 status_code: 200 session_id=abc",
        "GET https://api.transmitsecurity.io/cis/v1/users?search=bob",
        "user a@b.c logged in at 12:00",
        "",
    ],
)
def test_harmless_text_is_left_alone(text: str) -> None:
    assert redact_secrets(text) == text


def test_masks_for_screen_sharing() -> None:
    assert mask_email("alice.smith@example.com") == "a***@e***.com"
    assert "alice" not in mask_email("alice@localhost")
    assert mask_phone("+1 415 555 0123") == "+•••••••0123"
    assert mask_phone("555-1234") == "•••••34"
    assert mask_id("3f9c2a7be1d04b6f") == "3f9c…6f"
    assert mask_id("abc") == "•••"
    assert "not-an-email" not in mask_email("not-an-email")
