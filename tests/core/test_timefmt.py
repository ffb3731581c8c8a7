from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from transmit_admin.core.timefmt import describe, local_text, relative, span_text, utc_text

NOW = 1_800_000_000


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (12 * 60, "in 12 min"),
        (-3 * 3600, "3 h ago"),
        (-3 * 3600 - 25 * 60, "3 h 25 min ago"),
        (2 * 86400 + 4 * 3600, "in 2 d 4 h"),
        (45, "in 45 s"),
        (0.2, "now"),
    ],
)
def test_relative(offset: float, expected: str) -> None:
    assert relative(NOW + offset, NOW) == expected


def test_relative_accepts_aware_datetimes() -> None:
    now = datetime.fromtimestamp(NOW, UTC)
    assert relative(datetime.fromtimestamp(NOW - 120, UTC), now) == "2 min ago"


def test_utc_and_local_text() -> None:
    assert utc_text(0) == "1970-01-01 00:00:00 UTC"
    assert local_text(NOW).startswith("2027-01-1")
    assert "UTC" in describe(NOW, NOW)


# POSIX zone strings, so the test needs no tzdata on the machine.
@pytest.mark.parametrize(("zone", "shows_local"), [("ZZZ-2", True), ("UTC0", False)])
def test_describe_adds_local_time_only_when_it_differs(
    monkeypatch: pytest.MonkeyPatch, zone: str, shows_local: bool
) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        text = describe(NOW, NOW)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert text.startswith(utc_text(NOW))
    assert ("local" in text) is shows_local
    assert text.endswith("now")


@pytest.mark.parametrize("value", [1e300, -1e300, float("inf"), float("nan"), 10**30])
def test_out_of_range_values_give_text_not_exceptions(value: float) -> None:
    assert "range" in utc_text(value)
    assert "range" in local_text(value)
    assert isinstance(relative(value, NOW), str)
    assert span_text(float("inf")) == "forever"
