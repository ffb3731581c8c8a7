"""A sanitized copy of a capture: still HAR 1.2, the same entries, no secret left.

Three streamed passes over the input, one entry in memory at a time: find (the inventory, unless
the caller already has it), rewrite into a temporary file beside the output (mode 0600), and
check: the temporary file is read back with the same reader and finder, and searched for every
known secret (base64 bodies decoded). Only a clean copy is renamed into place; otherwise it is
deleted and `SanitizeRefused` says what was left where (fail closed).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets as random_secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from transmit_admin.core.har.entry import Entry
from transmit_admin.core.har.errors import SanitizeRefused
from transmit_admin.core.har.finders import find_in_entry
from transmit_admin.core.har.inventory import Inventory
from transmit_admin.core.har.reader import Cancelled, HarReader, Progress
from transmit_admin.core.har.scrub import MIN_ANYWHERE, Scrubber

Opener = Callable[[], BinaryIO]  # opens the original capture again, at its start


@dataclass(frozen=True, slots=True)
class Manifest:
    """What was replaced (counts only; never a value)."""

    entries: int
    replaced: dict[str, int]
    secrets: dict[str, int]  # distinct secrets by kind (the inventory's counts)
    mask_pii: bool
    key_given: bool
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "replaced": self.replaced,
            "secrets": self.secrets,
            "mask_pii": self.mask_pii,
            "key_given": self.key_given,
            "notes": list(self.notes),
        }


def scan(
    open_source: Opener, *, on_progress: Progress | None = None, cancelled: Cancelled | None = None
) -> Inventory:
    """The inventory of a capture, without verification (see `inventory.Inventory.finish`)."""
    inventory = Inventory()
    with open_source() as stream:
        reader = HarReader(
            stream, total_bytes=_size(stream), on_progress=on_progress, cancelled=cancelled
        )
        for index, raw in reader.entries():
            inventory.add(Entry(index, raw))
    return inventory


def sanitize_har(
    open_source: Opener,
    out_path: Path,
    *,
    inventory: Inventory | None = None,
    key: bytes | None = None,
    mask_pii: bool = False,
    on_progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Manifest:
    """Writes the sanitized copy of the capture to `out_path` (atomically) and returns its
    manifest; raises `SanitizeRefused` (nothing written) if the check finds a secret."""
    if inventory is None:
        inventory = scan(open_source, cancelled=cancelled)
    scrubber = Scrubber(
        key if key is not None else random_secrets.token_bytes(32),
        ((item.value, item.kind) for item in inventory.items),
        mask_pii=mask_pii,
    )
    out_path = Path(out_path)
    handle, temp_name = tempfile.mkstemp(
        dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".tmp"
    )
    temp = Path(temp_name)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            entries, notes = _write(open_source, out, scrubber, on_progress, cancelled)
            out.flush()
            os.fsync(out.fileno())
        leftovers = check_sanitized(temp, inventory.values())
        if leftovers:
            raise SanitizeRefused(leftovers)
        os.replace(temp, out_path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return Manifest(
        entries, dict(scrubber.replaced), inventory.counts(), mask_pii, key is not None, notes
    )


def _write(
    open_source: Opener,
    out: Any,
    scrubber: Scrubber,
    on_progress: Progress | None,
    cancelled: Cancelled | None,
) -> tuple[int, tuple[str, ...]]:
    with open_source() as stream:
        reader = HarReader(
            stream, total_bytes=_size(stream), on_progress=on_progress, cancelled=cancelled
        )
        head = dict(reader.head.members)
        head.setdefault("version", "1.2")
        head.setdefault("creator", {"name": "unknown", "version": ""})
        out.write('{"log": {')
        for name, value in head.items():
            if name == "entries":
                continue
            out.write(f"{json.dumps(name)}: {_dumps(scrubber.rest(value, name))}, ")
        out.write('"entries": [')
        count = 0
        for _, raw in reader.entries():
            out.write(",\n" if count else "\n")
            out.write(_dumps(scrubber.entry(raw)))
            count += 1
        out.write("\n]}}\n")
        notes = list(reader.notes)
        if reader.skipped:
            notes.append(f"{reader.skipped} entries that were not objects were left out.")
    return count, tuple(notes)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _size(stream: BinaryIO) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        try:
            return len(stream.getbuffer())  # type: ignore[attr-defined]
        except AttributeError:
            return None


def check_sanitized(path: Path, planted: list[str] | None = None) -> list[str]:
    """What the finder still finds in a written HAR, and where any of `planted` (values that
    must not appear, searched in every string and in decoded base64 bodies) still is."""
    values = sorted((v for v in planted or [] if len(v) >= MIN_ANYWHERE), key=len, reverse=True)
    search = re.compile("|".join(map(re.escape, values))) if values else None
    leftovers: list[str] = []
    with path.open("rb") as stream:
        reader = HarReader(stream)
        for name, value in reader.head.members.items():
            if search is not None and search.search(_dumps(value)):
                leftovers.append(f"a known secret in log.{name}")
        for index, raw in reader.entries():
            entry = Entry(index, raw)
            for finding in find_in_entry(entry):
                leftovers.append(f"a {finding.kind.value} in entry {index + 1}, {finding.place}")
            if search is not None and (
                search.search(_dumps(raw)) or search.search(entry.response_text())
            ):
                leftovers.append(f"a known secret in entry {index + 1}")
    return leftovers
