"""Finding a user at Transmit and their tracked sessions: shared by the user-wide use cases."""

from __future__ import annotations

from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.services.deps import ServiceDeps
from transmit_admin.store.records import SessionRecord

LIVE = (SessionStatus.ACTIVE, SessionStatus.EXPIRED)


async def resolve_user(deps: ServiceDeps, user_ref: str) -> tuple[str, str | None]:
    """(user id, email) for an email or a user id; raises the client's typed errors."""
    ref = user_ref.strip()
    if "@" in ref:
        user = await deps.client.get_user_by_email(ref)
    else:
        user = await deps.client.get_user(ref)
    return user.user_id, user.email


def tracked_sessions_of(deps: ServiceDeps, user_id: str) -> list[SessionRecord]:
    # The store matches an email too; keep only the rows of exactly this user id.
    rows = deps.store.sessions_of_user(deps.env.name, user_id)
    return [r for r in rows if r.user_id == user_id]
