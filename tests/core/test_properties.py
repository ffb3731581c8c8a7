"""No input of any shape makes extraction or inspection raise: reports or a clear refusal."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.jwt_factory import NOW, good_token, segment, tenant_keys
from transmit_admin.core.report import Verdict
from transmit_admin.core.verify import CHECK_IDS, VerifyPolicy, inspect_text, inspect_token

POLICY = VerifyPolicy(issuers=("https://userid.security",), tenant_id="t")
KEYS = tenant_keys()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
segments = st.one_of(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. ",
        max_size=60,
    ),
    json_values.map(lambda v: segment(json.dumps(v))),
    st.binary(max_size=40).map(segment),
)
token_like = st.lists(segments, min_size=0, max_size=6).map(".".join)


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_yields_reports_or_a_refusal(text: str) -> None:
    inspection = inspect_text(text, KEYS, POLICY, now=NOW)
    assert inspection.reports or inspection.extraction.refusal or inspection.extraction.opaque
    for report in inspection.reports:
        json.dumps(report.to_json())


@SETTINGS
@given(token_like, st.sampled_from([None, KEYS]))
def test_any_token_shape_gives_a_complete_report(token: str, keys) -> None:
    report = inspect_token(token, keys, POLICY, now=NOW)
    assert tuple(c.id for c in report.checks) == CHECK_IDS
    assert report.reason.endswith(".")
    assert report.verdict is not Verdict.VALID  # nothing random is signed by the tenant
    json.dumps(report.to_json())


@SETTINGS
@given(json_values, json_values, st.text(max_size=30))
def test_any_header_and_claims_never_raise(header, claims, prefix: str) -> None:
    token = f"{segment(json.dumps(header))}.{segment(json.dumps(claims))}.c2ln"
    report = inspect_token(token, KEYS, POLICY, now=NOW)
    assert report.verdict is not Verdict.VALID
    inspect_text(prefix + " " + token, KEYS, POLICY, now=NOW)


@SETTINGS
@given(st.integers(min_value=0, max_value=len(good_token()) - 1), st.characters())
def test_changing_any_character_of_a_valid_token_never_keeps_it_valid(
    index: int, char: str
) -> None:
    token = good_token()
    if token[index] == char:
        return
    mutated = token[:index] + char + token[index + 1 :]
    assert inspect_token(mutated, KEYS, VerifyPolicy(), now=NOW).verdict is not Verdict.VALID
