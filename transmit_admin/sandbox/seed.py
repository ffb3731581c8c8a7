"""The seeded tenant: one app, demo users, and pre-existing sessions in every state.

With a seed everything here is reproducible (ids, client secret, users, sessions); without one
the client secret and ids are random per start. Signing keys are always fresh.
"""

from __future__ import annotations

import random
import string

from transmit_admin.sandbox import passwords
from transmit_admin.sandbox.config import DEMO_PASSWORD, SESSION_LIFETIME_SECONDS, SandboxConfig
from transmit_admin.sandbox.models import App, Session, User

_FIRST = ("Alice", "Bruno", "Chiara", "Dmitri", "Esther", "Farid", "Grace", "Hiro", "Ines", "Jonas")
_LAST = ("Anders", "Bianchi", "Chen", "Dubois", "Eriksen", "Fontaine", "Garcia", "Haddad")
# amr combinations a demo should show: single factors, MFA pairs, a factor used twice.
_FACTOR_SETS = (
    ["pwd"],
    ["eml"],
    ["eotp"],
    ["pwd", "eml"],
    ["pwd", "sms"],
    ["eml", "eotp"],
    ["pwd", "totp"],
    ["eml", "eml"],
)
_DAY = 24 * 3600
DISABLED_USER_INDEX = 5  # the sixth seeded user is Disabled, to demo "User is not active"


def make_random(seed: int | None) -> random.Random:
    if seed is None:
        return random.SystemRandom()
    return random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets


def random_id(rng: random.Random, length: int = 20) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(rng.choice(alphabet) for _ in range(length))


def seed_app(rng: random.Random, config: SandboxConfig) -> App:
    return App(
        tenant_id=random_id(rng, 16),
        app_id=random_id(rng, 22),
        app_name=config.app_name,
        client_id=random_id(rng, 32),
        client_secret=random_id(rng, 40),
    )


def seed_users(rng: random.Random, count: int, now: float) -> list[User]:
    # One digest shared by every seeded user: they all have the same demo password anyway.
    demo_digest = passwords.digest(DEMO_PASSWORD)
    users = []
    for index in range(count):
        first = _FIRST[index % len(_FIRST)]
        last = _LAST[(index * 3 + index // len(_FIRST)) % len(_LAST)]
        handle = f"{first}.{last}".lower() + (str(index // len(_FIRST)) if index >= 10 else "")
        created = now - rng.uniform(30, 400) * _DAY
        users.append(
            User(
                user_id=random_id(rng),
                email=f"{handle}@example.com",
                phone_number=f"+1555010{index:04d}",
                username=handle,
                first_name=first,
                last_name=last,
                status="Disabled" if index == DISABLED_USER_INDEX else "Active",
                created_at=created,
                updated_at=created + rng.uniform(0, 20) * _DAY,
                password_digest=demo_digest,
            )
        )
    return users


def seed_sessions(rng: random.Random, users: list[User], count: int, now: float) -> list[Session]:
    """Sessions of every status: active, expired (no authentication for 14 days), ended, revoked."""
    sessions = []
    for index in range(count if users else 0):
        user = users[rng.randrange(len(users))] if index >= len(users) else users[index]
        age = rng.uniform(600, 30 * _DAY)
        created = now - age
        last_auth = created + rng.uniform(0, age)
        session = Session(
            session_id=random_id(rng, 32),
            user_id=user.user_id,
            created=created,
            expires=last_auth + SESSION_LIFETIME_SECONDS,
            auth_time=last_auth,
            factors=list(_FACTOR_SETS[rng.randrange(len(_FACTOR_SETS))]),
        )
        fate = rng.random()
        if fate < 0.25 and session.is_live(now):
            session.ended_at = last_auth + rng.uniform(0, now - last_auth)
            session.end_reason = "logout" if fate < 0.15 else "revoked"
        user.last_auth = max(user.last_auth or 0.0, last_auth)
        sessions.append(session)
    return sessions
