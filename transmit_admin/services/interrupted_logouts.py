"""Logouts left without an outcome: "logout requested" was committed, then the process died
before Transmit's answer was recorded. Nobody knows whether the session was ended, so it is
settled the way an unconfirmed logout is: Transmit's session list, read once per user and
without side effects, says whether the session is still there.

- listed: it stays as it was ("logout not confirmed, the session is alive");
- gone: revoked ("confirmed by Transmit's session list");
- the list failing: left as it is, to be tried again the next time.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from itertools import groupby

from transmit_admin.api.errors import TransmitError
from transmit_admin.services.deps import ServiceDeps
from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.store.records import EventKind, SessionRecord

log = logging.getLogger(__name__)

# A logout still in flight in another process (the CLI, a second window) is not interrupted:
# the client gives up on a call well within this, so anything older has no answer coming.
IN_FLIGHT_GRACE = timedelta(minutes=2)
ALIVE_DETAIL = "logout not confirmed, the session is alive"
GONE_DETAIL = "confirmed by Transmit's session list"


class SettleInterruptedLogouts:
    def __init__(self, deps: ServiceDeps) -> None:
        self.deps = deps

    async def settle(self) -> list[ActionResult]:
        """Settles every interrupted logout of the environment; one result each."""
        deps = self.deps
        pending = deps.store.interrupted_logouts(deps.env.name, deps.clock() - IN_FLIGHT_GRACE)
        results: list[ActionResult] = []
        by_user = groupby(sorted(pending, key=lambda r: r.user_id), key=lambda r: r.user_id)
        for user_id, records in by_user:
            results += await self._settle_user(user_id, list(records))
        return results

    async def _settle_user(self, user_id: str, records: list[SessionRecord]) -> list[ActionResult]:
        deps, trail = self.deps, self.deps.trail
        try:
            listed = {s.session_id for s in await deps.client.list_user_sessions(user_id)}
        except TransmitError as exc:
            log.info("interrupted logouts of a user stay unsettled: %s", exc.details())
            detail = f"an interrupted logout stays unconfirmed: {exc.sentence()}"
            return [
                ActionResult(r.session_id, False, detail, r.status, Outcome.UNCONFIRMED)
                for r in records
            ]
        results = []
        for record in records:
            sid = record.session_id
            with deps.store.writing():
                if sid in listed:
                    trail.event(record, EventKind.CHECKED_ALIVE, ALIVE_DETAIL)
                    trail.audit("revoke", sid, "unconfirmed", ALIVE_DETAIL)
                    message = f"unconfirmed: {ALIVE_DETAIL}"
                    results.append(
                        ActionResult(sid, False, message, record.status, Outcome.UNCONFIRMED)
                    )
                    continue
                revoked = trail.mark_revoked(record, deps.clock(), GONE_DETAIL)
                trail.audit("revoke", sid, "ok", GONE_DETAIL)
            message = f"revoked: {GONE_DETAIL}"
            results.append(ActionResult(sid, True, message, revoked.status, Outcome.REVOKED))
        return results
