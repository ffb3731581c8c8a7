"""A subset of the SCIM filter syntax Transmit's `GET /v1/users?search=` accepts.

Supported: `attr op "value"` comparisons joined by `and` / `or` (no parentheses), with
ops eq, ne, co, sw, ew and `attr pr`; attributes email, phone_number, username, user_id,
external_user_id, status, name.first_name, name.last_name (`email.value` and
`phone_number.value` too).
A bare word with no operator matches it as a substring of email, phone number, username or
name, which is what a support agent typing into a search box means.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from transmit_admin.sandbox.models import User

Predicate = Callable[[User], bool]

# An attribute a user lacks (a created user may have no email or phone) reads as "": it never
# equals a value and `pr` is false for it.
_ATTRIBUTES: dict[str, Callable[[User], str]] = {
    "email": lambda u: u.email or "",
    "email.value": lambda u: u.email or "",
    "phone_number": lambda u: u.phone_number or "",
    "phone_number.value": lambda u: u.phone_number or "",
    "username": lambda u: u.username or "",
    "user_id": lambda u: u.user_id,
    "external_user_id": lambda u: u.external_user_id or "",
    "status": lambda u: u.status,
    "name.first_name": lambda u: u.first_name or "",
    "name.last_name": lambda u: u.last_name or "",
}
_OPS: dict[str, Callable[[str, str], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "co": lambda a, b: b in a,
    "sw": lambda a, b: a.startswith(b),
    "ew": lambda a, b: a.endswith(b),
}


class SearchSyntaxError(ValueError):
    pass


def parse_search(text: str) -> Predicate:
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise SearchSyntaxError(f"search is not a valid filter: {exc}") from None
    if len(words) == 1 and words[0].lower() not in _ATTRIBUTES:
        return _free_text(words[0])
    alternatives: list[list[Predicate]] = [[]]
    index = 0
    while index < len(words):
        predicate, index = _comparison(words, index)
        alternatives[-1].append(predicate)
        if index < len(words):
            joiner = words[index].lower()
            if joiner == "or":
                alternatives.append([])
            elif joiner != "and":
                raise SearchSyntaxError(f"expected 'and' or 'or', found {words[index]!r}")
            index += 1
            if index == len(words):
                raise SearchSyntaxError("search ends after a logical operator")
    return lambda user: any(all(p(user) for p in group) for group in alternatives)


def _comparison(words: list[str], index: int) -> tuple[Predicate, int]:
    attribute = words[index].lower()
    if attribute not in _ATTRIBUTES:
        raise SearchSyntaxError(f"cannot search by {words[index]!r}")
    read = _ATTRIBUTES[attribute]
    if index + 1 >= len(words):
        raise SearchSyntaxError(f"missing operator after {words[index]!r}")
    op = words[index + 1].lower()
    if op == "pr":
        return (lambda user: bool(read(user))), index + 2
    if op not in _OPS or index + 2 >= len(words):
        raise SearchSyntaxError(f"expected an operator ({', '.join(_OPS)}, pr) and a value")
    compare, value = _OPS[op], words[index + 2]
    # SCIM compares strings case-insensitively except where attributes say otherwise.
    return (lambda user: compare(read(user).lower(), value.lower())), index + 3


def _free_text(word: str) -> Predicate:
    needle = word.lower()
    pattern = re.compile(re.escape(needle))

    def matches(user: User) -> bool:
        fields = (
            user.email,
            user.phone_number,
            user.username,
            user.first_name,
            user.last_name,
            user.user_id,
        )
        haystack = " ".join(value for value in fields if value).lower()
        return pattern.search(haystack) is not None

    return matches
