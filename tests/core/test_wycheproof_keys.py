"""Project Wycheproof's JWK vectors (tests/data/wycheproof/json_web_key_test.json).

Each group's key set is supplied as keys the user provided; "accepted" has the meaning of
test_wycheproof.py (the JWS layer passed). Every `valid` vector is accepted and every
`invalid` one rejected: mixed secret/public key sets, duplicate kids, the ROCA-weak RSA key,
1024-bit RSA, HMAC keys shorter than their hash, empty keys, mismatched curves and algorithms.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_wycheproof import POLICY, accepted
from transmit_admin.core.keys import KeyParseError, KeySet, has_roca_weakness
from transmit_admin.core.verify import inspect_token

DATA = Path(__file__).resolve().parents[1] / "data" / "wycheproof" / "json_web_key_test.json"
CASES = [
    (group, test) for group in json.loads(DATA.read_text())["testGroups"] for test in group["tests"]
]


def _keys(group: dict[str, Any]) -> KeySet | None:
    try:
        return KeySet.from_jwks(
            group.get("public") or group["private"], "group", user_supplied=True
        )
    except KeyParseError:
        return None  # an unreadable key verifies nothing


@pytest.mark.parametrize(("group", "test"), CASES, ids=[f"tc{t['tcId']}" for _, t in CASES])
def test_key_vector(group: dict[str, Any], test: dict[str, Any]) -> None:
    report = inspect_token(test["jws"], _keys(group), POLICY, now=0)
    assert accepted(report) is (test["result"] == "valid")


def test_the_roca_check_flags_only_the_weak_key() -> None:
    moduli = {}
    for group, test in CASES:
        public = group.get("public")
        if public and "keys" in public and public["keys"][0].get("kty") == "RSA":
            keys = _keys(group)
            if keys is not None:
                moduli[test["comment"]] = keys.keys[0].material.public_numbers().n
    assert has_roca_weakness(moduli["rejectsKeyWithRocaVulnerability"])
    assert not has_roca_weakness(moduli["acceptsValid"])
