"""After a token response is recorded, the database files hold no raw token and no secret."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import jwt

from tests.support.store_factory import T0, SettableClock, fingerprint, make_session
from transmit_admin.store.db import open_store
from transmit_admin.store.records import EventKind, TokenSeen


def _jwt(claims: dict[str, object]) -> str:
    return jwt.encode(claims, secrets.token_hex(32), algorithm="HS256")


def _needles(value: str) -> list[bytes]:
    """The value, and for a JWT each of its segments, as bytes in any encoding we might use."""
    parts = [value, *value.split(".")] if value.count(".") == 2 else [value]
    found = []
    for part in parts:
        if len(part) >= 12:
            found += [part.encode(), part.encode("utf-16-le")]
    return found


def test_the_database_files_never_contain_raw_tokens_or_secrets(
    store_path: Path, clock: SettableClock
) -> None:
    exp = int(T0.timestamp()) + 3600
    access = _jwt({"sub": "user-1", "jti": "jti-a", "exp": exp, "app_name": "Shop"})
    id_token = _jwt({"sub": "user-1", "amr": ["eml"], "exp": exp, "email": "a@x.io"})
    refresh = base64.urlsafe_b64encode(secrets.token_bytes(48)).decode()
    client_secret = "cs_" + secrets.token_urlsafe(32)
    magic_code = secrets.token_urlsafe(24)
    with open_store(store_path, clock=clock) as store:
        session = make_session(1, note=f"customer pasted {access} into the chat")
        store.upsert_session(session)
        for token, kind in ((access, "user_access_token"), (id_token, "id_token")):
            claims = jwt.decode(token, options={"verify_signature": False})
            store.record_token(
                TokenSeen(
                    fingerprint=fingerprint(token),
                    kind=kind,
                    environment="prod",
                    session_id=session.session_id,
                    jti=claims.get("jti"),
                    sub=claims["sub"],
                    claims=claims,
                    seen_at=clock.now,
                )
            )
        store.add_event(
            "prod", session.session_id, EventKind.FACTOR_ADDED, f"code={magic_code} {id_token}"
        )
        store.audit(
            "track",
            session.session_id,
            "failed",
            f"client_secret={client_secret} refresh_token={refresh} Bearer {access}",
            environment="prod",
        )
        # Everything is still in the -wal file at this point: scan it as well as the main file.
        files = [store_path.parent / (store_path.name + s) for s in ("", "-wal", "-shm")]
        content = b"".join(f.read_bytes() for f in files if f.exists())
        assert fingerprint(access).encode() in content  # the scan does see what is stored
        assert b"jti-a" in content
        for secret in (access, id_token, refresh, client_secret, magic_code):
            for needle in _needles(secret):
                assert needle not in content, f"{needle[:20]!r}... is in the database file"
