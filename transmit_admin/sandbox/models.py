"""The sandbox tenant's records: app, users, sessions, pending magic links and OTPs, outbox.

Times are float epoch seconds of the sandbox clock (which tests may move forward). These
records are mutable and owned by `SandboxState`, which guards them with one lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class App:
    tenant_id: str
    app_id: str
    app_name: str
    client_id: str
    client_secret: str


@dataclass
class User:
    user_id: str
    # Each identifier may be absent for a user created through `POST /v1/users`: Transmit's
    # samples sign users up with only an email, only a phone number, or a username + password.
    email: str | None
    phone_number: str | None
    username: str | None
    first_name: str | None
    last_name: str | None
    status: str  # Active, Disabled, Pending (Transmit's values)
    created_at: float
    updated_at: float
    last_auth: float | None = None
    # Seeded users are verified; created ones become so by a magic link / OTP to that address.
    email_verified: bool = True
    phone_number_verified: bool = True
    external_user_id: str | None = None
    # `passwords.digest(...)`, never the password itself; None: the user has no password.
    # Left out of repr (tracebacks, logs) and of ==: its salt is random even under --seed.
    password_digest: str | None = field(default=None, repr=False, compare=False)
    password_temporary: bool = False
    password_updated_at: float | None = None
    # Further `ApiUser` fields given at creation, already in their answer shape
    # (custom_data, picture, language, birthday, address, ...); "name" holds title/middle_name.
    profile: dict[str, Any] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        """Transmit's `ApiUser` shape; `created_at`/`updated_at` in epoch ms [assumed unit].

        Absent identifiers are left out, as `ApiUser` has no nullable fields.
        """
        data: dict[str, Any] = {key: value for key, value in self.profile.items() if key != "name"}
        data["user_id"] = self.user_id
        if self.email is not None:
            data["email"] = {"value": self.email, "email_verified": self.email_verified}
        if self.phone_number is not None:
            data["phone_number"] = {
                "value": self.phone_number,
                "phone_number_verified": self.phone_number_verified,
            }
        if self.username is not None:
            data["username"] = self.username
        name = dict(self.profile.get("name") or {})
        name |= {
            key: value
            for key, value in (("first_name", self.first_name), ("last_name", self.last_name))
            if value is not None
        }
        if name:
            data["name"] = name
        if self.external_user_id is not None:
            data["external_user_id"] = self.external_user_id
        data["status"] = self.status
        data["created_at"] = int(self.created_at * 1000)
        data["updated_at"] = int(self.updated_at * 1000)
        if self.last_auth is not None:
            data["last_auth"] = iso_time(self.last_auth)
        if self.password_digest is not None and self.password_updated_at is not None:
            data["password_information"] = {
                "expired": False,
                "temporary": self.password_temporary,
                "updated_at": int(self.password_updated_at * 1000),
            }
        return data


@dataclass
class Session:
    session_id: str
    user_id: str
    created: float
    expires: float
    auth_time: float
    # amr codes in the order they were added; `mfa` is derived, never stored.
    factors: list[str] = field(default_factory=list)
    ended_at: float | None = None
    end_reason: str | None = None  # "logout" or "revoked"

    def is_live(self, now: float) -> bool:
        return self.ended_at is None and now < self.expires

    def status(self, now: float) -> str:
        if self.ended_at is not None:
            return "revoked" if self.end_reason == "revoked" else "ended"
        return "active" if now < self.expires else "expired"

    def amr(self) -> list[str]:
        codes = list(dict.fromkeys(self.factors))
        return [*codes, "mfa"] if len(codes) >= 2 else codes


@dataclass
class MagicLink:
    code: str
    user_id: str
    redirect_uri: str
    expires: float
    used: bool = False


@dataclass
class PendingOtp:
    passcode: str
    user_id: str
    identifier_type: str
    identifier: str
    channel: str
    expires: float
    failures: int = 0
    used: bool = False


@dataclass(frozen=True)
class OutboxMessage:
    recipient: str
    channel: str  # email, sms, direct
    subject: str
    link: str | None
    code: str | None
    time: float

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "channel": self.channel,
            "subject": self.subject,
            "link": self.link,
            "code": self.code,
            "time": iso_time(self.time),
        }


@dataclass(frozen=True)
class RefreshGrant:
    session_id: str
    user_id: str
    expires: float


@dataclass(frozen=True)
class RequestLogEntry:
    method: str
    path: str
    status: int  # 0 when the connection was dropped by fault injection
    time: float
    duration_ms: float
    fault: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "time": iso_time(self.time),
            "duration_ms": round(self.duration_ms, 1),
            "fault": self.fault,
        }


def iso_time(epoch: float) -> str:
    """ISO-8601 UTC with milliseconds and `Z`, the shape Transmit's session list uses."""
    stamp = datetime.fromtimestamp(epoch, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
