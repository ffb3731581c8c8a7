"""`SessionService.revoke_many`'s workers: logouts `concurrency` at a time, their trail
written in batches on a writer thread, the "logout requested" events a chunk ahead.

Each revoke's store work (a "logout requested" event committed before the call; then the
status, an event and an audit row) was half of a bulk revoke's CPU, on the loop between
HTTP answers, and waiting for the event's commit stood between each answer and the next
send (bench/ui.py). Here the writes go through a `WriteBatch`, committed together on its
writer thread where SQLite works without the GIL; and sessions are checked and noted in
chunks of `concurrency`, a chunk ahead of the senders, so a worker finds its session's event
already committed and sends at once. The trail is the same as `revoke`'s, but for a session
noted and then never sent (the bulk was cancelled): it gets a "revoke failed: cancelled
before the logout was sent" event, so no "requested" is left unanswered.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from transmit_admin.services.results import ActionResult
from transmit_admin.services.write_batch import WriteBatch
from transmit_admin.store.records import EventKind, SessionRecord

if TYPE_CHECKING:
    from transmit_admin.services.session_service import SessionService

REQUESTED_DETAIL = "logout requested (bulk revoke)"
CANCELLED_DETAIL = "cancelled before the logout was sent"


class BulkRevoke:
    """One `revoke_many` call (see the module's docstring)."""

    def __init__(
        self,
        service: SessionService,
        ids: list[str],
        results: list[ActionResult | None],
        batch: WriteBatch,
        concurrency: int,
        on_result: Callable[[ActionResult], None] | None,
    ) -> None:
        self.service, self.ids, self.results, self.batch = service, ids, results, batch
        self.concurrency = min(concurrency, max(1, len(ids)))
        self.on_result = on_result
        self.records: dict[int, SessionRecord] = {}
        self.noted: dict[int, asyncio.Future[None]] = {}
        self.noted_upto = 0  # ids before this index have been checked (and noted if revocable)
        self.sent: set[int] = set()
        self.recorded: list[asyncio.Future[ActionResult]] = []
        self.cancelled_notes: list[asyncio.Future[None]] = []
        self.pending = iter(range(len(ids)))

    async def run(self, cancel_event: asyncio.Event | None) -> None:
        self._note_ahead(2 * self.concurrency)
        workers = [
            asyncio.ensure_future(self._worker(cancel_event)) for _ in range(self.concurrency)
        ]
        try:
            await asyncio.gather(*workers)
            self._cancel_unsent()
            # The last outcomes' commit; a store failure in any outcome is raised here.
            outcomes = await asyncio.gather(
                *self.recorded, *self.noted.values(), *self.cancelled_notes, return_exceptions=True
            )
            failure = next((o for o in outcomes if isinstance(o, BaseException)), None)
            if failure is not None:
                raise failure
        except BaseException:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise

    def _finish(self, index: int, result: ActionResult) -> None:
        self.results[index] = result
        if self.on_result is not None:
            self.on_result(result)

    def _note_ahead(self, count: int) -> None:
        """Checks the next `count` sessions and queues the "logout requested" events of
        those that will be sent."""
        stop = min(len(self.ids), self.noted_upto + count)
        for index in range(self.noted_upto, stop):
            checked = self.service.revocable(self.ids[index])
            if not isinstance(checked, ActionResult):  # else answered when a worker takes it
                self._note(index, checked)
        self.noted_upto = stop

    def _note(self, index: int, record: SessionRecord) -> None:
        self.records[index] = record
        self.noted[index] = self.batch.add(
            functools.partial(
                self.service.trail.event, record, EventKind.REVOKE_REQUESTED, REQUESTED_DETAIL
            )
        )

    async def _worker(self, cancel_event: asyncio.Event | None) -> None:
        service = self.service
        for index in self.pending:
            session_id = self.ids[index]
            if cancel_event is not None and cancel_event.is_set():
                self._finish(index, ActionResult(session_id, False, "cancelled before it was sent"))
                continue
            if index + self.concurrency >= self.noted_upto:
                self._note_ahead(self.concurrency)
            record = self.records.get(index)
            if record is None:  # not revocable when noted: check again, now
                checked = service.revocable(session_id)
                if isinstance(checked, ActionResult):
                    self._finish(index, checked)
                    continue
                self._note(index, checked)
                record = checked
            await self.noted[index]  # committed before the logout is sent
            # Team mode (services/team_claims.py), until this loop is rebuilt on
            # SessionService.revoke: the claim is held until the outcome is committed.
            async with service.claims.revoking(session_id) as hold:
                if not hold.taken or not isinstance(service.revocable(session_id), SessionRecord):
                    self._not_sent(index, record, hold.sentence() if not hold.taken else "")
                    continue
                self.sent.add(index)
                error = await service.send_logout(session_id)
                outcome = self.batch.add(functools.partial(service.record_logout, record, error))
                outcome.add_done_callback(self._when_recorded(index))
                self.recorded.append(outcome)
                if service.claims.in_team:
                    await asyncio.wait([outcome])

    def _not_sent(self, index: int, record: SessionRecord, teammate: str) -> None:
        """A teammate holds the claim (`teammate` says who), or their revoke was just pulled."""
        self.sent.add(index)  # its trail is closed here, not by _cancel_unsent
        if not teammate:
            checked = self.service.revocable(record.session_id)
            assert isinstance(checked, ActionResult)
            self._finish(index, checked)
            return
        detail = f"not sent: {teammate}"
        self.cancelled_notes.append(
            self.batch.add(
                functools.partial(self.service.trail.event, record, EventKind.REVOKE_FAILED, detail)
            )
        )
        self._finish(index, ActionResult(record.session_id, False, detail, record.status))

    def _when_recorded(self, index: int) -> Callable[[asyncio.Future[ActionResult]], None]:
        def done(future: asyncio.Future[ActionResult]) -> None:
            if not future.cancelled() and future.exception() is None:
                self._finish(index, future.result())

        return done

    def _cancel_unsent(self) -> None:
        """Sessions noted as requested but never sent (the bulk was cancelled): say so."""
        for index, record in self.records.items():  # every one of them was noted
            if index not in self.sent:
                self.cancelled_notes.append(
                    self.batch.add(
                        functools.partial(
                            self.service.trail.event,
                            record,
                            EventKind.REVOKE_FAILED,
                            CANCELLED_DETAIL,
                        )
                    )
                )
