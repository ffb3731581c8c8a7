"""HAR intake: read a browser or proxy capture entry by entry, find every token and secret
in it, build the inventory and the auth-flow timeline, and write a sanitized copy.

Pure: no Qt, no network, no store. JWT verification is injected (`verify(token) ->
TokenReport`); which hosts are Transmit's comes from the environments passed in.
"""

from transmit_admin.core.har.analyze import HarAnalysis, analyze_har
from transmit_admin.core.har.entry import Entry
from transmit_admin.core.har.errors import (
    HarCancelled,
    HarError,
    HarNotHar,
    HarNotJson,
    HarTruncated,
    SanitizeRefused,
)
from transmit_admin.core.har.finders import Finding, SecretKind, find_in_entry
from transmit_admin.core.har.hosts import TransmitHosts
from transmit_admin.core.har.inventory import (
    Inventory,
    InventoryItem,
    LeakedSession,
    Sighting,
    Verifier,
)
from transmit_admin.core.har.reader import HarHead, HarReader, iter_entries
from transmit_admin.core.har.sanitize import Manifest, check_sanitized, sanitize_har, scan
from transmit_admin.core.har.timeline import Party, Step, Timeline

__all__ = [
    "Entry",
    "Finding",
    "HarAnalysis",
    "HarCancelled",
    "HarError",
    "HarHead",
    "HarNotHar",
    "HarNotJson",
    "HarReader",
    "HarTruncated",
    "Inventory",
    "InventoryItem",
    "LeakedSession",
    "Manifest",
    "Party",
    "SanitizeRefused",
    "SecretKind",
    "Sighting",
    "Step",
    "Timeline",
    "TransmitHosts",
    "Verifier",
    "analyze_har",
    "check_sanitized",
    "find_in_entry",
    "iter_entries",
    "sanitize_har",
    "scan",
]
