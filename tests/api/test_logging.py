"""What the client logs: method, path, status, duration; never bodies, tokens or secrets."""

from __future__ import annotations

import io
import logging

import httpx
import pytest

from tests.api.fakes import SECRET, FakeTransmit, make_client, run, token_response
from transmit_admin.api._http import loggable_path
from transmit_admin.api.errors import NotFound
from transmit_admin.api.redacting_log import RedactingFilter

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjF9.c2lnbmF0dXJlLXZhbHVl"


def test_client_logs_one_line_per_exchange_without_bodies(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeTransmit(
        {
            "/cis/v1/auth/otp/authenticate": [httpx.Response(200, json=token_response())],
            "/cis/v1/users/email/ana@example.com": [httpx.Response(404, json={"message": "no"})],
        }
    )

    async def scenario() -> None:
        async with make_client(fake) as client:
            await client.authenticate_otp("135790", "ana@example.com")
            with pytest.raises(NotFound):
                await client.get_user_by_email("ana@example.com")

    with caplog.at_level(logging.INFO, logger="transmit_admin.api"):
        run(scenario())
    lines = [r.getMessage() for r in caplog.records if r.name == "transmit_admin.api"]
    assert lines[0].startswith("POST /oidc/token -> 200 in ")
    assert lines[1].startswith("POST /cis/v1/auth/otp/authenticate -> 200 in ")
    assert lines[2].startswith("GET /cis/v1/users/email/<email> -> 404 in ")
    assert lines[0].endswith(" ms")
    text = "\n".join(lines)
    for secret in (SECRET, "135790", "ana@example.com", token_response()["access_token"]):
        assert secret not in text


def test_loggable_path_hides_emails_and_tokens() -> None:
    assert loggable_path("/cis/v1/users/email/a%40b.c") == "/cis/v1/users/email/<email>"
    assert JWT not in loggable_path(f"/cis/v1/x/{JWT}")


def test_filter_scrubs_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.api.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("token %s and client_secret=%s", JWT, "hunter2")
        try:
            raise ValueError(f"bad token {JWT}")
        except ValueError:
            logger.exception("failed")
        logger.warning("stack", stack_info=True, extra={})
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "token" in output
    assert "failed" in output
    assert "ValueError" in output
    assert JWT not in output
    assert "hunter2" not in output
