"""Password credentials of sandbox users, kept as salted digests rather than the text itself.

The sandbox is a throw-away loopback server, but a password a developer typed into a sample's
sign-up page should still not sit in memory as plain text where a repr, a traceback or a
helper route could show it. PBKDF2 with few iterations: enough for that, cheap enough that
seeding hundreds of users and every login stay instant (this is not a production store).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_ITERATIONS = 1000
_SALT_BYTES = 16


def digest(password: str, salt: bytes | None = None) -> str:
    """`salt-hex$digest-hex`; a fresh random salt unless one is given."""
    salt = secrets.token_bytes(_SALT_BYTES) if salt is None else salt
    derived = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _ITERATIONS)
    return f"{salt.hex()}${derived.hex()}"


def matches(stored: str | None, password: str) -> bool:
    """Whether `password` is the one `stored` was made from; a user without one never matches."""
    if stored is None:
        return False
    salt_hex, _, _ = stored.partition("$")
    return hmac.compare_digest(digest(password, bytes.fromhex(salt_hex)), stored)
