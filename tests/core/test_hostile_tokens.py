"""Forged and malformed tokens: none of them may come out `valid`, and each says why."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
from cryptography.hazmat.primitives import serialization

from tests.core.jwt_factory import (
    ISSUER,
    KID,
    NOW,
    TENANT,
    good_token,
    other_rsa_key,
    public_jwk,
    rsa_key,
    segment,
    sign,
    tenant_keys,
    user_claims,
)
from transmit_admin.core.b64 import b64url_encode
from transmit_admin.core.report import Status, Verdict
from transmit_admin.core.verify import VerifyPolicy, inspect_text, inspect_token

POLICY = VerifyPolicy(issuers=(ISSUER,), audiences=("userid-api",), tenant_id=TENANT)


def _inspect(token: str, policy: VerifyPolicy = POLICY):
    return inspect_token(token, tenant_keys(), policy, now=NOW)


def test_a_genuine_token_is_valid() -> None:
    report = _inspect(good_token())
    assert report.verdict is Verdict.VALID, report.failures
    assert all(c.status is Status.PASS for c in report.checks)


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", ["", "c2lnbmF0dXJl"])
def test_alg_none_always_fails(alg: str, signature: str) -> None:
    token = f"{segment({'alg': alg, 'kid': KID})}.{segment(user_claims())}.{signature}"
    report = _inspect(token, VerifyPolicy(algorithms=("none", "RS256")))
    assert report.verdict is Verdict.INVALID
    assert report.check("algorithm").status is Status.FAIL
    assert "unsigned" in report.reason


def test_hs256_signed_with_the_public_key_bytes_is_key_confusion() -> None:
    pem = public_jwk()  # the attacker knows the public key...
    public_bytes = (
        rsa_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = f"{segment({'alg': 'HS256', 'kid': pem['kid']})}.{segment(user_claims())}"
    mac = hmac.new(public_bytes, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{b64url_encode(mac)}"
    # ...and even an allow-list that names HS256 must not let it through.
    report = _inspect(forged, VerifyPolicy(algorithms=("RS256", "HS256")))
    assert report.verdict is Verdict.INVALID
    assert report.check("algorithm").status is Status.FAIL
    assert "key-confusion" in report.check("algorithm").message
    assert report.check("signature").status is Status.SKIP


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        body = json.dumps({"keys": [public_jwk(other_rsa_key(), kid="evil")]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def listener() -> Iterator[str]:
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize("field", ["jku", "x5u"])
def test_key_urls_in_the_header_are_never_fetched(listener: str, field: str) -> None:
    forged = sign(
        {"alg": "RS256", "kid": "evil", field: f"{listener}/jwks.json"},
        user_claims(),
        other_rsa_key(),
    )
    report = _inspect(forged)
    assert report.verdict is Verdict.INVALID
    assert report.check("untrusted_key_reference").status is Status.WARN
    assert field in report.check("untrusted_key_reference").message
    assert "does not publish" in report.reason
    # The same without any key set: still nothing fetched.
    inspect_text(forged, None, POLICY, now=NOW)
    assert _Recorder.hits == []


def test_an_embedded_jwk_signed_by_the_attacker_is_ignored() -> None:
    attacker_jwk = public_jwk(other_rsa_key(), kid=KID)
    forged = sign({"alg": "RS256", "kid": KID, "jwk": attacker_jwk}, user_claims(), other_rsa_key())
    report = _inspect(forged)
    assert report.verdict is Verdict.INVALID
    assert report.check("signature").status is Status.FAIL
    assert "ignored" in report.check("untrusted_key_reference").message.lower()
    # With no key set at all, the embedded key still gives no verification.
    alone = inspect_token(forged, None, POLICY, now=NOW)
    assert alone.verdict is Verdict.UNVERIFIED
    assert alone.check("signature").status is Status.SKIP


@pytest.mark.parametrize(
    "kid",
    ["../../../../etc/passwd", "' OR '1'='1", "x'; DROP TABLE keys;--", "\x1b[31m", "k" * 5000],
)
def test_hostile_kids_only_fail_the_key_lookup(kid: str) -> None:
    report = _inspect(sign({"alg": "RS256", "kid": kid}, user_claims(), other_rsa_key()))
    assert report.verdict is Verdict.INVALID
    key = report.check("key")
    assert key.status is Status.FAIL
    assert len(key.message) < 300
    assert "\x1b" not in key.message


@pytest.mark.parametrize("crit", [["exp"], ["b64"], ["urn:example:unknown"]])
def test_unknown_critical_extensions_fail(crit: list[str]) -> None:
    header = {"alg": "RS256", "kid": KID, "crit": crit, crit[0]: False}
    report = _inspect(sign(header, user_claims()))
    assert report.check("signature").status is Status.PASS
    assert report.check("crit").status is Status.FAIL
    assert report.verdict is Verdict.INVALID


def test_expired_token_fails_with_relative_time() -> None:
    report = _inspect(good_token(user_claims(iat=NOW - 4 * 3600, exp=NOW - 3 * 3600)))
    assert report.verdict is Verdict.INVALID
    assert report.check("exp").status is Status.FAIL
    assert report.reason == "Invalid: it expired 3 h ago."
    assert "leeway of 60 s" in report.check("exp").message
    assert "UTC" in report.check("exp").message


def test_expiry_within_the_leeway_only_warns() -> None:
    report = _inspect(good_token(user_claims(exp=NOW - 30)))
    assert report.check("exp").status is Status.WARN
    assert report.verdict is Verdict.VALID


def test_not_yet_valid_fails() -> None:
    report = _inspect(good_token(user_claims(nbf=NOW + 600)))
    assert report.check("nbf").status is Status.FAIL
    assert "not valid yet" in report.reason


def test_issued_in_the_future_warns_of_clock_skew() -> None:
    report = _inspect(good_token(user_claims(iat=NOW + 3600)))
    assert report.check("iat").status is Status.WARN
    assert "clock" in report.check("iat").message


@pytest.mark.parametrize(
    ("claim", "value", "check_id"),
    [("iss", "https://evil.example", "iss"), ("aud", "other-api", "aud"), ("tid", "t-2", "tid")],
)
def test_wrong_issuer_audience_tenant_fail(claim: str, value: str, check_id: str) -> None:
    report = _inspect(good_token(user_claims(**{claim: value})))
    assert report.check(check_id).status is Status.FAIL
    assert report.verdict is Verdict.INVALID


@pytest.mark.parametrize(
    ("mangle", "fragment"),
    [
        (lambda t: t[: len(t) // 2], "part"),
        (lambda t: t.rsplit(".", 1)[0], "part"),
        (lambda t: t.replace(".", "=.", 1), "padding"),
        (lambda t: "!" + t, "base64url"),
        (lambda t: t[:-2] + "+/", "base64url"),
    ],
)
def test_truncated_and_badly_encoded_tokens_fail_format(mangle, fragment: str) -> None:
    report = _inspect(mangle(good_token()))
    assert report.verdict is Verdict.INVALID
    assert report.check("format").status is Status.FAIL
    assert fragment in report.check("format").message


def test_non_json_header_fails_format() -> None:
    token = f"{segment('not json')}.{segment(user_claims())}.c2ln"
    report = _inspect(token)
    assert report.check("format").status is Status.FAIL
    assert report.header is None


def test_deeply_nested_json_is_refused_without_recursion_error() -> None:
    deep = "[" * 60_000 + "]" * 60_000
    claims_text = '{"sub": "u", "x": ' + deep + "}"
    report = _inspect(sign({"alg": "RS256", "kid": KID}, claims_text))
    assert report.claims is None
    assert "nested" in report.check("required_claims").message
    assert report.verdict is Verdict.INVALID
    deep_header = segment('{"a": ' + deep + "}")
    header_report = _inspect(f"{deep_header}.{segment({})}.c2ln")
    assert "nested" in header_report.check("format").message


def test_duplicate_header_names_are_rejected() -> None:
    header = f'{{"alg": "RS256", "kid": "{KID}", "alg": "HS256"}}'
    report = _inspect(sign(header, user_claims()))
    assert report.check("format").status is Status.FAIL
    assert "twice" in report.check("format").message
    assert report.verdict is Verdict.INVALID


def test_duplicate_claim_names_are_rejected() -> None:
    claims = json.dumps(user_claims())[:-1] + ', "sub": "admin"}'
    report = _inspect(sign({"alg": "RS256", "kid": KID}, claims))
    assert report.check("signature").status is Status.PASS  # genuinely signed, still refused
    assert report.check("required_claims").status is Status.FAIL
    assert "'sub' twice" in report.check("required_claims").message
    assert report.verdict is Verdict.INVALID


def test_a_10_mb_input_is_handled_and_an_oversized_token_is_not_decoded() -> None:
    huge_token = f"{segment({'alg': 'RS256'})}.{'A' * 10_000_000}.c2ln"
    inspection = inspect_text(f"Bearer {huge_token}", tenant_keys(), POLICY, now=NOW)
    (report,) = inspection.reports
    assert report.verdict is Verdict.INVALID
    assert "too large" in report.check("format").message
    assert report.header is None
    assert report.claims is None
    noise = inspect_text("x" * 10_000_000, tenant_keys(), POLICY, now=NOW)
    assert noise.reports == []
    assert noise.extraction.refusal


def test_payload_that_is_not_an_object_still_reports_the_signature() -> None:
    report = _inspect(sign({"alg": "RS256", "kid": KID}, b"just text"))
    assert report.check("signature").status is Status.PASS
    assert report.check("required_claims").status is Status.FAIL
    assert report.verdict is Verdict.INVALID


def test_a_key_marked_for_encryption_is_never_used() -> None:
    keys = tenant_keys(use="enc")
    report = inspect_token(good_token(), keys, POLICY, now=NOW)
    assert report.check("key").status is Status.FAIL
    assert "use 'enc'" in report.check("key").message
    assert report.check("signature").status is Status.SKIP


def test_key_ops_without_verify_and_a_different_key_alg_are_refused() -> None:
    by_ops = inspect_token(good_token(), tenant_keys(key_ops=["encrypt"]), POLICY, now=NOW)
    assert "key_ops" in by_ops.check("key").message
    by_alg = inspect_token(good_token(), tenant_keys(alg="PS256"), POLICY, now=NOW)
    assert "meant for PS256" in by_alg.check("key").message
    assert by_ops.verdict is by_alg.verdict is Verdict.INVALID


def test_an_algorithm_outside_the_allow_list_fails() -> None:
    token = sign({"alg": "RS512", "kid": KID}, user_claims(), alg="RS512")
    report = _inspect(token)
    assert report.check("algorithm").status is Status.FAIL
    assert "not allowed" in report.check("algorithm").message


def test_a_modified_claim_breaks_the_signature() -> None:
    header, _, signature = good_token().split(".")
    tampered = f"{header}.{segment(user_claims(sub='admin'))}.{signature}"
    report = _inspect(tampered)
    assert report.check("signature").status is Status.FAIL
    assert (
        report.reason == "Invalid: the signature does not match: the token was altered or forged."
    )
