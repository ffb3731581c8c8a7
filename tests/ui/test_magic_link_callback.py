"""The loopback callback that completes magic-link factors when their link is opened."""

from __future__ import annotations

from typing import Any

import httpx

from transmit_admin.ui.sessions.callback import CallbackListener, PendingFactor


def test_callback_completes_the_pending_factor_once(run_async: Any) -> None:
    completed: list[tuple[str, str]] = []

    async def complete(factor: PendingFactor, code: str) -> tuple[bool, str]:
        completed.append((factor.session_id, code))
        return True, "Signed in."

    listener = CallbackListener(complete)

    async def scenario() -> list[tuple[int, str]]:
        await listener.start()
        factor = listener.register("sess-1", "ann@example.com")
        other = listener.register("sess-2", "bo@example.com")
        assert listener.is_own(factor.redirect_uri)
        assert not listener.is_own("http://127.0.0.1:1/callback")
        assert listener.pending_for("ANN@example.com") == factor
        answers = []
        async with httpx.AsyncClient(timeout=10) as http:
            for url in (
                f"{factor.redirect_uri}&code=abc123",  # completes sess-1
                f"{factor.redirect_uri}&code=abc123",  # single use
                f"{listener.base_uri}?pending=unknown&code=x",
                f"{other.redirect_uri}",  # no code
                f"http://127.0.0.1:{listener.port}/elsewhere",
            ):
                response = await http.get(url)
                answers.append((response.status_code, response.text))
        await listener.stop()
        return answers

    try:
        answers = run_async(scenario())
    finally:
        listener.close_now()
    assert completed == [("sess-1", "abc123")]
    assert [status for status, _ in answers] == [200, 400, 400, 400, 404]
    assert "You can close this tab" in answers[0][1]
    assert "no longer" in answers[1][1]
    assert not listener.running


def test_a_failed_completion_is_shown_on_the_page(run_async: Any) -> None:
    async def complete(factor: PendingFactor, code: str) -> tuple[bool, str]:
        return False, "The magic link code is invalid <or expired>."

    listener = CallbackListener(complete)

    async def scenario() -> httpx.Response:
        await listener.start()
        factor = listener.register("sess-1", "ann@example.com")
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(f"{factor.redirect_uri}&code=bad")
        await listener.stop()
        return response

    try:
        response = run_async(scenario())
    finally:
        listener.close_now()
    assert response.status_code == 400
    assert "invalid &lt;or expired&gt;" in response.text  # escaped, never raw HTML
    assert "close this tab" not in response.text
