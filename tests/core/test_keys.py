"""Key sets: JWKS, single JWK, PEM; what is refused and why."""

from __future__ import annotations

import json

import pytest

from tests.core.jwt_factory import (
    KID,
    NOW,
    ec_key,
    good_token,
    public_jwk,
    public_pem,
    rsa_key,
    sign,
    user_claims,
)
from transmit_admin.core.keys import KeyParseError, KeySet
from transmit_admin.core.report import Status, Verdict
from transmit_admin.core.verify import VerifyPolicy, inspect_token


def test_jwks_text_single_jwk_and_pem_all_verify_the_same_token() -> None:
    token = good_token()
    for text in (
        json.dumps({"keys": [public_jwk()]}),
        json.dumps(public_jwk()),
        public_pem(),
    ):
        keys = KeySet.from_text(text, "pasted")
        assert inspect_token(token, keys, VerifyPolicy(), now=NOW).check("signature").status is (
            Status.PASS
        )


def test_private_members_of_a_jwk_are_dropped() -> None:
    from jwt.algorithms import RSAAlgorithm

    private = json.loads(RSAAlgorithm.to_jwk(rsa_key()))
    keys = KeySet.from_jwks(private | {"kid": KID}, "pasted")
    assert not hasattr(keys.keys[0].material, "private_bytes")


def test_a_private_pem_is_refused() -> None:
    from cryptography.hazmat.primitives import serialization

    pem = rsa_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(KeyParseError, match="private key"):
        KeySet.from_text(pem.decode(), "pasted")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not a key", "not a JWKS"),
        ('{"keys": []}', "no usable key"),
        ('{"keys": "x"}', "not a list"),
        ('{"hello": 1}', "neither"),
        ('{"kty": "RSA", "n": "AQAB"}', "could not be read"),
        ('{"kty": "XYZ"}', "unsupported"),
        ('{"kty": "RSA", "kty": "oct"}', "twice"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "PEM"),
    ],
)
def test_unusable_key_text_raises_a_readable_error(text: str, fragment: str) -> None:
    with pytest.raises(KeyParseError, match=fragment):
        KeySet.from_text(text, "pasted")


def test_an_oct_key_in_a_fetched_jwks_is_ignored_but_other_keys_stay() -> None:
    secret = {"kty": "oct", "k": "YS1zaGFyZWQtc2VjcmV0LXRoYXQtaXMtMzItYnl0ZXMh", "kid": "hmac"}
    keys = KeySet.from_jwks({"keys": [secret, public_jwk()]}, "fetched", user_supplied=False)
    assert keys.kids == (KID,)
    assert "oct" in keys.ignored[0]


def test_hmac_works_only_with_a_user_supplied_oct_key() -> None:
    secret = {"kty": "oct", "k": "YS1zaGFyZWQtc2VjcmV0LXRoYXQtaXMtMzItYnl0ZXMh", "kid": "hmac"}
    keys = KeySet.from_jwks(secret, "my secret", user_supplied=True)
    token = sign({"alg": "HS256", "kid": "hmac"}, user_claims(), keys.keys[0].material, "HS256")
    report = inspect_token(token, keys, VerifyPolicy(), now=NOW)
    assert report.check("algorithm").status is Status.PASS  # allowed: the user supplied it
    assert report.check("signature").status is Status.PASS
    assert report.verdict is Verdict.VALID


def test_an_ec_key_the_user_supplies_allows_es256() -> None:
    keys = KeySet.from_text(json.dumps(public_jwk(ec_key(), kid="ec")), "pasted")
    token = sign({"alg": "ES256", "kid": "ec"}, user_claims(), ec_key(), "ES256")
    assert inspect_token(token, keys, VerifyPolicy(), now=NOW).verdict is Verdict.VALID
    fetched = KeySet.from_jwks(public_jwk(ec_key(), kid="ec"), "fetched", user_supplied=False)
    refused = inspect_token(token, fetched, VerifyPolicy(), now=NOW)
    assert refused.check("algorithm").status is Status.FAIL


def test_a_token_without_kid_needs_a_single_key() -> None:
    token = sign({"alg": "RS256"}, user_claims())
    one = KeySet.from_jwks({"keys": [public_jwk()]}, "one")
    assert inspect_token(token, one, VerifyPolicy(), now=NOW).check("key").status is Status.PASS
    two = KeySet.from_jwks({"keys": [public_jwk(), public_jwk(ec_key(), kid="b")]}, "two")
    report = inspect_token(token, two, VerifyPolicy(), now=NOW)
    assert report.check("key").status is Status.FAIL
    assert "guess" in report.check("key").message


def test_find_and_kids() -> None:
    keys = KeySet.from_jwks({"keys": [public_jwk(), public_jwk(ec_key(), kid="b")]}, "two")
    assert keys.kids == (KID, "b")
    assert keys.find("b") is not None
    assert keys.find("zzz") is None
    assert len(keys) == 2


def test_an_ec_key_on_another_curve_is_never_used() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    p384 = ec.generate_private_key(ec.SECP384R1())
    keys = KeySet.from_text(json.dumps(public_jwk(p384, kid="ec")), "pasted")
    token = sign({"alg": "ES256", "kid": "ec"}, user_claims(), ec_key(), "ES256")
    report = inspect_token(token, keys, VerifyPolicy(algorithms=("ES256",)), now=NOW)
    assert report.check("key").status is Status.FAIL
    assert "P-384" in report.check("key").message
