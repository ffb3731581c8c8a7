"""Text from the network or a token is shown with its control characters escaped."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from transmit_admin.core.printable import printable, printable_json_text


def test_terminal_sequences_and_bidi_overrides_are_escaped() -> None:
    text = "a\x1b[31mred\x1b]0;title\x07 \u202egnp.exe \x9b2J \x7f"
    shown = printable(text)
    for control in ("\x1b", "\x07", "\u202e", "\x9b", "\x7f"):
        assert control not in shown
    assert shown == "a\\x1b[31mred\\x1b]0;title\\x07 \\u202egnp.exe \\x9b2J \\x7f"


def test_plain_text_and_non_latin_names_pass_unchanged() -> None:
    for text in ("ann@example.com", "Zoë Ñúñez", "山田太郎", "tab\there"):
        assert printable(text) == text


def test_newlines_are_kept_only_when_asked() -> None:
    assert printable("one\ntwo") == "one\\x0atwo"
    assert printable("one\ntwo", keep_newlines=True) == "one\ntwo"
    assert printable("one\r\ntwo", keep_newlines=True) == "one\\x0d\ntwo"


@given(st.text())
def test_nothing_unsafe_survives(text: str) -> None:
    shown = printable(text, keep_newlines=True)
    bidi = set("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e") | set(
        "\u2066\u2067\u2068\u2069"
    )
    for char in shown:
        assert char in "\t\n" or unicodedata.category(char) != "Cc"
        assert char not in bidi


@given(st.text())
def test_json_stays_valid_and_means_the_same(text: str) -> None:
    encoded = printable_json_text(json.dumps({"v": text}, ensure_ascii=False))
    assert json.loads(encoded) == {"v": text}
    assert "\x1b" not in encoded
    assert "\x9b" not in encoded
