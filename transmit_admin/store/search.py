"""Turns what a person types into a safe FTS5 query of prefixes.

Each whitespace-separated word becomes a quoted phrase with a prefix marker, so "ann.lee@ex"
finds ann.lee@example.com (the tokenizer splits it into ann, lee, ex*) and FTS5 operators
or quotes typed by the user are searched for, never interpreted.
"""

from __future__ import annotations

import re

# unicode61 splits on everything that is not a letter or a digit.
_TOKEN_CHARACTERS = re.compile(r"\w", re.UNICODE)


def match_expression(search: str) -> str | None:
    """The MATCH argument for `search`, or None when it contains nothing searchable."""
    phrases = []
    for word in search.split():
        word = word.rstrip("*")
        if not _has_token(word):
            continue
        phrases.append('"' + word.replace('"', '""') + '" *')
    return " AND ".join(phrases) if phrases else None


def _has_token(word: str) -> bool:
    return any(_TOKEN_CHARACTERS.match(ch) and ch != "_" for ch in word)
