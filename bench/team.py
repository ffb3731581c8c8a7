"""Team mode: two clients on one throwaway PostgreSQL (tests/support/postgres.py).

- visible: A records 1,000 events (each pushed at once by a pusher thread woken by the
  action); B listens (LISTEN/NOTIFY, `JournalListener`) and pulls on every wake-up. Time from
  A's local commit until the event is in B's SQLite, per event; p95 printed.
- catch_up_100k: 100,000 journal events, a fresh client joins and pulls them all (s).
- vs_local: A's cost per action (a local event, as the GUI records it) with team mode on
  (the outbox row, a pusher thread sending meanwhile) ÷ off (an environment not linked).
Last line: RESULT visible_p95_ms=… catch_up_100k_s=… vs_local=…
Goals (issue 14): p95 < 1,000 ms, catch-up < 30 s, vs_local < 1.5.

Usage: python bench/team.py [--events 1000] [--catch-up 100000]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import postgres
from tests.support.store_factory import make_session
from transmit_admin.core.environment import Environment, Region
from transmit_admin.store.db import open_store
from transmit_admin.store.records import EventKind, SharedEvent
from transmit_admin.store.store import Store
from transmit_admin.team import journal, schema
from transmit_admin.team.server import TeamServer, connect
from transmit_admin.team.service import TeamClient

BASE_URL = "https://api.eu.transmitsecurity.io"
TENANT = "bench-tenant"


def environment() -> Environment:
    return Environment(
        "prod", Region.CUSTOM, BASE_URL, "client", f"{BASE_URL}/oidc", f"{BASE_URL}/jwks",
        tenant_id=TENANT,
    )  # fmt: skip


def client(server: TeamServer, password: str, store: Store) -> TeamClient:
    return TeamClient(store, environment(), server, lambda: password)


def visible_latencies(a: TeamClient, b: TeamClient, events: int) -> list[float]:
    a.store.upsert_session(make_session(1))
    b.store.upsert_session(make_session(1))
    committed: dict[str, float] = {}
    seen: dict[str, float] = {}
    wake_push = threading.Event()
    done = threading.Event()
    last_row = [0]

    def pusher() -> None:
        while not done.is_set():
            if wake_push.wait(0.1):
                wake_push.clear()
                a.push()

    def on_wake() -> None:
        b.pull()
        now = time.perf_counter()
        rows = b.store.db.conn.execute(
            "SELECT id, event_uuid FROM session_events WHERE origin = 'team' AND id > ?",
            [last_row[0]],
        ).fetchall()
        for row_id, event_uuid in rows:
            seen[event_uuid] = now
            last_row[0] = max(last_row[0], row_id)

    push_thread = threading.Thread(target=pusher, daemon=True)
    push_thread.start()
    with b.listener(on_wake) as listener:
        listener.listening.wait(5)
        for n in range(events):
            event = a.store.add_event("prod", "sess-000001", EventKind.NOTE_CHANGED, f"n{n}")
            committed[str(event.event_uuid)] = time.perf_counter()
            wake_push.set()
            time.sleep(0.002)
        deadline = time.monotonic() + 30
        while len(seen) < events and time.monotonic() < deadline:
            time.sleep(0.05)
    done.set()
    push_thread.join()
    return [(seen[u] - t) * 1000 for u, t in committed.items() if u in seen]


def catch_up(server: TeamServer, password: str, folder: Path, count: int) -> float:
    at = datetime.now(UTC)
    snapshot = {"user_id": "u", "created_at": 1.7e9, "expires_at": 4e9, "last_auth_at": 1.7e9}
    with connect(server, password, autocommit=False) as conn:
        for start in range(0, count, 5000):
            batch = [
                SharedEvent(str(uuid.uuid4()), "synced", f"bulk-{n % 2000}", at, "", "", snapshot)
                for n in range(start, min(count, start + 5000))
            ]
            journal.append(conn, batch)
            conn.commit()
    with open_store(folder / "fresh" / "sessions.sqlite") as store:
        fresh = client(server, password, store)
        fresh.join(share_history=False)
        started = time.perf_counter()
        fresh.pull()
        elapsed = time.perf_counter() - started
        fresh.close()
    return elapsed


def cost_per_action(store: Store, environment_name: str, actions: int) -> float:
    store.upsert_session(make_session(2, environment=environment_name))
    started = time.perf_counter()
    for n in range(actions):
        store.add_event(environment_name, "sess-000002", EventKind.NOTE_CHANGED, f"c{n}")
    return (time.perf_counter() - started) / actions


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--catch-up", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-team-"))
    with postgres.throwaway_cluster() as cluster:
        owner_password = secrets.token_urlsafe(12)
        owner = cluster.create_database("bench", owner_password)
        base = TeamServer("127.0.0.1", "bench", owner, cluster.port)
        passwords = {"bench_a": secrets.token_urlsafe(12), "bench_b": secrets.token_urlsafe(12)}
        with connect(base, owner_password) as conn:
            schema.install_or_upgrade(conn, BASE_URL, TENANT)
            for name, password in passwords.items():
                schema.add_agent(conn, name, password)
        with (
            open_store(folder / "a" / "sessions.sqlite") as store_a,
            open_store(folder / "b" / "sessions.sqlite") as store_b,
        ):
            a = client(base.with_user("bench_a"), passwords["bench_a"], store_a)
            b = client(base.with_user("bench_b"), passwords["bench_b"], store_b)
            a.join()
            b.join()
            latencies = sorted(visible_latencies(a, b, args.events))
            p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("inf")
            print(
                f"visible: {len(latencies)}/{args.events} arrived; median "
                f"{statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
                f"max {latencies[-1]:.1f} ms"
            )
            # Off: an environment of the same file that is not linked. On: linked, with a
            # pusher sending meanwhile (what the app does). Rounds interleave; best counts.
            stop = threading.Event()

            def keep_pushing() -> None:
                while not stop.is_set():
                    a.push()
                    time.sleep(0.01)

            offs, ons, quiet = [], [], []
            for _ in range(5):
                offs.append(cost_per_action(store_a, "dev", 300))
                quiet.append(cost_per_action(store_a, "prod", 300))
                stop.clear()
                pusher = threading.Thread(target=keep_pushing, daemon=True)
                pusher.start()
                ons.append(cost_per_action(store_a, "prod", 300))
                stop.set()
                pusher.join()
            off, on = min(offs), min(ons)
            print(
                f"per action: off {off * 1e3:.3f} ms, on (outbox only) "
                f"{min(quiet) * 1e3:.3f} ms, on (pusher sending meanwhile) {on * 1e3:.3f} ms"
            )
            a.close()
            b.close()
        seconds = catch_up(base.with_user("bench_b"), passwords["bench_b"], folder, args.catch_up)
        print(f"catch-up: {args.catch_up} events in {seconds:.1f} s")
    print(f"RESULT visible_p95_ms={p95:.0f} catch_up_100k_s={seconds:.1f} vs_local={on / off:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
