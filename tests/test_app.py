"""`app.py` wiring: which environment opens, which store file, and where secrets come from."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from transmit_admin.app import (
    DEMO_STORE_NAME,
    MissingSecret,
    build_runtime,
    choose_environment,
    runtime_for_sandbox,
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
    ctx = build_runtime(tmp_path, "acme", secrets=secrets)
    try:
        assert ctx.sandbox is None
        assert not ctx.current.is_sandbox
        assert ctx.current.store_path == tmp_path / DATABASE_NAME
        secret_of_acme = ctx.secret_getter_for("acme")
        with pytest.raises(MissingSecret, match="Settings"):
            secret_of_acme()
        replacement = SecretStore.in_memory()
        replacement.set("acme", "the-secret")
        ctx.replace_secrets(replacement)  # Settings may switch the backend mid-run
        assert secret_of_acme() == "the-secret"
    finally:
        asyncio.run(ctx.aclose())


def test_damaged_store_is_refused_not_replaced(tmp_path: Path) -> None:
    SavedEnvironments(tmp_path).save(ACME)
    damaged = tmp_path / DATABASE_NAME
    damaged.write_bytes(b"not sqlite" * 200)
    with pytest.raises(StoreDamaged) as caught:
        build_runtime(tmp_path, "acme", secrets=SecretStore.in_memory())
    assert str(damaged) in str(caught.value)
    assert damaged.read_bytes().startswith(b"not sqlite")


def test_switching_environments_keeps_their_sessions_apart(
    tmp_path: Path, sandbox: SandboxInfo
) -> None:
    ctx = runtime_for_sandbox(sandbox, tmp_path)
    try:
        assert ctx.current.store_path.name == DEMO_STORE_NAME
        demo_store = ctx.current.store
        ctx.switch_environment(ACME, lambda: "x")
        assert ctx.current.store_path.name == DATABASE_NAME
        assert ctx.current.store is not demo_store
        ctx.switch_environment(ctx_sandbox_env(sandbox), lambda: sandbox.client_secret)
        assert ctx.current.store is demo_store  # the same open store again, not a second one
    finally:
        asyncio.run(ctx.aclose())


def ctx_sandbox_env(info: SandboxInfo) -> Environment:
    from transmit_admin.app import sandbox_environment

    return sandbox_environment(info)


def test_switching_builds_a_new_workspace_and_leaves_the_old_one_whole(
    tmp_path: Path, sandbox: SandboxInfo
) -> None:
    import dataclasses

    runtime = runtime_for_sandbox(sandbox, tmp_path)
    try:
        demo = runtime.current
        runtime.switch_environment(ACME, runtime.secret_getter_for("acme"))
        acme = runtime.current
        assert acme is not demo
        # Work started on the demo workspace keeps all of it: nothing in it was swapped.
        assert demo.environment.name == "sandbox"
        assert demo.is_sandbox
        assert demo.service.env is demo.environment
        assert demo.service.store is demo.store
        assert demo.client.env == demo.environment
        assert acme.service.env is ACME
        assert acme.service.store is acme.store
        assert acme.reader is not demo.reader
        assert acme.client is not demo.client
        with pytest.raises(dataclasses.FrozenInstanceError):
            acme.store = demo.store  # type: ignore[misc]
        runtime.switch_environment(demo.environment, lambda: sandbox.client_secret)
        back = runtime.current
        assert back is not demo  # a new workspace, over the run's same client, store, reader
        assert (back.client, back.store, back.reader) == (demo.client, demo.store, demo.reader)
        assert back.team is None
        assert back.actor == runtime.actor
        # A team change of a workspace that is no longer current leaves the current one be.
        assert runtime.rejoin_team(acme) is None
        assert runtime.current is back
    finally:
        asyncio.run(runtime.aclose())
