"""Human renderings of instants: UTC, the machine's local time, and relative to now.

Inputs come from untrusted tokens, so every function accepts any number (or aware datetime)
and answers with text instead of raising for values outside what `datetime` can represent.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

Instant = float | int | datetime

_UNITS = ((86400 * 365, "y"), (86400, "d"), (3600, "h"), (60, "min"), (1, "s"))


def _seconds(value: Instant) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


def _as_datetime(ts: Instant) -> datetime | None:
    try:
        seconds = _seconds(ts)
        if not math.isfinite(seconds):
            return None
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def span_text(seconds: float) -> str:
    """`3 h`, `12 min`, `2 d 4 h` for a non-negative duration."""
    seconds = abs(seconds)
    if not math.isfinite(seconds):
        return "forever"
    if seconds < 1:
        return "0 s"
    parts: list[str] = []
    for size, unit in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            parts.append(f"{count} {unit}")
            seconds -= count * size
            if len(parts) == 2 or size < 3600:
                break
        elif parts:
            break
    return " ".join(parts)


def relative(ts: Instant, now: Instant | None = None) -> str:
    """`in 12 min`, `3 h ago`, or `now` (within a second)."""
    reference = time.time() if now is None else _seconds(now)
    try:
        delta = _seconds(ts) - reference
    except (OverflowError, ValueError):
        return "at an unrepresentable time"
    if not math.isfinite(delta):
        return "at an unrepresentable time"
    if abs(delta) < 1:
        return "now"
    return f"in {span_text(delta)}" if delta > 0 else f"{span_text(delta)} ago"


def utc_text(ts: Instant) -> str:
    moment = _as_datetime(ts)
    if moment is None:
        return "out of the representable date range"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def local_text(ts: Instant) -> str:
    moment = _as_datetime(ts)
    if moment is None:
        return "out of the representable date range"
    try:
        local = moment.astimezone()
    except (OverflowError, OSError, ValueError):
        return "out of the representable local date range"
    return local.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def describe(ts: Instant, now: Instant | None = None) -> str:
    """`2026-11-27 04:40:00 UTC (05:40:00 CET local), 3 h ago`.

    The local part is left out when it says the same as the UTC part (a machine set to UTC)."""
    utc, local = utc_text(ts), local_text(ts)
    if local == utc:
        return f"{utc}, {relative(ts, now)}"
    return f"{utc} ({local} local), {relative(ts, now)}"
