"""Demo seeding from the sandbox, and no raw token or secret ever reaching the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.services.conftest import ENV_NAME, Harness
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.services.demo import DemoSeedError, seed_from_sandbox
from transmit_admin.store.records import SessionQuery
from transmit_admin.store.store import Store


def test_seed_from_sandbox_inserts_every_session_once(harness: Harness) -> None:
    listed = harness.admin.sessions()
    inserted = asyncio.run(seed_from_sandbox(harness.store, harness.info.base_url, "demo"))
    assert inserted == len(listed) > 0
    again = asyncio.run(seed_from_sandbox(harness.store, harness.info.base_url, "demo"))
    assert again == 0
    assert harness.store.count_sessions(SessionQuery("demo")) == len(listed)
    for row in listed:
        record = harness.store.get_session("demo", row["session_id"])
        assert record is not None
        assert record.source == "synced"
        assert record.email == row["email"]
        assert record.app_name == row["app_name"]
        assert list(record.factors) == row["amr"]
        if row["status"] in ("revoked", "ended"):
            assert record.status == row["status"]
        else:
            assert record.status in (SessionStatus.ACTIVE, SessionStatus.EXPIRED)
    assert next(harness.store.iter_audit(limit=1)).action == "demo_seed"


def test_seed_from_something_else_is_a_clear_error(store: Store) -> None:
    with pytest.raises(DemoSeedError, match="did not answer"):
        asyncio.run(seed_from_sandbox(store, "http://127.0.0.1:1", "demo"))


def _database_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_no_token_or_secret_in_the_database(harness: Harness, tmp_path: Path) -> None:
    response = harness.login(harness.user(0)["email"])
    session_id = response["session_id"]
    assert harness.run(lambda s: s.track_token_response(response)).ok
    assert harness.run(lambda s: s.reauthenticate(session_id)).ok
    assert harness.run(lambda s: s.revoke(session_id)).ok

    content = _database_bytes(tmp_path / "sessions.sqlite")
    assert session_id.encode() in content  # the scan reads the right file
    secrets = [harness.info.client_secret, response["refresh_token"]]
    for token in (response["access_token"], response["id_token"]):
        secrets.append(token)
        secrets.append(token.split(".")[2])  # the signature alone
    for secret in secrets:
        assert secret.encode() not in content
    assert harness.store.get_session(ENV_NAME, session_id) is not None
