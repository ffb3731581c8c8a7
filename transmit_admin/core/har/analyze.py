"""One pass over a capture: the inventory (verified) and the auth-flow timeline together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from transmit_admin.core.har.entry import Entry
from transmit_admin.core.har.finders import find_in_entry
from transmit_admin.core.har.hosts import TransmitHosts
from transmit_admin.core.har.inventory import Inventory, InventoryItem, Verifier
from transmit_admin.core.har.reader import Cancelled, HarHead, HarReader, Progress
from transmit_admin.core.har.timeline import Timeline, TimelineBuilder


@dataclass(slots=True)
class HarAnalysis:
    head: HarHead
    inventory: Inventory
    timeline: Timeline
    entries: int
    fingerprint: str  # sha256 of the capture's bytes: what the audit log records of it
    notes: list[str] = field(default_factory=list)

    def live(self, now: datetime) -> list[InventoryItem]:
        """Secrets that may still work at `now` (see `InventoryItem.possibly_live`)."""
        return self.inventory.live(now)

    def to_json(self, now: datetime | None = None) -> dict[str, Any]:
        """Everything but the secrets' values."""
        return {
            "fingerprint": self.fingerprint,
            "creator": self.head.creator,
            "browser": self.head.browser,
            "entries": self.entries,
            "counts": self.inventory.counts(),
            "inventory": [item.to_json(now) for item in self.inventory.items],
            "sessions": [
                {"subject": s.subject, "email": s.email, "fingerprint": s.item.fingerprint}
                for s in self.inventory.sessions()
            ],
            "timeline": self.timeline.to_json(),
            "notes": self.notes,
        }


def analyze_har(
    stream: BinaryIO,
    *,
    hosts: TransmitHosts | None = None,
    verify: Verifier | None = None,
    total_bytes: int | None = None,
    on_progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> HarAnalysis:
    """Reads the capture in `stream` once; `verify(token) -> TokenReport` checks each JWT
    (default: decoded, not verified). Raises `HarError` subclasses with a sentence."""
    reader = HarReader(
        stream, total_bytes=total_bytes, on_progress=on_progress, cancelled=cancelled
    )
    inventory = Inventory()
    timeline = TimelineBuilder(hosts or TransmitHosts())
    for index, raw in reader.entries():
        entry = Entry(index, raw)
        findings = find_in_entry(entry)
        inventory.add(entry, findings)
        timeline.add(entry, {f.kind.value for f in findings})
    inventory.finish(verify)
    notes = list(reader.notes)
    if reader.skipped:
        notes.append(f"{reader.skipped} entries were not objects and were skipped.")
    return HarAnalysis(
        reader.head,
        inventory,
        timeline.finish(inventory),
        inventory.entries,
        reader.fingerprint or "",
        notes,
    )
