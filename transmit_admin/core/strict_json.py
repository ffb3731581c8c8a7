"""JSON decoding that refuses the ambiguous: duplicate names, NaN/Infinity, deep nesting.

A token whose header or claims name the same member twice is read differently by different
libraries (first copy or last copy wins), so a support tool must not pick one for the user.
Nesting is bounded before parsing, so hostile input cannot make the parser recurse deeply.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64

# Strings can hold brackets; blank them out before counting nesting.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class JsonRejected(ValueError):
    """The bytes are not one unambiguous JSON object; the message says why, in plain words."""


class _DuplicateName(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _DuplicateName(name)
        result[name] = value
    return result


def _reject_constant(name: str) -> Any:
    raise JsonRejected(f"contains {name}, which is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRejected("contains a number too large to represent")
    return value


# Built once: `json.loads` with hooks constructs a new decoder on every call.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicates, parse_constant=_reject_constant, parse_float=_finite_float
)


def nesting_depth(data: bytes) -> int:
    # Fast path: fewer opening brackets than the limit cannot nest deeper than the limit.
    if data.count(b"{") + data.count(b"[") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', data)):
        if match.group() in (b"{", b"["):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:  # deep enough to refuse: the rest need not be read
                return deepest
        else:
            depth -= 1
    return deepest


def loads_value(data: bytes) -> Any:
    """Any JSON value, with the same refusals as `loads_object`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonRejected("is not UTF-8 text") from None
    if nesting_depth(data) > MAX_DEPTH:
        raise JsonRejected(f"is nested more than {MAX_DEPTH} levels deep")
    try:
        return _DECODER.decode(text)
    except _DuplicateName as dup:
        shown = dup.name if len(dup.name) <= 40 else dup.name[:40] + "…"
        raise JsonRejected(f"names {shown!r} twice; refusing to guess which copy counts") from None
    except JsonRejected:
        raise
    except RecursionError:  # the depth bound makes this unreachable; never let it escape
        raise JsonRejected(f"is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise JsonRejected(f"is not valid JSON ({_short_reason(exc)})") from None


def loads_object(data: bytes) -> dict[str, Any]:
    value = loads_value(data)
    if not isinstance(value, dict):
        raise JsonRejected(f"is JSON but not an object (it is {_json_type(value)})")
    return value


def _short_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at character {exc.pos}"
    return str(exc)[:80]


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true or false"
    if value is None:
        return "null"
    return "a number"
