"""Project Wycheproof's JWS vectors (tests/data/wycheproof, Apache-2.0, see SOURCE.md).

Each test group's key is supplied as a key the user provided (for HMAC groups the private
`oct` key), and the allow-list is opened to every algorithm, including "none", so that only
the verifier's own checks stand between a bad vector and acceptance.

"Accepted" means the JWS layer passed: format, algorithm, key, signature and crit. The
vectors' payloads are not JWT claims ("foo", empty, zeros), so `required_claims` fails for
most of them; Wycheproof judges signatures, not claims.

Deliberate deviations from the file, each asserted below rather than skipped:
- 372, 373 ("InvalidCharacterInserted…") are marked valid, but their MAC only matches after
  a decoder silently drops the inserted character. A strict base64url decoder rejects them;
  for a support tool, "this token is damaged" is the right answer.
- 346, 350 (RFC 7520 Figure 20) sign with PS384 while the group's JWK says "alg": "PS256".
  Our rule is that a key whose own `alg` differs from the header's is never used, so they are
  rejected; the signature itself is shown to verify once the key's `alg` is removed.
- 367, 370 ("invalidBase64Padding…") are, in this copy of the file, byte-identical to the
  valid vector 357: the `=` padding they describe was lost upstream. They are accepted as
  357 is, and the padding they are meant to carry is tested on 357's own text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from transmit_admin.core.keys import KeySet
from transmit_admin.core.report import Status, TokenReport, Verdict
from transmit_admin.core.verify import VerifyPolicy, inspect_token

DATA = Path(__file__).resolve().parents[1] / "data" / "wycheproof" / "json_web_signature_test.json"
EVERY_ALGORITHM = (
    "none",
    "HS256",
    "HS384",
    "HS512",
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
POLICY = VerifyPolicy(algorithms=EVERY_ALGORITHM)
STRICT_BASE64_REJECTS = {372, 373}
KEY_ALG_MISMATCH = {346, 350}
DEFECTIVE_COPIES_OF_357 = {367, 370}
JWS_LAYER = ("format", "algorithm", "key", "signature", "crit")


def _cases() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    document = json.loads(DATA.read_text())
    return [(group, test) for group in document["testGroups"] for test in group["tests"]]


CASES = _cases()


def _keys(group: dict[str, Any]) -> KeySet:
    return KeySet.from_jwks(group.get("public") or group["private"], "group", user_supplied=True)


def _jws_text(test: dict[str, Any]) -> str:
    jws = test["jws"]
    return jws if isinstance(jws, str) else json.dumps(jws)


def accepted(report: TokenReport) -> bool:
    layer = [report.check(check_id) for check_id in JWS_LAYER]
    signature = report.check("signature")
    return (
        signature is not None
        and signature.status is Status.PASS
        and all(c is not None and c.status is not Status.FAIL for c in layer)
    )


def test_the_vector_file_is_complete() -> None:
    assert len(CASES) == 401
    assert sum(t["result"] == "valid" for _, t in CASES) >= 40


@pytest.mark.parametrize(("group", "test"), CASES, ids=[f"tc{t['tcId']}" for _, t in CASES])
def test_vector(group: dict[str, Any], test: dict[str, Any]) -> None:
    report = inspect_token(_jws_text(test), _keys(group), POLICY, now=0)
    tc_id = test["tcId"]
    if tc_id in STRICT_BASE64_REJECTS:
        assert not accepted(report)
        assert "not base64url" in report.check("format").message
    elif tc_id in KEY_ALG_MISMATCH:
        assert not accepted(report)
        assert "meant for PS256" in report.check("key").message
    elif tc_id in DEFECTIVE_COPIES_OF_357:
        assert accepted(report)  # same bytes as 357; see the module docstring
    elif test["result"] == "valid":
        assert accepted(report), [c for c in report.checks if c.status is Status.FAIL]
    else:
        assert not accepted(report)
        assert report.verdict is not Verdict.VALID
    if "JsonSerialization" in test["flags"]:
        assert "JSON-serialized JWS" in report.check("format").message


def test_figure_20_verifies_once_the_keys_alg_label_is_removed() -> None:
    for group, test in CASES:
        if test["tcId"] in KEY_ALG_MISMATCH:
            unlabelled = {k: v for k, v in group["public"].items() if k != "alg"}
            keys = KeySet.from_jwks(unlabelled, "group", user_supplied=True)
            assert accepted(inspect_token(test["jws"], keys, POLICY, now=0))


def test_defective_padding_vectors_are_copies_of_357_and_padding_is_rejected() -> None:
    by_id = {t["tcId"]: (g, t) for g, t in CASES}
    group, valid = by_id[357]
    for tc_id in DEFECTIVE_COPIES_OF_357:
        assert by_id[tc_id][1]["jws"] == valid["jws"]
    header, payload, signature = valid["jws"].split(".")
    padded_header = f"{header}==.{payload}.{signature}"  # what 367 describes
    padded_payload = f"{header}.{payload}==.{signature}"  # what 370 describes
    for jws in (padded_header, padded_payload):
        report = inspect_token(jws, _keys(group), POLICY, now=0)
        assert not accepted(report)
        assert "padding" in report.check("format").message
