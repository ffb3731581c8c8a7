"""Fault injection, scripted (`next`) and by rate, on private sandboxes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.sandbox.runner import SandboxInfo, SandboxProcess

JWKS = "/cis/oidc/jwks"
USERS = "/cis/v1/users"


@pytest.fixture(scope="module")
def faulty_process() -> Iterator[SandboxProcess]:
    """One private sandbox for this module (its tests run one after another)."""
    with SandboxProcess.start(users=2, seed=1) as process:
        yield process


@pytest.fixture
def private(
    faulty_process: SandboxProcess,
) -> Iterator[tuple[SandboxInfo, SandboxAdmin, httpx.Client]]:
    info = faulty_process.info
    admin = SandboxAdmin(info)
    admin.reset_faults()
    # No OpenAPI check on this client: faulty answers are wrong on purpose.
    client = httpx.Client(base_url=info.base_url, timeout=10, headers=admin.bearer())
    yield info, admin, client
    admin.reset_faults()
    client.close()
    admin.close()


def test_scripted_faults_apply_once_each_in_order(private: Any) -> None:
    _, admin, client = private
    admin.set_faults(next=["503", "502", "500", "504"])
    first = client.get(USERS)
    assert first.status_code == 503
    assert first.json() == {"message": "Service Unavailable", "error_code": 503}
    gateway = client.get(USERS)
    assert gateway.status_code == 502
    assert gateway.headers["content-type"].startswith("text/html")
    assert client.get(USERS).json()["error_code"] == 500
    assert client.get(USERS).status_code == 504
    assert client.get(USERS).status_code == 200
    assert admin.faults()["next"] == []


def test_rate_limit_answers_429_with_retry_after(private: Any) -> None:
    _, admin, client = private
    admin.set_faults(next=["429"], retry_after=7)
    response = client.get(USERS)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json()["error_code"] == 429


def test_malformed_json_is_a_200_that_does_not_parse(private: Any) -> None:
    _, admin, client = private
    admin.set_faults(next=["malformed"])
    response = client.get(USERS)
    assert response.status_code == 200
    with pytest.raises(ValueError, match=r"Unterminated|Expecting"):
        response.json()


def test_dropped_connection_ends_without_an_answer(
    private: Any, faulty_process: SandboxProcess
) -> None:
    _, admin, client = private
    admin.set_faults(next=["drop"])
    with pytest.raises(httpx.TransportError):
        client.get(USERS)
    assert client.get(USERS).status_code == 200  # the next connection is served
    entry = next(e for e in admin.requests() if e["fault"] == "drop")
    assert entry["status"] == 0
    assert "Traceback" not in faulty_process.stderr_text()  # a drop, not a server crash


def test_fail_rate_one_fails_every_matching_route_only(private: Any) -> None:
    _, admin, client = private
    admin.set_faults(fail_rate=1.0, fail_statuses=[503], routes=["/cis/v1/users*"])
    assert client.get(USERS).status_code == 503
    assert client.get(JWKS).status_code == 200  # not matched by the route glob
    admin.reset_faults()
    assert client.get(USERS).status_code == 200


def test_helper_routes_are_never_faulted(private: Any) -> None:
    _, admin, _ = private
    admin.set_faults(fail_rate=1.0, drop_rate=1.0)
    assert admin.outbox() == []
    assert admin.reset_faults()["fail_rate"] == 0.0


def test_latency_is_added_to_matching_requests(private: Any) -> None:
    _, admin, client = private
    admin.set_faults(latency_ms=150, routes=[JWKS])
    client.get(JWKS)
    client.get(USERS)
    newest_first = admin.requests()
    durations = {e["path"]: e["duration_ms"] for e in reversed(newest_first)}
    assert durations[JWKS] >= 150  # a lower bound the sleep guarantees, not a speed claim
    admin.reset_faults()


@pytest.mark.parametrize(
    "settings",
    [
        {"fail_rate": 2},
        {"fail_statuses": [418]},
        {"next": ["explode"]},
        {"latency_ms": -1},
        {"latency_ms": "slow"},
        {"routes": "/cis/*"},
        {"typo_rate": 0.5},
    ],
)
def test_nonsense_fault_settings_are_refused(private: Any, settings: dict[str, Any]) -> None:
    info, admin, _ = private
    response = httpx.post(f"{info.base_url}/sandbox/faults", json=settings, timeout=10)
    assert response.status_code == 400
    assert isinstance(response.json()["message"], list)
    assert admin.faults()["fail_rate"] == 0.0


def test_command_line_flags_set_the_initial_faults(fresh_sandbox: Any) -> None:
    info = fresh_sandbox(
        users=1,
        extra_args=["--fail-rate", "1", "--fail-status", "502", "--fail-route", "/cis/v1/*"],
    )
    with SandboxAdmin(info) as admin:
        faults = admin.faults()
        assert faults["fail_rate"] == 1.0
        assert faults["fail_statuses"] == [502]
        token = admin.client_token()  # /oidc/token is outside the route glob
        response = admin.http.get(USERS, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 502


def test_request_log_keeps_no_bodies_or_queries(private: Any) -> None:
    _, admin, client = private
    client.get(USERS, params={"search": "secret-search"})
    entries = admin.requests()
    assert entries[0]["path"] == USERS
    assert "secret-search" not in str(entries)
    assert admin.info.client_secret not in str(entries)
    assert set(entries[0]) == {"method", "path", "status", "time", "duration_ms", "fault"}


def test_requests_beyond_the_per_second_limit_answer_429(private: Any) -> None:
    _, admin, client = private
    admin.set_faults(rate_limit_per_second=1, retry_after=2)
    statuses = [client.get(JWKS).status_code for _ in range(6)]
    assert statuses[0] == 200  # a fresh window always admits its first request
    assert 429 in statuses
    assert set(statuses) == {200, 429}


def test_per_route_failure_rates(private: Any) -> None:
    _, admin, client = private
    settings = admin.set_faults(
        route_fail_rates={"/cis/v1/users*": 1.0, "/cis/oidc/*": 0.0}, fail_rate=1.0
    )
    assert settings["route_fail_rates"] == {"/cis/v1/users*": 1.0, "/cis/oidc/*": 0.0}
    assert client.get(USERS).status_code in (500, 502, 503)
    assert client.get(JWKS).status_code == 200  # its own rate 0 beats the global 1.0
    refused = admin.http.post("/sandbox/faults", json={"route_fail_rates": {"/x": 3}})
    assert refused.status_code == 400
