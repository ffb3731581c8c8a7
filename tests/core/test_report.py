"""Kinds, per-kind required claims, verdicts, reasons and the JSON form of a report."""

from __future__ import annotations

import json

from tests.core.jwt_factory import (
    CLIENT_ID,
    ISSUER,
    NOW,
    TENANT,
    client_claims,
    good_token,
    id_claims,
    tenant_keys,
    user_claims,
)
from transmit_admin.core.report import Status, TokenKind, Verdict
from transmit_admin.core.verify import CHECK_IDS, VerifyPolicy, inspect_token

CONFIGURED = VerifyPolicy(
    issuers=(ISSUER,), audiences=("userid-api",), tenant_id=TENANT, client_id=CLIENT_ID
)


def _inspect(claims, policy=CONFIGURED, keys=None):
    return inspect_token(good_token(claims), keys or tenant_keys(), policy, now=NOW)


def test_kinds_are_told_apart_from_their_claims() -> None:
    assert _inspect(user_claims()).kind is TokenKind.USER_ACCESS_TOKEN
    assert _inspect(id_claims()).kind is TokenKind.ID_TOKEN
    assert _inspect(client_claims()).kind is TokenKind.CLIENT_ACCESS_TOKEN
    assert _inspect({"foo": "bar", "exp": NOW + 60}).kind is TokenKind.UNKNOWN


def test_each_kind_is_valid_with_its_documented_claims() -> None:
    for claims in (user_claims(), id_claims(), client_claims()):
        report = _inspect(claims)
        assert report.verdict is Verdict.VALID, report.failures


def test_an_id_tokens_audience_is_the_client_id() -> None:
    assert _inspect(id_claims()).check("aud").status is Status.PASS
    wrong = _inspect(id_claims(aud="userid-api"))
    assert wrong.check("aud").status is Status.FAIL
    assert "client id" in wrong.check("aud").message


def test_missing_documented_claims_fail_per_kind() -> None:
    report = _inspect(user_claims(tid=None, sub=None, app_id=None, client_id=None, jti=None))
    # Without tid and client ids it no longer looks like a user access token:
    assert report.kind is TokenKind.UNKNOWN
    assert report.check("required_claims").status is Status.WARN
    id_report = _inspect(id_claims(amr=None, auth_time=None, acr="x"))
    assert id_report.kind is TokenKind.ID_TOKEN
    required = id_report.check("required_claims")
    assert required.status is Status.FAIL
    assert "auth_time" in required.message
    assert "amr" in required.message
    user_report = _inspect(user_claims(aud=None))
    assert "aud" in user_report.check("required_claims").message


def test_client_tokens_carry_no_tenant() -> None:
    assert _inspect(client_claims()).check("tid").status is Status.SKIP


def test_unconfigured_iss_aud_tid_warn_not_checked() -> None:
    report = _inspect(user_claims(), VerifyPolicy())
    for check_id in ("iss", "aud", "tid"):
        check = report.check(check_id)
        assert check.status is Status.WARN
        assert "not checked" in check.message
    assert report.verdict is Verdict.VALID


def test_no_key_means_unverified_never_valid() -> None:
    report = inspect_token(good_token(), None, CONFIGURED, now=NOW)
    assert report.verdict is Verdict.UNVERIFIED
    assert report.check("key").status is Status.SKIP
    assert report.reason.startswith("Not verified")


def test_claims_of_the_wrong_type_fail_without_raising() -> None:
    report = _inspect(user_claims(exp="tomorrow", iss=["a"], aud=5, tid=7, nbf=10**400, iat=True))
    for check_id in ("exp", "iss", "aud", "tid", "nbf", "iat"):
        assert report.check(check_id).status is Status.FAIL, check_id


def test_checks_come_in_the_documented_order_every_time() -> None:
    for token in (good_token(), "garbage", "a.b.c.d.e", good_token()[:-5] + "!!!!!"):
        report = inspect_token(token, tenant_keys(), CONFIGURED, now=NOW)
        assert tuple(c.id for c in report.checks) == CHECK_IDS


def test_jwe_is_recognised_as_encrypted_not_decoded() -> None:
    report = inspect_token("eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn", None, CONFIGURED)
    assert report.check("format").status is Status.WARN
    assert "encrypted" in report.check("format").message
    assert report.header is None
    assert report.verdict is Verdict.UNVERIFIED


def test_json_form_has_the_documented_shape_and_never_the_raw_token() -> None:
    token = good_token()
    report = inspect_token(token, tenant_keys(), CONFIGURED, now=NOW, label="access_token")
    data = report.to_json()
    assert {"verdict", "kind", "header", "claims", "checks"} <= data.keys()
    assert data["verdict"] == "valid"
    assert data["kind"] == "user_access_token"
    assert all(set(c) == {"id", "status", "message"} for c in data["checks"])
    text = json.dumps(data)
    for part in token.split("."):
        assert part not in text
    assert len(report.fingerprint) == 64
    assert report.segments == tuple(token.split("."))
    assert "segments" not in data


def test_reason_is_one_readable_sentence() -> None:
    assert _inspect(user_claims()).reason == (
        "Valid Transmit user access token, expires in 55 min."
    )
    foreign = inspect_token(good_token(kid="rotated-away"), tenant_keys(), CONFIGURED, now=NOW)
    assert foreign.reason == "Invalid: it is signed by a key this tenant does not publish."


def test_time_claims_are_rendered_in_utc_local_and_relative() -> None:
    report = _inspect(user_claims(iat=NOW - 300, exp=NOW + 720, nbf=NOW - 300))
    times = report.times()
    assert set(times) == {"exp", "iat", "nbf"}
    assert times["exp"].relative == "in 12 min"
    assert times["iat"].relative == "5 min ago"
    assert times["exp"].utc == "2027-01-15 08:12:00 UTC"
    assert times["exp"].local  # the machine's zone; its exact text depends on TZ
    assert report.to_json()["times"]["exp"]["relative"] == "in 12 min"
    assert report.check("exp").message == "Expires in 12 min (leeway 60 s)."
