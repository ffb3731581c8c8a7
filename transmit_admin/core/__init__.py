"""Pure domain: token extraction and verification, reports, keys, environments, session rules.

No Qt, no I/O.
"""
