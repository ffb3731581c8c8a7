"""`say`: the one way commands print a line for a person (cheap to import: the parser's
modules use it)."""

from __future__ import annotations

import sys
from typing import TextIO

from transmit_admin.core.printable import printable


def say(text: str, *, file: TextIO | None = None, flush: bool = False) -> None:
    """Prints a line for a person. Every command prints through here: the text may carry
    names, claims and messages from the network or a token, so control characters (terminal
    escapes) are shown escaped, never sent to the terminal."""
    print(printable(text, keep_newlines=True), file=file or sys.stdout, flush=flush)
