"""Nothing secret reaches the team journal: the client's first line of defence.

Session ids are stored (the team acts on them); raw tokens, refresh tokens, codes and
secrets never are. An event that carries one is refused whole (`SecretInEvent`), loudly,
because it means a caller passed what it should not; the database's CHECK constraints are
the second line.
"""

from __future__ import annotations

import re
from typing import Any

from transmit_admin.store.records import SharedEvent
from transmit_admin.team.errors import SecretInEvent

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.")
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b(client_secret|refresh_token|access_token|id_token|password|passcode|code|secret)"
    r"\s*[=:]\s*\"?(?!\[redacted\])[^\s\"&,;]{4,}"
)
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{16,}")
SECRET_FIELDS = frozenset(
    {
        "access_token",
        "id_token",
        "refresh_token",
        "token",
        "client_secret",
        "secret",
        "password",
        "passcode",
        "code",
        "otp",
        "authorization",
    }
)


def check_event(event: SharedEvent) -> SharedEvent:
    """Returns the event unchanged, or raises SecretInEvent naming where the secret was."""
    _check_text(event.session_id, "session_id")
    _check_text(event.detail, "detail")
    _walk(event.session, "session")
    return event


def _check_text(text: str, where: str) -> None:
    for pattern, what in (
        (_JWT, "a token"),
        (_SECRET_ASSIGNMENT, "a secret"),
        (_BEARER, "a bearer token"),
    ):
        if pattern.search(text):
            raise SecretInEvent(
                f"The event's {where} holds {what}, so it was not sent to the team."
            )


def _walk(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).lower() in SECRET_FIELDS:
                raise SecretInEvent(
                    f"The event's {where}.{key} looks like a secret, so it was not sent."
                )
            _walk(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, f"{where}[{index}]")
    elif isinstance(value, str):
        _check_text(value, where)
