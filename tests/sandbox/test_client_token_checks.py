"""The sandbox remembers a client token whose signature it checked, and still checks on every
call what can change: expiry on its clock and whether the signing key is still published."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from transmit_admin.sandbox import tokens
from transmit_admin.sandbox.models import App
from transmit_admin.sandbox.tokens import KeyRing, TokenMinter

NOW = 1_800_000_000.0
APP = App("tenant-1", "app-1", "Acme", "client-1", "secret-1")


@pytest.fixture
def minter() -> TokenMinter:
    return TokenMinter(KeyRing(), "https://sandbox.example/cis", APP)


def test_a_checked_token_is_not_checked_again(
    minter: TokenMinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = minter.client_token(NOW, None)
    assert minter.verify_client_token(token, NOW) is None

    def no_second_check(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the signature was checked again")

    monkeypatch.setattr(tokens.jwt, "decode", no_second_check)
    assert minter.verify_client_token(token, NOW + 60) is None


def test_a_remembered_token_still_expires_on_the_sandbox_clock(minter: TokenMinter) -> None:
    token = minter.client_token(NOW, None)
    assert minter.verify_client_token(token, NOW) is None
    lifetime = jwt.decode(token, options={"verify_signature": False})["exp"] - NOW
    assert minter.verify_client_token(token, NOW + lifetime + 1) == "token expired"


def test_a_remembered_token_fails_once_its_key_is_retired(minter: TokenMinter) -> None:
    token = minter.client_token(NOW, None)
    assert minter.verify_client_token(token, NOW) is None
    minter.keys.rotate(NOW, grace_seconds=60)
    assert minter.verify_client_token(token, NOW + 30) is None  # within the grace period
    assert minter.verify_client_token(token, NOW + 61) == "unknown signing key"


def test_a_tampered_token_is_checked_and_refused(minter: TokenMinter) -> None:
    token = minter.client_token(NOW, None)
    assert minter.verify_client_token(token, NOW) is None
    head, body, signature = token.split(".")
    forged = f"{head}.{body}.{signature[:-4]}AAAA"
    assert minter.verify_client_token(forged, NOW) is not None


def test_the_memory_is_bounded(minter: TokenMinter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "VERIFIED_TOKENS_KEPT", 3)
    for n in range(10):
        assert minter.verify_client_token(minter.client_token(NOW + n, None), NOW + n) is None
    assert len(minter._verified_client_tokens) <= 3
