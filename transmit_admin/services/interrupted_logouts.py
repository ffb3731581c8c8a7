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
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import groupby

from transmit_admin.api.client import TransmitClient
from transmit_admin.api.errors import TransmitError
from transmit_admin.services.results import ActionResult
from transmit_admin.services.session_trail import SessionTrail
from transmit_admin.store.records import EventKind, SessionRecord
from transmit_admin.store.store import Store

log = logging.getLogger(__name__)

# A logout still in flight in another process (the CLI, a second window) is not interrupted:
# the client gives up on a call well within this, so anything older has no answer coming.
IN_FLIGHT_GRACE = timedelta(minutes=2)
ALIVE_DETAIL = "logout not confirmed, the session is alive"
GONE_DETAIL = "confirmed by Transmit's session list"


async def settle_interrupted_logouts(
    store: Store,
    client: TransmitClient,
    trail: SessionTrail,
    clock: Callable[[], datetime],
) -> list[ActionResult]:
    """Settles every interrupted logout of the trail's environment; one result each."""
    pending = store.interrupted_logouts(trail.environment, clock() - IN_FLIGHT_GRACE)
    results: list[ActionResult] = []
    by_user = groupby(sorted(pending, key=lambda r: r.user_id), key=lambda r: r.user_id)
    for user_id, records in by_user:
        results += await _settle_user(store, client, trail, clock, user_id, list(records))
    return results


async def _settle_user(
    store: Store,
    client: TransmitClient,
    trail: SessionTrail,
    clock: Callable[[], datetime],
    user_id: str,
    records: list[SessionRecord],
) -> list[ActionResult]:
    try:
        listed = {s.session_id for s in await client.list_user_sessions(user_id)}
    except TransmitError as exc:
        log.info("interrupted logouts of a user stay unsettled: %s", exc.details())
        detail = f"an interrupted logout stays unconfirmed: {exc.sentence()}"
        return [ActionResult(r.session_id, False, detail, str(r.status)) for r in records]
    results = []
    for record in records:
        with store.writing():
            if record.session_id in listed:
                trail.event(record, EventKind.CHECKED_ALIVE, ALIVE_DETAIL)
                trail.audit("revoke", record.session_id, "unconfirmed", ALIVE_DETAIL)
                results.append(
                    ActionResult(
                        record.session_id, False, f"unconfirmed: {ALIVE_DETAIL}", str(record.status)
                    )
                )
                continue
            revoked = trail.mark_revoked(record, clock(), GONE_DETAIL)
            trail.audit("revoke", record.session_id, "ok", GONE_DETAIL)
        results.append(
            ActionResult(record.session_id, True, f"revoked: {GONE_DETAIL}", str(revoked.status))
        )
    return results
