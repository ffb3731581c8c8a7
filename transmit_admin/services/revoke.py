"""`RevokeSessions`: log sessions out at Transmit, one or many; `revoked` only when confirmed.

One revoke is three steps: the "logout requested" event is committed (the trail shows a
logout that was sent even if the process dies before the answer), the logout is sent, and
the outcome (status, event, audit row) is committed as one short transaction. A bulk revoke
is the same `revoke` for each session, `concurrency` at a time under a semaphore, on the
caller's loop: at real Transmit latency (50-200 ms a round trip) the wait is the network's,
and bench/ui.py measures the store's writes and the GUI's updates to fit between answers.

A 2xx that is not the documented 204 (`WrongSuccess`) confirms nothing: the session is then
looked up in its user's session list, which has no side effect at Transmit. A bulk revoke
asks once per user after its logouts, not once per session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from transmit_admin.api.errors import SessionNotFound, TransmitError, WrongSuccess
from transmit_admin.api.models import BackendSession
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.services.deps import ServiceDeps
from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.services.session_trail import utc_text
from transmit_admin.store.records import EventKind, SessionRecord

log = logging.getLogger(__name__)

CANCELLED_MESSAGE = "cancelled before it was sent"
LIST_CONFIRMED = "confirmed by Transmit's session list"


@dataclass(frozen=True)
class _Unconfirmed:
    """A logout answered with a wrong 2xx, waiting for the session list to settle it."""

    index: int
    record: SessionRecord
    error: WrongSuccess


class RevokeSessions:
    def __init__(self, deps: ServiceDeps) -> None:
        self.deps = deps

    async def revoke(self, session_id: str) -> ActionResult:
        """Logs the session out at Transmit; `revoked` only on 204 (or, after a wrong 2xx,
        when the user's session list no longer has it)."""
        sent = await self._logout(session_id)
        if isinstance(sent, ActionResult):
            return sent
        record, error = sent
        return await self.settle(record, error)

    async def revoke_many(
        self,
        session_ids: Sequence[str],
        *,
        concurrency: int = 8,
        on_result: Callable[[ActionResult], None] | None = None,
        cancel_event: asyncio.Event | None = None,
    ) -> list[ActionResult]:
        """Revokes each session, at most `concurrency` at once; results in input order.

        `on_result` gets each final result as soon as it is recorded (an unconfirmed one
        after the session lists were read, at the end). Setting `cancel_event` stops
        sending: the sessions not yet sent answer `cancelled`, and nothing was noted for
        them.
        """
        ids = list(session_ids)
        results: list[ActionResult | None] = [None] * len(ids)
        unconfirmed: list[_Unconfirmed] = []
        gate = asyncio.Semaphore(max(1, concurrency))

        def finish(index: int, result: ActionResult) -> None:
            results[index] = result
            if on_result is not None:
                on_result(result)

        async def one(index: int, session_id: str) -> None:
            try:
                sent = await self._logout(session_id)
            finally:
                gate.release()
            if isinstance(sent, ActionResult):
                finish(index, sent)
                return
            record, error = sent
            recorded = self._record(record, error)
            if isinstance(error, WrongSuccess):  # answered after the session lists
                unconfirmed.append(_Unconfirmed(index, record, error))
                return
            finish(index, recorded)

        # A task is started when the semaphore lets one more logout go, not one per session
        # up front: 500 tasks started together made a 40-50 ms burst of callbacks on the
        # GUI loop before the first logout was sent (bench/README.md).
        started: list[asyncio.Task[None]] = []
        failures: list[asyncio.Task[None]] = []

        def failed(task: asyncio.Task[None]) -> None:
            if not task.cancelled() and task.exception() is not None:
                failures.append(task)

        try:
            for index, session_id in enumerate(ids):
                await gate.acquire()
                if failures:  # e.g. no client secret: raised below, nothing more is sent
                    gate.release()
                    break
                if cancel_event is not None and cancel_event.is_set():
                    gate.release()
                    for later in range(index, len(ids)):
                        finish(later, self._cancelled(ids[later]))
                        if later % 64 == 63:  # a store read each: let the window breathe
                            await asyncio.sleep(0)
                    break
                task = asyncio.ensure_future(one(index, session_id))
                task.add_done_callback(failed)
                started.append(task)
            await _all_or_none(started)
        except BaseException:
            await _cancel_all(started)
            raise
        await self._settle_by_user(unconfirmed, gate, finish)
        finished = [result for result in results if result is not None]
        assert len(finished) == len(ids)  # every session answered exactly once
        return finished

    # -- the steps --------------------------------------------------------------------------

    def revocable(self, session_id: str) -> SessionRecord | ActionResult:
        """The session to log out, or the answer when there is nothing to send."""
        record = self.deps.session(session_id)
        if record is None:
            return self.deps.not_tracked(session_id)
        if record.status in (SessionStatus.REVOKED, SessionStatus.ENDED):
            when = record.revoked_at or record.ended_at
            message = f"already {record.status}" + (f" since {utc_text(when)}" if when else "")
            return ActionResult(
                session_id, True, message + "; nothing sent", record.status, Outcome.ALREADY_GONE
            )
        return record

    async def _logout(
        self, session_id: str
    ) -> ActionResult | tuple[SessionRecord, TransmitError | None]:
        """Commits "logout requested", sends the logout; answers the record and the error
        (None on 204), or the result when nothing was sent."""
        checked = self.revocable(session_id)
        if isinstance(checked, ActionResult):
            return checked
        self.deps.trail.event(checked, EventKind.REVOKE_REQUESTED, "logout sent to Transmit")
        try:
            await self.deps.client.logout_session(session_id)
        except TransmitError as exc:
            return checked, exc
        return checked, None

    async def settle(self, record: SessionRecord, error: TransmitError | None) -> ActionResult:
        """Records the logout's outcome; a wrong 2xx is then checked in the session list."""
        recorded = self._record(record, error)
        if not isinstance(error, WrongSuccess):
            return recorded
        listed = await self._session_list(record.user_id)
        return self._settled(record, error, listed)

    def _record(self, record: SessionRecord, error: TransmitError | None) -> ActionResult:
        """The outcome of a logout, status, event and audit row, in one transaction."""
        deps, trail, session_id = self.deps, self.deps.trail, record.session_id
        with deps.store.writing():
            if isinstance(error, SessionNotFound):
                ended = trail.mark_ended(record, deps.clock(), error.sentence())
                trail.audit("revoke", session_id, "already_ended", error.sentence())
                message = f"already ended: {error.sentence()}"
                return ActionResult(session_id, True, message, ended.status, Outcome.ENDED)
            if isinstance(error, WrongSuccess):
                detail = f"{error.answer_text()}: not a confirmation"
                trail.event(record, EventKind.REVOKE_UNCONFIRMED, f"unconfirmed: {detail}")
                trail.audit("revoke", session_id, "unconfirmed", detail)
                message = f"unconfirmed: {detail}"
                return ActionResult(session_id, False, message, record.status, Outcome.UNCONFIRMED)
            if error is not None:
                log.warning("revoke of a session failed: %s", error.details())
                trail.event(record, EventKind.REVOKE_FAILED, error.sentence())
                trail.audit("revoke", session_id, "failed", error.sentence())
                message = f"not revoked: {error.sentence()}"
                return ActionResult(session_id, False, message, record.status, Outcome.FAILED)
            revoked = trail.mark_revoked(record, deps.clock(), "Transmit answered 204")
            trail.audit("revoke", session_id, "ok", "logout confirmed (204)")
        message = "revoked (access tokens already issued stay valid until their own expiry)"
        return ActionResult(session_id, True, message, revoked.status, Outcome.REVOKED)

    async def _session_list(self, user_id: str) -> list[BackendSession] | TransmitError:
        try:
            return await self.deps.client.list_user_sessions(user_id)
        except TransmitError as exc:
            return exc

    def _settled(
        self,
        record: SessionRecord,
        error: WrongSuccess,
        listed: list[BackendSession] | TransmitError,
    ) -> ActionResult:
        """Listed: it stays as it was; gone: revoked; the list failing too: unconfirmed."""
        deps, trail, session_id = self.deps, self.deps.trail, record.session_id
        if isinstance(listed, TransmitError):
            detail = (
                f"logout unconfirmed, and the session list could not be read: {listed.sentence()}"
            )
            trail.audit("revoke", session_id, "unconfirmed", detail)
            message = f"unconfirmed: {detail}"
            return ActionResult(session_id, False, message, record.status, Outcome.UNCONFIRMED)
        with deps.store.writing():
            if any(s.session_id == session_id for s in listed):
                detail = "logout not confirmed, the session is alive"
                trail.event(record, EventKind.CHECKED_ALIVE, detail)
                trail.audit("revoke", session_id, "unconfirmed", detail)
                message = f"unconfirmed: {detail}"
                return ActionResult(session_id, False, message, record.status, Outcome.UNCONFIRMED)
            revoked = trail.mark_revoked(record, deps.clock(), LIST_CONFIRMED)
            trail.audit("revoke", session_id, "ok", LIST_CONFIRMED)
        message = f"revoked: {LIST_CONFIRMED} (the logout itself got an {error.answer_text()})"
        return ActionResult(session_id, True, message, revoked.status, Outcome.REVOKED)

    async def _settle_by_user(
        self,
        unconfirmed: list[_Unconfirmed],
        gate: asyncio.Semaphore,
        finish: Callable[[int, ActionResult], None],
    ) -> None:
        """One session-list call per user, however many of its sessions are unconfirmed."""
        by_user: dict[str, list[_Unconfirmed]] = {}
        for item in unconfirmed:
            by_user.setdefault(item.record.user_id, []).append(item)

        async def settle_user(user_id: str, items: list[_Unconfirmed]) -> None:
            async with gate:
                listed = await self._session_list(user_id)
            for item in items:
                finish(item.index, self._settled(item.record, item.error, listed))

        tasks = [asyncio.ensure_future(settle_user(u, items)) for u, items in by_user.items()]
        await _all_or_none(tasks)

    def _cancelled(self, session_id: str) -> ActionResult:
        record = self.deps.session(session_id)
        status = record.status if record is not None else None
        return ActionResult(session_id, False, CANCELLED_MESSAGE, status, Outcome.CANCELLED)


async def _all_or_none(tasks: list[asyncio.Task[None]]) -> None:
    """Waits for them all; when one fails or this is cancelled, the others are cancelled
    (and awaited) before the error goes on: no logout is left running unseen."""
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        await _cancel_all(tasks)
        raise


async def _cancel_all(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
