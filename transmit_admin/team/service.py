"""`TeamClient`: one environment's store joined to one team space. Blocking calls (psycopg's
sync API) that a GUI runs off its thread (`asyncio.to_thread`, or a worker); the live
wake-up is `listener()` (see `live.py`).

Offline is a state, not an error: `sync()` and `status()` answer "offline, N events waiting"
and local work goes on; the outbox is pushed when the server is back.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import psycopg

from transmit_admin.core.environment import Environment
from transmit_admin.store.outbox import ApplyResult, TeamLink, TeamOutbox
from transmit_admin.store.records import SharedEvent
from transmit_admin.store.store import Store
from transmit_admin.team import claims, guard, journal, schema
from transmit_admin.team.errors import SecretInEvent, TeamError, TeamRefused, TeamUnavailable
from transmit_admin.team.live import JournalListener
from transmit_admin.team.passwords import PasswordSource
from transmit_admin.team.server import TeamServer, connect, connect_async, explain

PUSH_BATCH = 500


class TeamState(StrEnum):
    CONNECTED = "connected"
    OFFLINE = "offline"
    REFUSED = "refused"
    NOT_JOINED = "not joined"


@dataclass(frozen=True, slots=True)
class SyncReport:
    state: TeamState
    waiting: int
    pushed: int = 0
    applied: int = 0
    already_present: int = 0
    skipped: int = 0
    refused_events: int = 0  # local events that carried a secret: never sent
    reason: str = ""
    session_ids: tuple[str, ...] = ()  # sessions the pull changed (a window refreshes them)
    new_sessions: int = 0  # sessions the pull added (a window reloads its table)

    def line(self) -> str:
        if self.state is TeamState.CONNECTED:
            text = f"team: connected; pushed {self.pushed}, applied {self.applied}"
            if self.skipped:
                text += f", {self.skipped} of a newer version skipped"
            if self.refused_events:
                text += f", {self.refused_events} refused (they held a secret)"
            return text + f"; {self.waiting} waiting"
        if self.state is TeamState.OFFLINE:
            return f"team: offline, {self.waiting} events waiting ({self.reason})"
        return f"team: {self.state}: {self.reason}"


class TeamClient:
    """`server`/`password`: where and who; `environment`: the local environment bound to the
    team space (its base URL and tenant must be the space's)."""

    def __init__(
        self,
        store: Store,
        environment: Environment,
        server: TeamServer,
        password: PasswordSource,
        *,
        connector: Callable[[TeamServer, str | None], psycopg.Connection[Any]] = connect,
    ) -> None:
        self.store = store
        self.environment = environment
        self.server = server
        self._password = password
        self._connector = connector
        self.outbox = TeamOutbox(store)
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.RLock()  # one connection; calls from several threads queue
        self._pull_lock = threading.Lock()  # one pull at a time: the cursor only moves forward

    @classmethod
    def from_link(
        cls, store: Store, environment: Environment, password: PasswordSource
    ) -> TeamClient | None:
        """The client of a joined environment, or None when it has not joined a team."""
        link = TeamOutbox(store).link_of(environment.name)
        if link is None:
            return None
        return cls(store, environment, TeamServer.from_url(link.server), password)

    @classmethod
    def for_link(
        cls,
        store: Store,
        environment: Environment,
        password_for: Callable[[TeamServer], PasswordSource],
    ) -> TeamClient | None:
        """`from_link`, with the password source chosen once the server is known (its
        keyring entry is named after the server: `passwords.password_source`)."""
        link = TeamOutbox(store).link_of(environment.name)
        if link is None:
            return None
        server = TeamServer.from_url(link.server)
        return cls(store, environment, server, password_for(server))

    # -- connection ----------------------------------------------------------------------

    def open_connection(self) -> psycopg.Connection[Any]:
        """A new connection of its own (a listener's, a test's)."""
        return self._connector(self.server, self._password())

    async def open_async_connection(self) -> psycopg.AsyncConnection[Any]:
        """A new asyncio connection (a window's LISTEN). The password is read in a worker
        thread: a keyring look-up is a D-Bus call and must not run on a GUI's loop thread."""
        password = await asyncio.to_thread(self._password)
        return await connect_async(self.server, password)

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self.open_connection()
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> TeamClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self, work: Callable[[psycopg.Connection[Any]], Any]) -> Any:
        """`work` on the shared connection; a lost connection becomes TeamUnavailable.

        A kept connection that the server dropped meanwhile (a restart) is only found out
        when used: then `work` runs once more on a new one. Everything run here may run
        twice (appends are by UUID, reads are reads, a claim renews our own).
        """
        with self._lock:
            reused = self._conn is not None and not self._conn.closed
            for attempt in (1, 2):
                conn = self._connection()
                try:
                    return work(conn)
                except psycopg.OperationalError as exc:
                    self.close()
                    if not (reused and attempt == 1):
                        raise explain(exc, self.server) from exc
                except psycopg.errors.InsufficientPrivilege as exc:
                    # A connection opened before `team remove-agent` stays open but has lost
                    # the agents' rights: say so, as a new connection would (NOLOGIN).
                    self.close()
                    raise TeamRefused(
                        f"The team server no longer lets {self.server.user!r} act in this "
                        "team space (removed from the team?): ask the team owner."
                    ) from exc
            raise AssertionError("unreachable")

    # -- setting up ----------------------------------------------------------------------

    def init(self) -> schema.TeamSpace:
        """As the owner: creates or upgrades the team space, bound to this environment's
        tenant. The owner does not join (it is not an agent)."""
        env = self.environment
        return self._run(  # type: ignore[no-any-return]
            lambda conn: schema.install_or_upgrade(conn, env.base_url, env.tenant_id)
        )

    def check(self) -> schema.TeamSpace:
        """What `join` checks, without joining (Settings → Team's "Test connection"): the
        server answers, the password is right, the schema is this version's, the space
        serves this environment's tenant, and the role is an agent. Raises TeamError."""

        def check(conn: psycopg.Connection[Any]) -> schema.TeamSpace:
            space = schema.check_joinable(conn)
            schema.check_tenant(space, self.environment.base_url, self.environment.tenant_id)
            me = conn.execute("SELECT session_user::text").fetchone()
            if me is not None and me[0] == space.owner:
                raise TeamRefused(
                    f"{space.owner} owns the team schema and is not an agent: join as an "
                    "agent role (`transmit-admin team add-agent NAME` creates one)."
                )
            return space

        return self._run(check)  # type: ignore[no-any-return]

    def join(self, *, share_history: bool = True) -> TeamLink:
        """As an agent: checks schema version and tenant, then links this environment."""
        space = self.check()
        return self.outbox.link(
            self.environment.name, space.team_id, self.server.url, share_history=share_history
        )

    def _check_still_bound(self, conn: psycopg.Connection[Any]) -> None:
        link = self.outbox.link_of(self.environment.name)
        if link is None:
            raise TeamRefused("This environment has not joined a team: run `team join URL`.")
        space = schema.check_joinable(conn)
        if space.team_id != link.team_id:
            raise TeamRefused(
                "The team database now holds another team space than the one this "
                "environment joined: run `transmit-admin team join URL` again."
            )
        schema.check_tenant(space, self.environment.base_url, self.environment.tenant_id)

    # -- moving events -------------------------------------------------------------------

    def push(self) -> tuple[int, int]:
        """Sends the outbox; returns (sent, refused). An event is removed from the outbox
        only after the journal committed it, so a crash re-sends (UUIDs: no duplicate)."""
        env = self.environment.name
        sent = refused = 0
        while True:
            batch = self.outbox.pending(env, PUSH_BATCH)
            if not batch:
                return sent, refused
            good: list[SharedEvent] = []
            bad: list[str] = []
            for event in batch:
                try:
                    good.append(guard.check_event(event))
                except SecretInEvent:
                    bad.append(event.event_uuid)
            self._run(functools.partial(journal.append, events=good))
            self.outbox.mark_pushed(env, [e.event_uuid for e in good] + bad)
            sent += len(good)
            refused += len(bad)

    def pull(self) -> ApplyResult:
        """Applies every journal event committed since the last pull (never loses one
        committed out of order; never applies one twice)."""
        with self._pull_lock:
            return self._pull()

    def _pull(self) -> ApplyResult:
        env = self.environment.name
        total = ApplyResult()
        link = self.outbox.link_of(env)
        if link is None:
            raise TeamRefused("This environment has not joined a team: run `team join URL`.")
        cursor = (link.cursor_xid, link.cursor_seq)
        below: int = self._run(journal.horizon)
        while True:
            page: journal.PullPage = self._run(
                functools.partial(journal.pull_page, after=cursor, below=below)
            )
            result = self.outbox.apply(env, page.events, cursor=page.cursor)
            total = total + result
            cursor = page.cursor
            if page.complete:
                return total

    def sync(self) -> SyncReport:
        """Push, then pull. Never raises for an unreachable server: the report says so."""
        env = self.environment.name
        if self.outbox.link_of(env) is None:
            return SyncReport(TeamState.NOT_JOINED, 0, reason="run `transmit-admin team join URL`")
        try:
            self._run(self._check_still_bound)
            pushed, refused = self.push()
            applied = self.pull()
        except TeamUnavailable as exc:
            return SyncReport(TeamState.OFFLINE, self.outbox.waiting(env), reason=exc.sentence())
        except TeamError as exc:
            return SyncReport(TeamState.REFUSED, self.outbox.waiting(env), reason=exc.sentence())
        return SyncReport(
            TeamState.CONNECTED,
            self.outbox.waiting(env),
            pushed=pushed,
            applied=applied.applied,
            already_present=applied.already_present,
            skipped=applied.skipped,
            refused_events=refused,
            session_ids=applied.session_ids,
            new_sessions=applied.new_sessions,
        )

    def status(self) -> SyncReport:
        """Connected / offline with N waiting / refused with the reason; moves nothing."""
        env = self.environment.name
        if self.outbox.link_of(env) is None:
            return SyncReport(TeamState.NOT_JOINED, 0, reason="run `transmit-admin team join URL`")
        try:
            self._run(self._check_still_bound)
        except TeamUnavailable as exc:
            return SyncReport(TeamState.OFFLINE, self.outbox.waiting(env), reason=exc.sentence())
        except TeamError as exc:
            return SyncReport(TeamState.REFUSED, self.outbox.waiting(env), reason=exc.sentence())
        return SyncReport(TeamState.CONNECTED, self.outbox.waiting(env))

    # -- claims and the log --------------------------------------------------------------

    def claim(self, session_id: str, action: str = "revoke", ttl: float = 30.0) -> claims.Claim:
        """Before a logout: `taken` False means a teammate is on it (`claim.sentence()`)."""
        return self._run(  # type: ignore[no-any-return]
            lambda conn: claims.take(conn, session_id, action, ttl)
        )

    def try_claim(
        self, session_id: str, action: str = "revoke", ttl: float = 30.0
    ) -> claims.Claim | None:
        """`claim()`, but None when the server cannot be reached: an offline revoke goes
        ahead (Transmit answers a second logout with "not found": already revoked)."""
        try:
            return self.claim(session_id, action, ttl)
        except TeamUnavailable:
            return None

    def release(self, session_id: str) -> None:
        self._run(lambda conn: claims.release(conn, session_id))

    def log(self, limit: int = 100, session_id: str | None = None) -> list[SharedEvent]:
        return self._run(  # type: ignore[no-any-return]
            lambda conn: journal.read_log(conn, limit=limit, session_id=session_id)
        )

    def listener(
        self,
        on_wake: Callable[[], None],
        on_state: Callable[[bool, str], None] | None = None,
    ) -> JournalListener:
        """A started-by-you (`.start()`) LISTEN thread with its own connection."""
        return JournalListener(self.open_connection, on_wake, on_state=on_state)
