"""Which environment a command uses: --env (saved + secret store) or TRANSMIT_* variables."""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from transmit_admin.core.environment import Environment, Region
from transmit_admin.services.environment_resolver import (
    EnvironmentUnavailable,
    resolve_environment,
)
from transmit_admin.store.environments import SavedEnvironments
from transmit_admin.store.secrets import SECRETS_FILE_NAME, SecretStore

VARIABLES = {
    "TRANSMIT_BASE_URL": "https://api.eu.transmitsecurity.io/cis",
    "TRANSMIT_CLIENT_ID": "client-1",
    "TRANSMIT_CLIENT_SECRET": "var-secret",
    "TRANSMIT_AUDIENCE": "userid-api, other",
    "TRANSMIT_TENANT_ID": "tenant-1",
}


def test_variables_give_a_region_preset_environment(tmp_path: Path) -> None:
    resolved = resolve_environment(tmp_path, None, VARIABLES)
    env = resolved.env
    assert env.region is Region.EU
    assert env.base_url == "https://api.eu.transmitsecurity.io"
    assert env.issuer == "https://eu.userid.security"
    assert env.jwks_url == "https://api.eu.transmitsecurity.io/cis/oidc/jwks"
    assert env.audiences == ("userid-api", "other")
    assert env.tenant_id == "tenant-1"
    assert env.name == "api.eu.transmitsecurity.io"
    assert resolved.secret is not None
    assert resolved.secret() == "var-secret"
    assert "var-secret" not in repr(resolved)


def test_custom_host_needs_an_issuer(tmp_path: Path) -> None:
    custom = dict(VARIABLES, TRANSMIT_BASE_URL="https://auth.example.com")
    with pytest.raises(EnvironmentUnavailable, match="TRANSMIT_ISSUER"):
        resolve_environment(tmp_path, None, custom)
    custom["TRANSMIT_ISSUER"] = "https://acme.app.transmitsecurity.io"
    custom["TRANSMIT_ENV_NAME"] = "acme"
    env = resolve_environment(tmp_path, None, custom).env
    assert (env.region, env.name) == (Region.CUSTOM, "acme")


def test_loopback_sandbox_defaults_its_issuer_to_its_base_url(tmp_path: Path) -> None:
    local = dict(VARIABLES, TRANSMIT_BASE_URL="http://127.0.0.1:8900")
    env = resolve_environment(tmp_path, None, local).env
    assert (env.region, env.issuer) == (Region.SANDBOX, "http://127.0.0.1:8900")
    local["TRANSMIT_ISSUER"] = "http://issuer.test"
    assert resolve_environment(tmp_path, None, local).env.issuer == "http://issuer.test"


def test_missing_variables_are_named(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentUnavailable, match="TRANSMIT_CLIENT_SECRET"):
        resolve_environment(
            tmp_path, None, {"TRANSMIT_BASE_URL": "https://x", "TRANSMIT_CLIENT_ID": "c"}
        )
    listing = resolve_environment(
        tmp_path, None, {k: v for k, v in VARIABLES.items() if "SECRET" not in k}, need_secret=False
    )
    assert listing.secret is None
    with pytest.raises(EnvironmentUnavailable, match="--env NAME"):
        resolve_environment(tmp_path, None, {})


def test_plain_http_to_a_remote_host_is_refused(tmp_path: Path) -> None:
    remote = dict(VARIABLES, TRANSMIT_BASE_URL="http://api.transmitsecurity.io")
    with pytest.raises(EnvironmentUnavailable, match="https"):
        resolve_environment(tmp_path, None, remote)


def _save_dev(tmp_path: Path) -> Environment:
    env = Environment.from_region("dev", Region.US, "client-dev")
    SavedEnvironments(tmp_path).save(env)
    return env


def test_saved_environment_with_secret_from_the_store(tmp_path: Path) -> None:
    env = _save_dev(tmp_path)
    secrets = SecretStore.in_memory()
    secrets.set("dev", "stored-secret")
    resolved = resolve_environment(tmp_path, "dev", {}, secret_store=secrets)
    assert resolved.env == env
    assert resolved.secret is not None
    assert resolved.secret() == "stored-secret"
    # An explicit variable wins over the stored secret (CI vaults).
    override = resolve_environment(
        tmp_path, "dev", {"TRANSMIT_CLIENT_SECRET": "ci"}, secret_store=secrets
    )
    assert override.secret is not None
    assert override.secret() == "ci"


def test_saved_environment_without_secret_says_where_to_put_it(tmp_path: Path) -> None:
    _save_dev(tmp_path)
    with pytest.raises(EnvironmentUnavailable, match="this run only"):
        resolve_environment(tmp_path, "dev", {}, secret_store=SecretStore.in_memory())
    assert resolve_environment(tmp_path, "dev", {}, need_secret=False).secret is None


def test_unknown_name_and_last_used_fallback(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentUnavailable, match="no saved environment"):
        resolve_environment(tmp_path, "nope", {})
    _save_dev(tmp_path)
    SavedEnvironments(tmp_path).set_last_used("dev")
    assert resolve_environment(tmp_path, None, {}, need_secret=False).env.name == "dev"


def test_no_keyring_uses_the_encrypted_file_with_the_passphrase_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyring, "get_keyring", keyring.backends.fail.Keyring)
    _save_dev(tmp_path)
    SecretStore.encrypted_file(tmp_path / SECRETS_FILE_NAME, "pass phrase").set("dev", "enc")
    with pytest.raises(EnvironmentUnavailable, match="TRANSMIT_ADMIN_PASSPHRASE"):
        resolve_environment(tmp_path, "dev", {})
    with pytest.raises(EnvironmentUnavailable, match="wrong passphrase"):
        resolve_environment(tmp_path, "dev", {"TRANSMIT_ADMIN_PASSPHRASE": "nope"})
    resolved = resolve_environment(tmp_path, "dev", {"TRANSMIT_ADMIN_PASSPHRASE": "pass phrase"})
    assert resolved.secret is not None
    assert resolved.secret() == "enc"
