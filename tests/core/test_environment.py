from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transmit_admin.core.environment import (
    REGION_PRESETS,
    Environment,
    Region,
    check_base_url,
)


@pytest.mark.parametrize(
    ("region", "host", "issuer"),
    [
        (Region.US, "api.transmitsecurity.io", "https://userid.security"),
        (Region.EU, "api.eu.transmitsecurity.io", "https://eu.userid.security"),
        (Region.CA, "api.ca.transmitsecurity.io", "https://ca.userid.security"),
        (Region.AU, "api.au.transmitsecurity.io", "https://au.userid.security"),
    ],
)
def test_hosted_region_presets_match_the_contract(region: Region, host: str, issuer: str) -> None:
    env = Environment.from_region("prod", region, "client-1")
    assert env.base_url == f"https://{host}"
    assert env.issuer == issuer
    assert env.jwks_url == f"https://{host}/cis/oidc/jwks"
    assert REGION_PRESETS[region].issuer == issuer


def test_sandbox_region_takes_its_urls_from_the_running_sandbox() -> None:
    with pytest.raises(ValueError, match="base URL"):
        Environment.from_region("demo", Region.SANDBOX, "c")
    env = Environment.from_region(
        "demo", "sandbox", "c", base_url="http://127.0.0.1:8123/", issuer="http://127.0.0.1:8123"
    )
    assert env.region is Region.SANDBOX
    assert env.base_url == "http://127.0.0.1:8123"
    assert env.jwks_url == "http://127.0.0.1:8123/cis/oidc/jwks"


def test_custom_region_hints_transmits_hosted_sandbox_but_needs_an_issuer() -> None:
    assert "api.sbx.transmitsecurity.io" in REGION_PRESETS[Region.CUSTOM].base_url
    with pytest.raises(ValueError, match="issuer"):
        Environment.from_region("sbx", Region.CUSTOM, "c")
    env = Environment.from_region("sbx", Region.CUSTOM, "c", issuer="https://acme.example")
    assert env.base_url == "https://api.sbx.transmitsecurity.io"


def test_app_specific_issuer_overrides_the_region_issuer() -> None:
    env = Environment.from_region(
        "acme", Region.EU, "c", issuer="https://acme.app.transmitsecurity.io", audiences=("x",)
    )
    assert env.issuer == "https://acme.app.transmitsecurity.io"
    assert env.jwks_url == "https://api.eu.transmitsecurity.io/cis/oidc/jwks"
    assert env.audiences == ("x",)


def test_custom_base_url_on_another_host_moves_the_jwks_url_too() -> None:
    env = Environment.from_region("gw", Region.US, "c", base_url="https://gateway.example/transmit")
    assert env.jwks_url == "https://gateway.example/transmit/cis/oidc/jwks"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.transmitsecurity.io", "https://api.transmitsecurity.io"),
        ("https://api.transmitsecurity.io/", "https://api.transmitsecurity.io"),
        ("https://api.transmitsecurity.io/cis/", "https://api.transmitsecurity.io"),
        ("  https://h.example:8443/prefix  ", "https://h.example:8443/prefix"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://127.8.0.1", "http://127.8.0.1"),
        ("http://localhost:1/", "http://localhost:1"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_check_base_url_accepts_https_and_loopback_http(url: str, expected: str) -> None:
    assert check_base_url(url) == expected


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://api.transmitsecurity.io", "https"),
        ("http://10.0.0.5:8000", "https"),
        ("http://localhost.evil.example", "https"),
        ("ftp://api.transmitsecurity.io", "web address"),
        ("api.transmitsecurity.io", "web address"),
        ("", "web address"),
        ("https://user:pw@api.transmitsecurity.io", "password"),
        ("https://api.transmitsecurity.io/?x=1", "'?'"),
        ("https://api.transmitsecurity.io:99999", "port"),
    ],
)
def test_check_base_url_refuses_with_a_readable_reason(url: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        check_base_url(url)


def test_environment_refuses_plain_http_to_a_remote_host() -> None:
    with pytest.raises(ValueError, match="https"):
        Environment.from_region("x", Region.US, "c", base_url="http://api.transmitsecurity.io")
    with pytest.raises(ValueError, match="https"):
        Environment.from_region("x", Region.US, "c", jwks_url="http://evil.example/jwks")


def test_environment_is_frozen_and_validates_required_fields() -> None:
    env = Environment.from_region("x", Region.US, "c")
    with pytest.raises(AttributeError):
        env.name = "y"  # type: ignore[misc]
    with pytest.raises(ValueError, match="client ID"):
        Environment.from_region("x", Region.US, " ")
    with pytest.raises(ValueError, match="name"):
        Environment.from_region("", Region.US, "c")
    with pytest.raises(ValueError, match="leeway"):
        Environment.from_region("x", Region.US, "c", leeway=-1)


def test_round_trip_through_json_keeps_every_field_and_never_a_secret() -> None:
    env = Environment.from_region(
        "EU prod",
        Region.EU,
        "client-9",
        audiences=("userid-api", "client-9"),
        tenant_id="tenant-1",
        leeway=30,
        redirect_uri="https://app.example/verify",
        production=True,
    )
    text = json.dumps(env.to_dict())
    assert "secret" not in text
    restored = Environment.from_dict(json.loads(text))
    assert restored == env
    assert restored.region is Region.EU


def test_from_dict_ignores_a_stray_secret_and_unknown_keys() -> None:
    data = Environment.from_region("x", Region.US, "c").to_dict()
    data["client_secret"] = "s3cr3t"
    data["future_field"] = 1
    env = Environment.from_dict(data)
    assert "s3cr3t" not in repr(env)
    assert "s3cr3t" not in json.dumps(env.to_dict())


@pytest.mark.parametrize(
    "damage",
    [
        {"name": None},
        {"region": "mars"},
        {"audiences": "userid-api"},
        {"leeway": "60"},
        {"leeway": True},
        {"tenant_id": 5},
    ],
)
def test_from_dict_reports_damage_as_value_error(damage: dict[str, object]) -> None:
    data = Environment.from_region("x", Region.US, "c").to_dict()
    data.update(damage)
    with pytest.raises(ValueError, match=r"incomplete or damaged|not a valid Region"):
        Environment.from_dict(data)


def test_from_dict_reports_missing_keys() -> None:
    data = Environment.from_region("x", Region.US, "c").to_dict()
    del data["issuer"]
    with pytest.raises(ValueError, match="incomplete or damaged"):
        Environment.from_dict(data)


def test_verify_policy_carries_issuer_audiences_tenant_and_leeway() -> None:
    from transmit_admin.core.verify import VerifyPolicy

    env = Environment.from_region(
        "x", Region.CA, "c", audiences=("userid-api",), tenant_id="t1", leeway=5
    )
    policy = env.verify_policy()
    assert isinstance(policy, VerifyPolicy)
    assert policy.issuers == ("https://ca.userid.security",)
    assert policy.audiences == ("userid-api",)
    assert policy.tenant_id == "t1"
    assert policy.leeway == 5
    assert policy.client_id == "c"


@settings(max_examples=40)
@given(
    host=st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){1,3}", fullmatch=True),
    path=st.from_regex(r"(/[a-z0-9]{1,8}){0,3}", fullmatch=True),
)
def test_check_base_url_is_idempotent(host: str, path: str) -> None:
    once = check_base_url(f"https://{host}{path}/")
    assert check_base_url(once) == once
    assert once.startswith(f"https://{host}")
