"""User look-ups: by email, by id, search (SCIM subset, prefix, paging, sorting)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.support.sandbox_admin import SandboxAdmin

USERS = "/cis/v1/users"


def emails(page: dict[str, Any]) -> list[str]:
    return [user["email"]["value"] for user in page["result"]]


def test_user_by_email_and_by_id(transmit: httpx.Client, sandbox_admin: SandboxAdmin) -> None:
    seeded = sandbox_admin.users()[2]
    by_email = transmit.get(f"{USERS}/email/{quote(seeded['email'])}").json()["result"]
    assert by_email["user_id"] == seeded["user_id"]
    assert by_email["phone_number"]["value"] == seeded["phone_number"]
    assert by_email["status"] == "Active"
    assert isinstance(by_email["created_at"], int)
    by_id = transmit.get(f"{USERS}/{seeded['user_id']}").json()["result"]
    assert by_id == by_email


def test_unknown_users_are_404(transmit: httpx.Client) -> None:
    for path in (f"{USERS}/email/nobody@example.com", f"{USERS}/no-such-id"):
        response = transmit.get(path)
        assert response.status_code == 404
        assert response.json() == {"message": "User not found", "error_code": 404}


def test_email_lookup_ignores_case(transmit: httpx.Client, sandbox_admin: SandboxAdmin) -> None:
    email = sandbox_admin.users()[0]["email"].upper()
    assert transmit.get(f"{USERS}/email/{email}").status_code == 200


def test_list_all_with_paging(transmit: httpx.Client) -> None:
    everyone = transmit.get(USERS).json()
    assert everyone["total_count"] == 5
    assert everyone["page_info"] == {"has_next_page": False, "has_previous_page": False}
    page = transmit.get(USERS, params={"page_offset": 2, "page_limit": 2}).json()
    assert page["total_count"] == 5
    assert len(page["result"]) == 2
    assert page["page_info"] == {"has_next_page": True, "has_previous_page": True}


@pytest.mark.parametrize(
    ("search", "count"),
    [
        ('email eq "alice.anders@example.com"', 1),
        ('email co "example.com"', 5),
        ('email sw "bruno"', 1),
        ('email co "alice" or email co "bruno"', 2),
        ('email co "example" and status eq "Active"', 5),
        ("alice", 1),
        ("+15550100001", 1),
        ("nobody-at-all", 0),
    ],
)
def test_search_filters(transmit: httpx.Client, search: str, count: int) -> None:
    page = transmit.get(USERS, params={"search": search}).json()
    assert page["total_count"] == count


def test_search_prefix_matches_email_or_phone(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin
) -> None:
    third = sandbox_admin.users()[2]
    prefix = third["email"][:6]
    assert emails(transmit.get(USERS, params={"search_prefix": prefix}).json()) == [third["email"]]
    assert transmit.get(USERS, params={"search_prefix": "+1555"}).json()["total_count"] == 5
    assert transmit.get(USERS, params={"search_prefix": "zzz"}).json()["total_count"] == 0


def test_sorting_by_email(transmit: httpx.Client) -> None:
    ascending = emails(transmit.get(USERS, params={"sort_field": "email"}).json())
    assert ascending == sorted(ascending)
    descending = emails(
        transmit.get(USERS, params={"sort_field": "email", "sort_order": "desc"}).json()
    )
    assert descending == sorted(ascending, reverse=True)


@pytest.mark.parametrize(
    "params",
    [
        {"search": 'email zz "x"'},
        {"search": 'email eq "x" and'},
        {"search": 'password eq "x"'},
        {"sort_field": "password"},
        {"sort_order": "sideways"},
        {"page_limit": "many"},
        {"page_limit": "10001"},
    ],
)
def test_bad_queries_are_400_with_a_message_list(
    transmit: httpx.Client, params: dict[str, str]
) -> None:
    response = transmit.get(USERS, params=params)
    assert response.status_code == 400
    assert isinstance(response.json()["message"], list)
