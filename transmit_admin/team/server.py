"""Where the team's PostgreSQL is and how to reach it safely.

`TeamServer.from_url("postgresql://agent@db.example.com:5432/desk")`: no password is ever
accepted in the URL (passwords come from the keyring or PGPASSWORD, `passwords.py`). A server
that is not on this machine is reached over TLS with the certificate and host name checked
(`sslmode=verify-full`); plain connections only to loopback addresses or a unix socket.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import psycopg

from transmit_admin.team.errors import TeamAuthFailed, TeamError, TeamRefused, TeamUnavailable

DEFAULT_PORT = 5432
CONNECT_TIMEOUT_SECONDS = 5
_LOCAL_NAMES = ("localhost",)
_SSL_MODES = ("disable", "verify-full")
_TLS_REFUSALS = (
    "certificate",
    "does not match host name",
    "server does not support ssl",
    "sslrootcert",
    "ssl error: tlsv1 alert",
    "wrong version number",
)


def is_local_host(host: str) -> bool:
    if host.startswith("/") or host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class TeamServer:
    host: str
    dbname: str
    user: str
    port: int = DEFAULT_PORT
    sslmode: str | None = None  # None: verify-full, or disable on loopback / a unix socket
    sslrootcert: str | None = None  # the CA file; None: the system's trust store

    def __post_init__(self) -> None:
        if not self.host or not self.dbname or not self.user:
            raise TeamRefused(
                "A team server URL needs a user, a host and a database: "
                "postgresql://USER@HOST:PORT/DATABASE."
            )
        if self.sslmode not in (None, *_SSL_MODES):
            raise TeamRefused(
                f"sslmode={self.sslmode} is not offered: team mode uses verify-full "
                "(or no TLS on this machine's loopback)."
            )
        if self.effective_sslmode == "disable" and not self.is_local:
            raise TeamRefused(
                f"{self.host} is not on this machine, so the connection must use TLS with "
                "certificate checks (sslmode=verify-full); remove sslmode=disable."
            )

    @classmethod
    def from_url(cls, url: str) -> TeamServer:
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise TeamRefused(f"{url!r} is not a postgresql:// URL.")
        if parts.password is not None:
            raise TeamRefused(
                "Put no password in the URL (it would end up in shell history and process "
                "lists): you will be asked for it, or set PGPASSWORD."
            )
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"sslmode", "sslrootcert", "host"}
        if unknown:
            raise TeamRefused(f"Unknown URL options: {', '.join(sorted(unknown))}.")
        host = query.get("host") or unquote(parts.hostname or "")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError as exc:
            raise TeamRefused(f"{url!r} has an invalid port.") from exc
        return cls(
            host=host,
            dbname=unquote(parts.path.lstrip("/")),
            user=unquote(parts.username or ""),
            port=port,
            sslmode=query.get("sslmode"),
            sslrootcert=query.get("sslrootcert"),
        )

    @property
    def is_local(self) -> bool:
        return is_local_host(self.host)

    @property
    def effective_sslmode(self) -> str:
        return self.sslmode or ("disable" if self.is_local else "verify-full")

    @property
    def url(self) -> str:
        """The URL without any secret: safe to store, log and show."""
        options = []
        if self.sslmode:
            options.append(f"sslmode={self.sslmode}")
        if self.sslrootcert:
            options.append(f"sslrootcert={quote(self.sslrootcert)}")
        if self.host.startswith("/"):
            options.insert(0, f"host={quote(self.host)}")
            netloc = f"{quote(self.user)}@"
        else:
            netloc = f"{quote(self.user)}@{self.host}:{self.port}"
        suffix = f"?{'&'.join(options)}" if options else ""
        return f"postgresql://{netloc}/{quote(self.dbname)}{suffix}"

    @property
    def keyring_name(self) -> str:
        """The name its password is kept under in the OS keyring."""
        return f"team-db:{self.user}@{self.host}:{self.port}/{self.dbname}"

    def with_user(self, user: str) -> TeamServer:
        return TeamServer(self.host, self.dbname, user, self.port, self.sslmode, self.sslrootcert)

    def connect_kwargs(self, password: str | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "dbname": self.dbname,
            "user": self.user,
            "sslmode": self.effective_sslmode,
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": "transmit-admin",
            # Never read ~/.pgpass or a service file behind the user's back.
            "passfile": "/dev/null",
        }
        if password is not None:
            kwargs["password"] = password
        if self.sslrootcert:
            kwargs["sslrootcert"] = self.sslrootcert
        elif self.effective_sslmode == "verify-full":
            kwargs["sslrootcert"] = "system"
        return kwargs


def connect(
    server: TeamServer, password: str | None, *, autocommit: bool = True
) -> psycopg.Connection[tuple[Any, ...]]:
    """A connection, or a TeamError whose sentence says what went wrong."""
    try:
        return psycopg.connect(autocommit=autocommit, **server.connect_kwargs(password))
    except psycopg.OperationalError as exc:
        raise explain(exc, server) from exc


async def connect_async(
    server: TeamServer, password: str | None
) -> psycopg.AsyncConnection[tuple[Any, ...]]:
    """The asyncio flavour (for LISTEN on the app's event loop)."""
    try:
        return await psycopg.AsyncConnection.connect(
            autocommit=True, **server.connect_kwargs(password)
        )
    except psycopg.OperationalError as exc:
        raise explain(exc, server) from exc


def explain(exc: psycopg.Error, server: TeamServer) -> TeamError:
    text = str(exc)
    lower = text.lower()
    where = f"{server.host}:{server.port}"
    if "password authentication failed" in lower or "no password supplied" in lower:
        return TeamAuthFailed(
            f"The team server refused the password of {server.user!r}: check it (or "
            "PGPASSWORD), or ask the team owner whether the role still exists."
        )
    if "not permitted to log in" in lower:
        return TeamAuthFailed(
            f"The role {server.user!r} may no longer log in to the team server: ask the "
            "team owner (agents removed with `team remove-agent` cannot connect)."
        )
    if "permission denied for database" in lower:
        return TeamRefused(
            f"{server.user!r} may not connect to the database {server.dbname!r}: ask the "
            "team owner to add you with `transmit-admin team add-agent`."
        )
    if f'database "{server.dbname}" does not exist' in text:
        return TeamRefused(f"There is no database {server.dbname!r} on {where}.")
    # Only a failed check is a refusal; a connection dropped mid-handshake ("SSL SYSCALL
    # error: EOF detected") is the server being away, like any other network failure.
    if any(marker in lower for marker in _TLS_REFUSALS):
        return TeamRefused(
            f"The TLS connection to {where} failed its checks ({_first_line(text)}): the "
            "server's certificate must be valid for that host name and signed by a CA you "
            "trust (sslrootcert=FILE)."
        )
    return TeamUnavailable(
        f"The team server at {where} cannot be reached ({_first_line(text)}); work goes on "
        "locally and is sent when it is back."
    )


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no reason given"
