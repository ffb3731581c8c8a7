"""`create_app` without a server: what in-process users (httpx's ASGI transport) rely on."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.openapi import validate_httpx_response
from transmit_admin.sandbox.app import create_app
from transmit_admin.sandbox.config import DEMO_PASSWORD, SandboxConfig

BASE = "http://sandbox.test"


def in_process(config: SandboxConfig) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(config, base_url=BASE))
    return httpx.AsyncClient(transport=transport, base_url=BASE)


async def _login_in_process() -> None:
    async with in_process(SandboxConfig(users=2, sessions=3, seed=8)) as http:
        info = (await http.get("/sandbox/info")).json()
        assert info["issuer"] == BASE
        assert len((await http.get("/sandbox/sessions")).json()) == 3
        form = {
            "grant_type": "client_credentials",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
        }
        token = (await http.post("/oidc/token", data=form)).json()["access_token"]
        user = info["users"][0]
        response = await http.post(
            "/cis/v1/auth/password/authenticate",
            json={"username": user["username"], "password": DEMO_PASSWORD},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        validate_httpx_response(response)


def test_create_app_serves_a_login_in_process() -> None:
    asyncio.run(_login_in_process())


async def _issuer() -> str:
    config = SandboxConfig(users=1, issuer="https://issuer.example/")
    async with in_process(config) as http:
        return str((await http.get("/sandbox/info")).json()["issuer"])


def test_configured_issuer_wins_over_base_url() -> None:
    assert asyncio.run(_issuer()) == "https://issuer.example"
