"""Text from the network or from a token, made safe to show on a terminal or in a plain view.

A server message or a claim can carry terminal control sequences (`ESC[31m` recolours,
`ESC]0;…BEL` retitles the agent's terminal, `ESC[8m` hides what follows) or bidirectional
overrides that make text read differently from what it is. Such characters are shown as
visible escapes (`\\x1b`, `\\u202e`), never passed through.
"""

from __future__ import annotations

import unicodedata

# Invisible characters that reorder or hide text (bidi controls, line/paragraph separators).
_INVISIBLE = frozenset(
    "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _unsafe(char: str, keep: str) -> bool:
    if char in keep:
        return False
    if char in _INVISIBLE:
        return True
    return unicodedata.category(char) == "Cc"  # C0, DEL and C1 (0x9b is a one-byte CSI)


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character escaped; tabs (and newlines when asked) kept."""
    keep = "\t\n" if keep_newlines else "\t"
    if text.isprintable():  # False for any Cc, Cf or separator, tabs included
        return text  # the common case: nothing to escape
    return "".join(_escaped(c) if _unsafe(c, keep) else c for c in text)


def printable_json_text(text: str) -> str:
    """JSON written with `ensure_ascii=False` keeps DEL, C1 and bidi characters raw (only C0
    is escaped by the encoder): escape them as JSON `\\uXXXX` so the text stays valid JSON."""
    if text.isprintable() or all(not _unsafe(c, "\t\n") for c in text):
        return text
    return "".join(f"\\u{ord(c):04x}" if _unsafe(c, "\t\n") else c for c in text)
