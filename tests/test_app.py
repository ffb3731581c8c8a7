"""`app.py` wiring: which environment opens, which store file, and where secrets come from."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from transmit_admin.app import (
    DEMO_STORE_NAME,
    MissingSecret,
    build_context,
    choose_environment,
    context_for_sandbox,
)
from transmit_admin.core.environment import Environment, Region
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.store.db import StoreDamaged
from transmit_admin.store.environments import SavedEnvironments
from transmit_admin.store.paths import DATABASE_NAME
from transmit_admin.store.secrets import SecretStore

ACME = Environment.from_region("acme", Region.EU, "client-1")
SHOP = Environment.from_region("shop", Region.US, "client-2")


def test_no_saved_environment_means_the_sandbox(tmp_path: Path) -> None:
    assert choose_environment(tmp_path, None) is None
    SavedEnvironments(tmp_path).save(ACME)
    assert choose_environment(tmp_path, "sandbox") is None


def test_env_option_opens_and_remembers_it_and_the_last_used_opens_next(tmp_path: Path) -> None:
    saved = SavedEnvironments(tmp_path)
    saved.save(ACME)
    saved.save(SHOP)
    assert choose_environment(tmp_path, None) is None  # nothing used yet: the sandbox
    assert choose_environment(tmp_path, "shop") == SHOP
    assert saved.last_used == "shop"
    assert choose_environment(tmp_path, None) == SHOP


def test_unknown_env_option_names_the_saved_ones(tmp_path: Path) -> None:
    SavedEnvironments(tmp_path).save(ACME)
    with pytest.raises(LookupError, match=r"'nope'.*acme"):
        choose_environment(tmp_path, "nope")


def test_real_environment_uses_sessions_store_and_the_secret_store(tmp_path: Path) -> None:
    SavedEnvironments(tmp_path).save(ACME)
    secrets = SecretStore.in_memory()
    ctx = build_context(tmp_path, "acme", secrets=secrets)
    try:
        assert ctx.sandbox is None
        assert not ctx.is_sandbox
        assert ctx.store_path == tmp_path / DATABASE_NAME
        with pytest.raises(MissingSecret, match="Settings"):
            ctx.secret_getter()
        replacement = SecretStore.in_memory()
        replacement.set("acme", "the-secret")
        ctx.secrets = replacement  # Settings may switch the backend mid-run
        assert ctx.secret_getter() == "the-secret"
    finally:
        asyncio.run(ctx.aclose())


def test_damaged_store_is_refused_not_replaced(tmp_path: Path) -> None:
    SavedEnvironments(tmp_path).save(ACME)
    damaged = tmp_path / DATABASE_NAME
    damaged.write_bytes(b"not sqlite" * 200)
    with pytest.raises(StoreDamaged) as caught:
        build_context(tmp_path, "acme", secrets=SecretStore.in_memory())
    assert str(damaged) in str(caught.value)
    assert damaged.read_bytes().startswith(b"not sqlite")


def test_switching_environments_keeps_their_sessions_apart(
    tmp_path: Path, sandbox: SandboxInfo
) -> None:
    ctx = context_for_sandbox(sandbox, tmp_path)
    try:
        assert ctx.store_path.name == DEMO_STORE_NAME
        demo_store = ctx.store
        ctx.switch_environment(ACME, lambda: "x")
        assert ctx.store_path.name == DATABASE_NAME
        assert ctx.store is not demo_store
        ctx.switch_environment(ctx_sandbox_env(sandbox), lambda: sandbox.client_secret)
        assert ctx.store is demo_store  # the same open store again, not a second one
    finally:
        asyncio.run(ctx.aclose())


def ctx_sandbox_env(info: SandboxInfo) -> Environment:
    from transmit_admin.app import sandbox_environment

    return sandbox_environment(info)
