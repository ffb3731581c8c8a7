"""`MagicLinkFactor`: email a magic link to a session's user; completing it (the code, or the
URL the user landed on) adds the `eml` factor to that session and extends it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from transmit_admin.api.errors import SessionNotFound, TransmitError
from transmit_admin.services.deps import ServiceDeps
from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.services.token_intake import response_fields
from transmit_admin.services.track import TrackSession
from transmit_admin.store.records import EventKind


def magic_link_code(code_or_redirect_url: str) -> str:
    """The code from a bare code or the whole URL the user landed on (`…?code=…&state=…`)."""
    text = code_or_redirect_url.strip()
    if "://" in text or text.startswith("?") or "code=" in text:
        codes = parse_qs(urlsplit(text).query).get("code")
        if not codes or not codes[0].strip():
            raise ValueError("the redirect URL has no code= parameter; paste the whole URL")
        return codes[0].strip()
    if not text:
        raise ValueError("the magic-link code is empty")
    return text


class MagicLinkFactor:
    def __init__(self, deps: ServiceDeps, tokens: TrackSession) -> None:
        self.deps = deps
        self.tokens = tokens

    async def send_magic_link_factor(
        self, session_id: str, redirect_uri: str, email: str | None = None
    ) -> ActionResult:
        """Emails a magic link to the session's user; completing it adds `eml` to the session."""
        record = self.deps.store.get_session(self.deps.env.name, session_id)
        if record is None:
            return self.deps.not_tracked(session_id)
        try:
            address = email or record.email
            if not address:
                address = (await self.deps.client.get_user(record.user_id)).email
            if not address:
                message = f"Transmit has no email for user {record.user_id}; pass --email"
                return ActionResult(session_id, False, message, record.status, Outcome.REFUSED)
            await self.deps.client.send_magic_link(address, redirect_uri)
        except TransmitError as exc:
            self.deps.trail.audit("mfa_send", session_id, "failed", exc.sentence())
            message = f"not sent: {exc.sentence()}"
            return ActionResult(session_id, False, message, record.status, Outcome.FAILED)
        detail = f"magic link sent to {address} (redirects to {redirect_uri})"
        self.deps.trail.audit("mfa_send", session_id, "ok", detail)
        message = f"{detail}; when the user clicks it, complete it with the code or that URL"
        return ActionResult(session_id, True, message, record.status, Outcome.DONE)

    async def complete_magic_link_factor(
        self, session_id: str, code_or_redirect_url: str
    ) -> ActionResult:
        record = self.deps.store.get_session(self.deps.env.name, session_id)
        if record is None:
            return self.deps.not_tracked(session_id)
        try:
            code = magic_link_code(code_or_redirect_url)
        except ValueError as exc:
            return ActionResult(session_id, False, str(exc), record.status, Outcome.REFUSED)
        try:
            response = await self.deps.client.authenticate_magic_link(code, session_id=session_id)
        except SessionNotFound as exc:
            ended = self.deps.trail.mark_ended(record, self.deps.clock(), exc.sentence())
            self.deps.trail.audit("mfa_complete", session_id, "ended", exc.sentence())
            message = f"ended: {exc.sentence()}"
            return ActionResult(session_id, False, message, ended.status, Outcome.ENDED)
        except TransmitError as exc:
            self.deps.trail.audit("mfa_complete", session_id, "failed", exc.sentence())
            message = f"factor not added: {exc.sentence()}"
            return ActionResult(session_id, False, message, record.status, Outcome.FAILED)
        if response.session_id not in (None, session_id):
            # Transmit was asked to add to this session; another id means it did not.
            detail = "Transmit answered with a different session; the factor was not added here"
            self.deps.trail.audit("mfa_complete", session_id, "failed", detail)
            return ActionResult(session_id, False, detail, record.status, Outcome.FAILED)
        return await self.tokens.apply_new_tokens(
            record, response_fields(response), EventKind.FACTOR_ADDED, "mfa_complete"
        )
