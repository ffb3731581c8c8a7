"""Why a HAR could not be read or written, as values with one plain sentence each.

A capture reaches the agent from a customer, so anything may be in it: every failure here is
a typed exception whose `sentence()` says what happened and what to do, never a traceback.
"""

from __future__ import annotations


class HarError(Exception):
    """Base of every HAR failure; `sentence()` is for people, `details()` for the log."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def sentence(self) -> str:
        return self.message

    def details(self) -> str:
        return f"{type(self).__name__}: {self.message}" + (
            f" ({self.detail})" if self.detail else ""
        )


class HarNotJson(HarError):
    """The input is not JSON at all (a web page, a zip, a screenshot...)."""


class HarNotHar(HarError):
    """Valid JSON, but not a HAR (no `log.entries` list)."""


class HarTruncated(HarError):
    """The JSON ends early or breaks off in the middle: a cut-short download or export."""

    def __init__(self, message: str, *, entries_read: int, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.entries_read = entries_read


class HarCancelled(HarError):
    """The caller asked to stop between two entries."""

    def __init__(self, entries_read: int) -> None:
        super().__init__(f"Reading the capture was cancelled after {entries_read} entries.")
        self.entries_read = entries_read


class SanitizeRefused(HarError):
    """The sanitized copy still held something secret when checked, so it was not written."""

    def __init__(self, leftovers: list[str]) -> None:
        shown = "; ".join(leftovers[:5]) + ("; …" if len(leftovers) > 5 else "")
        super().__init__(
            f"The sanitized copy was not written: the check found {len(leftovers)} secret(s) "
            f"still in it ({shown}). Please report this capture's shape as a bug."
        )
        self.leftovers = leftovers
