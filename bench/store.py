"""Session table queries at 1,000 and at 1,000,000 sessions, in one run.

Fills a temporary store at each size (bulk load: rows first, then each index once), then
times what the session table does: the first page, a filtered page (active sessions sorted
by user; the second page, read by key from the first page's cursor), a prefix search and a
filtered count (status + app). Each query runs once to warm up, then ROUNDS rounds
interleave sizes and queries; the best run counts (medians are printed too): on a shared,
loaded machine the best run is the one least disturbed, at both sizes alike. The last line
is the machine-readable result:
    RESULT first_page_ms=… filtered_ms=… search_ms=… count_ms=… growth=…
(times at 1M; growth = the worst 1M/1k ratio of the page and search queries.)

The search in RESULT is the prefix of a session id copied from a log line ("TgT9xQ2r"). Also
timed and printed, not part of RESULT: one person's email typed up to the domain
("mariana.kowalski4@exa": its words "mariana", "exa*" are shared by many rows, and the
full-text query pays for them), a name shared by hundreds ("mariana.kowals") and three
letters ("mar", tens of thousands of matches at 1M): their cost follows their number of
matches, which grows with the table.

Usage: python bench/store.py [--sizes 1000,1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transmit_admin.core.lifecycle import SESSION_LIFETIME, SessionStatus
from transmit_admin.store.bulk import bulk_load_sessions
from transmit_admin.store.db import open_store
from transmit_admin.store.records import SessionQuery, SessionRecord
from transmit_admin.store.store import Store

ROUNDS = 25
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FIRST = [
    "mariana",
    "ann",
    "anna",
    "james",
    "li",
    "wei",
    "fatima",
    "olga",
    "pedro",
    "sofia",
    "noah",
    "emma",
    "liam",
    "mia",
    "lucas",
    "chloe",
    "yusuf",
    "amara",
    "kenji",
    "hana",
    "ivan",
    "elena",
    "omar",
    "leila",
    "diego",
    "lucia",
    "tom",
    "sara",
    "ben",
    "nora",
    "paul",
    "ines",
    "ali",
    "zoe",
    "max",
    "eva",
    "sam",
    "ada",
    "leo",
    "ida",
    "kai",
    "rosa",
]
LAST = [
    "kowalski",
    "lee",
    "garcia",
    "smith",
    "nguyen",
    "mueller",
    "rossi",
    "silva",
    "kim",
    "tanaka",
    "haddad",
    "novak",
    "dubois",
    "martin",
    "lopez",
    "brown",
    "khan",
    "ivanova",
    "costa",
    "weber",
    "santos",
    "ito",
    "park",
    "moreau",
    "fischer",
    "jensen",
    "horvat",
    "kaya",
    "okafor",
    "mensah",
    "reyes",
    "suzuki",
    "wright",
    "young",
    "zhou",
    "adams",
    "baker",
    "clark",
    "evans",
]
DOMAINS = ["example.com", "mail.test", "corp.example", "shop.test"]
APP_NAMES = ["Shop", "Billing", "Portal", "Mobile", "Admin", "Partner"]
APPS = [(f"app-{n}", name) for n, name in enumerate(APP_NAMES)]
SESSION_ID_CHARACTERS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
STATUSES = [SessionStatus.ACTIVE, SessionStatus.REVOKED, SessionStatus.ENDED]
TARGET_EMAIL = "mariana.kowalski4@example.com"
TARGET_SESSION = "TgT9xQ2rLmVb"  # + random characters, like every other session id


def _sessions(count: int, seed: int = 7) -> Iterator[SessionRecord]:
    rng = random.Random(seed)
    users = max(1, count // 4)  # about four sessions per person
    for number in range(count):
        person = rng.randrange(users)
        first, last = FIRST[person % len(FIRST)], LAST[(person // len(FIRST)) % len(LAST)]
        suffix = person // (len(FIRST) * len(LAST))
        email = f"{first}.{last}{suffix or ''}@{DOMAINS[person % len(DOMAINS)]}"
        session_id = "".join(rng.choices(SESSION_ID_CHARACTERS, k=28))
        if number == count // 2:
            email, session_id = TARGET_EMAIL, TARGET_SESSION + session_id[12:]
        created = NOW - timedelta(seconds=rng.randrange(20 * 86400))
        last_auth = created + timedelta(seconds=rng.randrange(3 * 86400))
        expires = last_auth + SESSION_LIFETIME
        status = rng.choices(STATUSES, weights=(7, 2, 1))[0]
        if status is SessionStatus.ACTIVE and expires <= NOW:
            status = SessionStatus.EXPIRED
        app_id, app_name = APPS[rng.randrange(len(APPS))]
        yield SessionRecord(
            environment="prod" if rng.random() < 0.95 else "staging",
            session_id=session_id,
            user_id=f"usr_{person:08x}",
            created_at=created,
            expires_at=expires,
            last_auth_at=last_auth,
            status=status,
            source="synced",
            email=email,
            app_id=app_id,
            app_name=app_name,
            factors=("eml",),
        )


QUERY_NAMES = (
    "first_page",
    "filtered",
    "search",
    "email_search",
    "name_search",
    "broad_search",
    "count",
    "user",
)


def _queries(store: Store) -> dict[str, Callable[[], object]]:
    """What the session table asks, as callables over one store."""
    filtered = SessionQuery("prod", status=SessionStatus.ACTIVE, sort="user")
    second_page = store.page_sessions(filtered).next_cursor
    assert second_page is not None, "too few sessions for a second filtered page"
    for name in ("search", "email_search"):
        found = store.page_sessions(SEARCHES[name]).rows
        assert any(r.email == TARGET_EMAIL for r in found), f"{name} lost its target"
    counted = SessionQuery("prod", status=SessionStatus.ACTIVE, app="app-2")
    return {
        "first_page": lambda: store.page_sessions(SessionQuery("prod")),
        "filtered": lambda: store.page_sessions(filtered, second_page),
        "search": lambda: store.page_sessions(SEARCHES["search"]),
        "email_search": lambda: store.page_sessions(SEARCHES["email_search"]),
        "name_search": lambda: store.page_sessions(SEARCHES["name_search"]),
        "broad_search": lambda: store.page_sessions(SEARCHES["broad_search"]),
        "count": lambda: store.count_sessions(counted),
        "user": lambda: store.sessions_of_user("prod", TARGET_EMAIL),
    }


SEARCHES = {
    "search": SessionQuery("prod", search=TARGET_SESSION[:8]),  # "TgT9xQ2r"
    "email_search": SessionQuery("prod", search=TARGET_EMAIL[:21]),  # "mariana.kowalski4@exa"
    "name_search": SessionQuery("prod", search="mariana.kowals"),
    "broad_search": SessionQuery("prod", search="mar"),
}


def _build(size: int, folder: Path) -> tuple[Path, float]:
    path = folder / f"bench-{size}.sqlite"
    if path.exists():  # a kept store from an earlier run (--keep)
        return path, 0.0
    with open_store(path, clock=lambda: NOW) as store:
        started = time.perf_counter()
        bulk_load_sessions(store, _sessions(size))
        load_s = time.perf_counter() - started
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path, load_s


def _measure(stores: dict[int, Store]) -> dict[int, dict[str, list[float]]]:
    """Rounds that interleave sizes and queries, so a burst of load from other processes
    hits both sizes alike; each query is warmed up once first."""
    calls = {size: _queries(store) for size, store in stores.items()}
    samples: dict[int, dict[str, list[float]]] = {size: {} for size in stores}
    for size, queries in calls.items():
        for name, action in queries.items():
            action()
            samples[size][name] = []
    for _ in range(ROUNDS):
        for name in QUERY_NAMES:
            for size, queries in calls.items():
                started = time.perf_counter()
                queries[name]()
                samples[size][name].append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,1000000")
    parser.add_argument("--keep", type=Path, help="build the stores here and keep them")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="transmit-admin-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    stores: dict[int, Store] = {}
    try:
        for size in sizes:
            path, load_s = _build(size, folder)
            started = time.perf_counter()
            stores[size] = open_store(path, clock=lambda: NOW)
            open_ms = (time.perf_counter() - started) * 1000
            matches = {k: stores[size].count_sessions(q) for k, q in SEARCHES.items()}
            print(
                f"{size:>9,} sessions: bulk load {load_s:6.1f} s, file "
                f"{path.stat().st_size / 1e6:7.1f} MB, open {open_ms:6.1f} ms; search matches: "
                + ", ".join(f"{k} {n}" for k, n in matches.items()),
                flush=True,
            )
        samples = _measure(stores)
    finally:
        for store in stores.values():
            store.close()
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    best = {size: {k: min(v) for k, v in by_name.items()} for size, by_name in samples.items()}
    print(f"{'best / median ms':<16}" + "".join(f"{n:>22}" for n in sizes))
    for name in QUERY_NAMES:
        cells = "".join(
            f"{best[size][name]:>12.2f} / {statistics.median(samples[size][name]):>7.2f}"
            for size in sizes
        )
        print(f"{name:<16}{cells}")
    small, large = best[sizes[0]], best[sizes[-1]]
    growth = max(large[k] / small[k] for k in ("first_page", "filtered", "search"))
    for key in ("email_search", "name_search", "broad_search"):
        print(f"{key} growth (informational, follows its matches): {large[key] / small[key]:.1f}")
    print(
        f"RESULT first_page_ms={large['first_page']:.2f} filtered_ms={large['filtered']:.2f} "
        f"search_ms={large['search']:.2f} count_ms={large['count']:.2f} growth={growth:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
