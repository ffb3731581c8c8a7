"""A keyset cursor at any row offset of a session query, without building any record.

The session table jumps into the middle of a million rows when the user drags the
scrollbar; walking there page by page would decode every skipped row. The store reads only
(sort value, id) pairs from the covering sort index with OFFSET and hands back an ordinary
`PageCursor`, from which pages are read by key again. Off the GUI thread the table uses
`store.reader.cursor_at_path` / `count_at_path` (a private read-only connection); this module
only turns "no such row" into `SeekFailed`, which the table treats as the end of the rows.
"""

from __future__ import annotations

from pathlib import Path

from transmit_admin.store import reader
from transmit_admin.store.reader import StoreReader, count_at_path
from transmit_admin.store.records import PageCursor, SessionQuery

__all__ = ["SeekFailed", "count_at_path", "cursor_at", "cursor_at_path"]


class SeekFailed(Exception):
    """The store has fewer rows than the offset asked for."""


def cursor_at(store: StoreReader, query: SessionQuery, offset: int) -> PageCursor | None:
    """The cursor after which row `offset` starts (None for 0), on the store's connection."""
    if offset <= 0:
        return None
    cursor = store.cursor_at(query, offset)
    if cursor is None:
        raise SeekFailed(offset)
    return cursor


def cursor_at_path(path: Path, query: SessionQuery, offset: int) -> PageCursor | None:
    """The same on a private read-only connection to the database file (any thread)."""
    if offset <= 0:
        return None
    cursor = reader.cursor_at_path(path, query, offset)
    if cursor is None:
        raise SeekFailed(offset)
    return cursor
