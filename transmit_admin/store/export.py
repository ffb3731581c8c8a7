"""Export of sessions and audit entries (CSV or JSON) and the parsing of an import.

Both work on iterables of records, not on the store: the store hands over a stream read page
by page (a million sessions never sit in memory) and inserts what `read_import` yields in one
transaction (`Sessions.import_records`: a malformed row, a crash or a kill leaves no partial
rows). Times are written as ISO 8601 in UTC; `factors` as a space-separated list in CSV and
an array in JSON.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any, Literal

from transmit_admin.core.lifecycle import SESSION_LIFETIME, SessionStatus
from transmit_admin.store.records import AuditEntry, SessionRecord

ExportFormat = Literal["csv", "json"]
SESSION_FIELDS = tuple(f.name for f in dataclasses.fields(SessionRecord))
AUDIT_FIELDS = tuple(f.name for f in dataclasses.fields(AuditEntry))


class ImportRefused(ValueError):
    """The import file is malformed; nothing was imported. `row` is 1-based (0: the file)."""

    def __init__(self, message: str, row: int = 0) -> None:
        super().__init__(f"row {row}: {message}" if row else message)
        self.row = row


def _plain(value: Any, *, csv_cell: bool) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, tuple):
        return " ".join(value) if csv_cell else list(value)
    if isinstance(value, SessionStatus):
        return str(value)
    if csv_cell and value is None:
        return ""
    return value


def _as_dict(record: Any, fields: tuple[str, ...], *, csv_cell: bool) -> dict[str, Any]:
    return {name: _plain(getattr(record, name), csv_cell=csv_cell) for name in fields}


def _write(rows: Iterable[Any], fields: tuple[str, ...], fp: IO[str], fmt: ExportFormat) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(fp, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(_as_dict(row, fields, csv_cell=True))
            count += 1
        return count
    if fmt != "json":
        raise ValueError(f"unknown export format {fmt!r}; use csv or json")
    fp.write("[")
    for row in rows:
        fp.write(",\n" if count else "\n")
        fp.write(json.dumps(_as_dict(row, fields, csv_cell=False), ensure_ascii=False))
        count += 1
    fp.write("\n]\n" if count else "]\n")
    return count


def write_sessions(records: Iterable[SessionRecord], fp: IO[str], fmt: ExportFormat) -> int:
    return _write(records, SESSION_FIELDS, fp, fmt)


def write_audit(entries: Iterable[AuditEntry], fp: IO[str], fmt: ExportFormat) -> int:
    return _write(entries, AUDIT_FIELDS, fp, fmt)


def _rows_of(fp: IO[str]) -> Iterator[dict[str, Any]]:
    first = fp.readline()
    while first and not first.strip():
        first = fp.readline()
    if first.lstrip().startswith("["):
        try:
            loaded = json.loads(first + fp.read())
        except json.JSONDecodeError as exc:
            raise ImportRefused(f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
        if not isinstance(loaded, list) or not all(isinstance(r, dict) for r in loaded):
            raise ImportRefused("a JSON import must be an array of session objects")
        yield from loaded
        return
    yield from csv.DictReader(itertools.chain([first], fp))


def _time(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{name} is not an ISO 8601 time: {value!r}") from exc
    if moment.tzinfo is None:
        raise ValueError(f"{name} has no time zone: {value!r} (write it as UTC, +00:00)")
    return moment


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def record_from_import(row: dict[str, Any]) -> SessionRecord:
    for name in ("environment", "session_id", "user_id", "created_at"):
        if not row.get(name):
            raise ValueError(f"{name} is missing")
    created = _time(row["created_at"], "created_at")
    assert created is not None
    factors = row.get("factors") or ()
    return SessionRecord(
        environment=str(row["environment"]),
        session_id=str(row["session_id"]),
        user_id=str(row["user_id"]),
        created_at=created,
        expires_at=_time(row.get("expires_at"), "expires_at") or created + SESSION_LIFETIME,
        last_auth_at=_time(row.get("last_auth_at"), "last_auth_at") or created,
        status=SessionStatus(row.get("status") or "active"),
        source="imported",
        email=_text(row.get("email")),
        app_id=_text(row.get("app_id")),
        app_name=_text(row.get("app_name")),
        client_id=_text(row.get("client_id")),
        tenant_id=_text(row.get("tenant_id")),
        last_checked_at=_time(row.get("last_checked_at"), "last_checked_at"),
        factors=tuple(factors.split() if isinstance(factors, str) else factors),
        local_ref=_text(row.get("local_ref")),
        note=_text(row.get("note")),
        revoked_at=_time(row.get("revoked_at"), "revoked_at"),
        ended_at=_time(row.get("ended_at"), "ended_at"),
        access_expires_at=_time(row.get("access_expires_at"), "access_expires_at"),
    )


def read_import(fp: IO[str]) -> Iterator[SessionRecord]:
    """The sessions of an export (CSV or JSON, detected), one at a time; a malformed row
    raises `ImportRefused` naming it."""
    for number, row in enumerate(_rows_of(fp), start=1):
        try:
            yield record_from_import(row)
        except (ValueError, TypeError, AttributeError) as exc:
            raise ImportRefused(str(exc), number) from exc
