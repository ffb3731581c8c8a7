"""A property of `sessions revoke` under random faults: afterwards no session is `revoked` in the
store unless Transmit really ended it (the sandbox no longer has it alive).

Hypothesis picks which sessions to revoke and which faults the sandbox injects on the
session routes: random rates of errors, rate limits, drops, malformed and wrong-success
answers, plus a scripted run of faults for the first requests (`200-after` logs the session
out and then answers 200, so a correct client settles it from the session list).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.test_sessions_cli import ENV_NAME, Cli
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.sandbox.faults import SCRIPTED_FAULTS
from transmit_admin.sandbox.runner import SandboxInfo, SandboxProcess
from transmit_admin.store.db import open_store
from transmit_admin.store.records import SessionRecord

EXAMPLES = 10
PER_EXAMPLE = 4


@pytest.fixture(scope="module")
def faulty_sandbox() -> Iterator[tuple[SandboxInfo, SandboxAdmin]]:
    with (
        SandboxProcess.start(users=6, sessions=EXAMPLES * PER_EXAMPLE + 10, seed=11) as process,
        SandboxAdmin(process.info) as admin,
    ):
        yield process.info, admin


rates = st.sampled_from([0.0, 0.2, 0.5, 1.0])
faults = st.fixed_dictionaries(
    {
        "fail_rate": rates,
        "rate_limit_rate": st.sampled_from([0.0, 0.2]),
        "drop_rate": st.sampled_from([0.0, 0.2]),
        "malformed_rate": rates,
        "wrong_success_rate": rates,
        "next": st.lists(st.sampled_from(SCRIPTED_FAULTS), max_size=4),
    }
)


def _alive(admin: SandboxAdmin) -> list[dict[str, Any]]:
    return [s for s in admin.sessions() if s["status"] == "active"]


def _track(data: Path, sessions: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    with open_store(data / "sandbox-demo.sqlite") as store:
        for session in sessions:
            store.upsert_session(
                SessionRecord(
                    environment=ENV_NAME,
                    session_id=session["session_id"],
                    user_id=session["user_id"],
                    email=session["email"],
                    created_at=now,
                    expires_at=now + timedelta(days=14),
                    last_auth_at=now,
                    factors=("pwd",),
                )
            )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples every run: a CI failure reproduces locally
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(fault_settings=faults, count=st.integers(1, PER_EXAMPLE))
def test_no_session_is_revoked_unless_transmit_ended_it(
    faulty_sandbox: tuple[SandboxInfo, SandboxAdmin],
    tmp_path_factory: pytest.TempPathFactory,
    fault_settings: dict[str, Any],
    count: int,
) -> None:
    info, admin = faulty_sandbox
    chosen = _alive(admin)[:count]
    assert chosen, "the sandbox ran out of live sessions for the examples"
    data = tmp_path_factory.mktemp("data")
    _track(data, chosen)
    # Faults only on the session routes: the client token and user look-ups still work, so
    # every example reaches the logouts.
    admin.set_faults(routes=["/cis/v1/auth/session/*", "/cis/v1/auth/users/*"], **fault_settings)
    try:
        result = Cli(data, info)("sessions", "revoke", *(s["session_id"] for s in chosen))
    finally:
        admin.reset_faults()
    assert result.returncode in (0, 1), result.stdout + result.stderr
    still_alive = {s["session_id"] for s in _alive(admin)}
    with open_store(data / "sandbox-demo.sqlite") as store:
        for session in chosen:
            record = store.get_session(ENV_NAME, session["session_id"])
            assert record is not None
            if record.status == "revoked":
                assert session["session_id"] not in still_alive, (fault_settings, result.stdout)
