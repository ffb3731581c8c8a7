"""The team's log as rows: `team log --json` and the audit panel's Team log export write the
same fields (the journal's sequence, event id, time, actor, kind, session, detail; never the
session's metadata snapshot, which is not what an audit asks)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import IO, Any, Literal

from transmit_admin.store.records import SharedEvent

LogFormat = Literal["csv", "json"]
FIELDS = ("seq", "event_id", "at", "actor", "kind", "session_id", "detail")


def log_row(event: SharedEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "event_id": event.event_uuid,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "kind": event.kind,
        "session_id": event.session_id,
        "detail": event.detail,
    }


def write_log(fp: IO[str], events: Sequence[SharedEvent], fmt: LogFormat) -> int:
    """Writes `events` (newest first, as `TeamClient.log` answers) to `fp`; returns how many."""
    rows = [log_row(event) for event in events]
    if fmt == "json":
        json.dump(rows, fp, indent=2)
        fp.write("\n")
    else:
        writer = csv.DictWriter(fp, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
