"""How many sessions Transmit lists for a user: what "Revoke user" is about to end.

Read-only (the list endpoint changes nothing), for the confirmation only; the revoke itself
goes through the service. Errors reach the caller's `on_error` as a sentence
(`ui.errors.user_message`: a `TransmitError`, or a missing secret).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transmit_admin.workspace import Workspace


async def sessions_at_transmit(workspace: Workspace, user_id: str) -> int:
    """The number of live sessions Transmit lists for `user_id`."""
    return len(await workspace.client.list_user_sessions(user_id))
