"""The client against the real sandbox over loopback TCP: the flows support agents rely on."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from tests.api.conftest import ValidatingTransport, sandbox_client, sandbox_env
from tests.api.fakes import run
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.api.errors import (
    BadClientCredentials,
    NotFound,
    SessionNotFound,
    TransmitError,
)
from transmit_admin.api.models import TokenResponse
from transmit_admin.core.keys import KeySet
from transmit_admin.core.report import Verdict
from transmit_admin.core.verify import inspect_token
from transmit_admin.sandbox.runner import SandboxInfo

REDIRECT_URI = "http://127.0.0.1:8765/magic-link"


def claims_of(token: str | None) -> dict[str, Any]:
    assert token is not None
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def test_magic_link_as_second_factor_adds_eml_and_mfa_and_extends_the_session(
    private_sandbox: SandboxInfo, private_admin: SandboxAdmin
) -> None:
    user = private_admin.active_users()[0]
    transport = ValidatingTransport()

    async def scenario() -> tuple[TokenResponse, TokenResponse, list[Any], list[Any], dict]:
        async with sandbox_client(private_sandbox, transport=transport) as client:
            first = await client.authenticate_password(
                user["username"], private_admin.demo_password, username_type="username"
            )
            before = await client.list_user_sessions(user["user_id"])
            private_admin.advance_clock(120)  # so "later" is measurable in whole seconds
            await client.send_magic_link(user["email"], REDIRECT_URI, state="st-1")
            code = private_admin.latest_message(user["email"])["code"]
            second = await client.authenticate_magic_link(code, session_id=first.session_id)
            after = await client.list_user_sessions(user["user_id"])
            return first, second, before, after, await client.fetch_jwks()

    first, second, before, after, jwks = run(scenario())
    assert second.session_id == first.session_id
    assert "pwd" in claims_of(first.id_token)["amr"]
    assert "mfa" not in claims_of(first.id_token)["amr"]
    amr = claims_of(second.id_token)["amr"]
    assert {"pwd", "eml", "mfa"} <= set(amr)
    (was,) = [s for s in before if s.session_id == first.session_id]
    (now,) = [s for s in after if s.session_id == first.session_id]
    assert now.expiration_time > was.expiration_time
    assert now.start_time == was.start_time
    # the ID token passes the app's own verifier with this environment's policy
    policy = sandbox_env(private_sandbox).verify_policy()
    keys = KeySet.from_jwks(jwks, private_sandbox.jwks_url)
    now_at = claims_of(second.id_token)["iat"]
    assert second.id_token is not None
    report = inspect_token(second.id_token, keys, policy, now=now_at, label="id")
    assert report.verdict is Verdict.VALID, report.reason
    assert ("POST", "/cis/v1/auth/link/email/authenticate") in transport.sent


def test_otp_first_factor_creates_a_session(sandbox: SandboxInfo) -> None:
    with SandboxAdmin(sandbox) as admin:
        user = admin.active_users()[1]

        async def scenario() -> TokenResponse:
            async with sandbox_client(sandbox) as client:
                await client.send_otp(user["email"])
                code = admin.latest_message(user["email"])["code"]
                return await client.authenticate_otp(code, user["email"])

        tokens = run(scenario())
    assert tokens.session_id
    assert "eotp" in claims_of(tokens.id_token)["amr"]


def test_otp_direct_channel_returns_the_code(sandbox: SandboxInfo) -> None:
    with SandboxAdmin(sandbox) as admin:
        user = admin.active_users()[2]

    async def scenario() -> TokenResponse:
        async with sandbox_client(sandbox) as client:
            code = await client.send_otp(
                user["user_id"], channel="direct", identifier_type="user_id"
            )
            assert code is not None
            return await client.authenticate_otp(code, user["user_id"], identifier_type="user_id")

    assert run(scenario()).session_id


def test_logout_then_silent_authentication_says_session_not_found(sandbox: SandboxInfo) -> None:
    with SandboxAdmin(sandbox) as admin:
        user = admin.active_users()[0]
        password = admin.demo_password

    async def scenario() -> None:
        async with sandbox_client(sandbox) as client:
            tokens = await client.authenticate_password(user["username"], password)
            assert tokens.session_id is not None
            alive = await client.authenticate_session(tokens.session_id)
            assert alive.session_id == tokens.session_id
            await client.logout_session(tokens.session_id)
            with pytest.raises(SessionNotFound) as caught:
                await client.authenticate_session(tokens.session_id)
            assert caught.value.sentence() == (
                "Transmit says this session no longer exists (it was logged out or expired)."
            )

    run(scenario())


def test_refresh_rotates_and_a_used_refresh_token_is_refused(sandbox: SandboxInfo) -> None:
    with SandboxAdmin(sandbox) as admin:
        user = admin.active_users()[1]
        password = admin.demo_password

    async def scenario() -> None:
        async with sandbox_client(sandbox) as client:
            tokens = await client.authenticate_password(user["username"], password)
            assert tokens.refresh_token is not None
            renewed = await client.refresh(tokens.refresh_token)
            assert renewed.session_id is None
            assert renewed.refresh_token not in (None, tokens.refresh_token)
            with pytest.raises(TransmitError, match="refused") as caught:
                await client.refresh(tokens.refresh_token)
            assert tokens.refresh_token not in str(caught.value)

    run(scenario())


def test_list_and_revoke_all_sessions_of_a_user(
    private_sandbox: SandboxInfo, private_admin: SandboxAdmin
) -> None:
    user = private_admin.active_users()[1]

    async def scenario() -> None:
        async with sandbox_client(private_sandbox) as client:
            made = [
                await client.authenticate_password(user["username"], private_admin.demo_password)
                for _ in range(2)
            ]
            listed = {s.session_id for s in await client.list_user_sessions(user["user_id"])}
            assert {t.session_id for t in made} <= listed
            await client.revoke_user_sessions(user["user_id"])
            assert await client.list_user_sessions(user["user_id"]) == []
            for tokens in made:
                assert tokens.session_id is not None
                with pytest.raises(SessionNotFound):
                    await client.authenticate_session(tokens.session_id)

    run(scenario())


def test_user_lookup_by_email_id_and_search(sandbox: SandboxInfo) -> None:
    with SandboxAdmin(sandbox) as admin:
        seeded = admin.users()[0]

    async def scenario() -> None:
        async with sandbox_client(sandbox) as client:
            by_email = await client.get_user_by_email(seeded["email"])
            assert by_email.user_id == seeded["user_id"]
            assert by_email.phone_number == seeded["phone_number"]
            by_id = await client.get_user(seeded["user_id"])
            assert by_id.email == seeded["email"]
            prefix = await client.search_users(seeded["email"][:5], prefix=True)
            assert seeded["user_id"] in {u.user_id for u in prefix.users}
            scim = await client.search_users(f'email eq "{seeded["email"]}"')
            assert [u.user_id for u in scim.users] == [seeded["user_id"]]
            page = await client.search_users("", prefix=True, limit=2)
            assert len(page.users) <= 2
            assert page.total_count >= len(page.users)
            with pytest.raises(NotFound):
                await client.get_user_by_email("nobody.here@example.com")

    run(scenario())


def test_a_wrong_client_secret_is_bad_client_credentials(sandbox: SandboxInfo) -> None:
    async def scenario() -> None:
        async with sandbox_client(sandbox, secret="wrong") as client:
            with pytest.raises(BadClientCredentials):
                await client.list_user_sessions("anyone")

    run(scenario())
