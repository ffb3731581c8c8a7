"""Fixtures every test folder may use: a real sandbox over loopback TCP, in a child process.

- `sandbox` (session): one shared sandbox, 5 users and 20 seeded sessions. Tests that share it
  must not break it for others: create your own sessions; never inject faults, rotate keys or
  move its clock (use `fresh_sandbox` for that).
- `fresh_sandbox` (function): a factory, `fresh_sandbox(users=3, extra_args=[...])` ->
  SandboxInfo of a new private sandbox, stopped after the test.
- `sandbox_admin`: a `SandboxAdmin` (tests/support/sandbox_admin.py) for the shared sandbox;
  wrap a fresh one with `SandboxAdmin(info)`.
- `pg_cluster` (session): a throwaway PostgreSQL cluster (tests/support/postgres.py) for the
  team tests, here so that tests/team and tests/ui (two windows in a team) share one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support import postgres
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.sandbox.runner import SandboxInfo, SandboxProcess

SHARED_SANDBOX_SEED = 3  # reproducible users and sessions for the shared sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxInfo]:
    with SandboxProcess.start(users=5, sessions=20, seed=SHARED_SANDBOX_SEED) as process:
        yield process.info


@pytest.fixture
def fresh_sandbox() -> Iterator[Callable[..., SandboxInfo]]:
    started: list[SandboxProcess] = []

    def start(**options: Any) -> SandboxInfo:
        process = SandboxProcess.start(**options)
        started.append(process)
        return process.info

    yield start
    for process in started:
        process.stop()


@pytest.fixture(scope="session")
def sandbox_admin(sandbox: SandboxInfo) -> Iterator[SandboxAdmin]:
    with SandboxAdmin(sandbox) as admin:
        yield admin


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[postgres.Cluster]:
    try:
        postgres.find_bin_dir()
    except postgres.PostgresUnavailable as exc:
        if postgres.required():
            pytest.fail(f"team tests need PostgreSQL here: {exc}")
        pytest.skip(str(exc))
    with postgres.throwaway_cluster() as cluster:
        yield cluster
