"""`POST /v1/users`: a new user from Transmit's `ApiCreateUserInput`, as the samples' sign-up
pages send it.

The body's types are checked by `validation.CREATE_USER`; this module adds what a schema
cannot say: which identifiers a user needs, the formats of emails and phone numbers, and that
no identifier already belongs to someone else (409, checked and inserted under one lock).
A created user is like a seeded one from then on: it can log in with its password, receive
magic links and OTPs, and its sessions show in `/sandbox/sessions`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from transmit_admin.sandbox import passwords, seed
from transmit_admin.sandbox.errors import ApiError
from transmit_admin.sandbox.models import User
from transmit_admin.sandbox.state import SandboxState

# Deliberately loose (one @, a dot in the domain): the sandbox must accept whatever a real
# address looks like; it only refuses what class-validator's IsEmail would refuse outright.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# Copied into the answer as given: their `ApiUser` shape is the input's.
_ECHOED = ("custom_data", "custom_app_data", "picture", "language", "external_account_id")


def create_user(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    """Validates, creates and stores the user; the 201 body `{"result": ApiUser}`."""
    _check_identifiers(body)
    now = state.now()
    credentials = body.get("credentials")
    name = body.get("name") or {}
    with state.lock:
        user_id = seed.random_id(state.random)
    user = User(
        user_id=user_id,
        email=body.get("email"),
        phone_number=body.get("phone_number"),
        username=body.get("username"),
        first_name=name.get("first_name"),
        last_name=name.get("last_name"),
        # [assumed] Transmit creates users Active: its samples log them in right away.
        status="Active",
        created_at=now,
        updated_at=now,
        email_verified=False,
        phone_number_verified=False,
        external_user_id=body.get("external_user_id"),
        profile=_profile(body, now),
    )
    if credentials is not None:
        user.password_digest = passwords.digest(credentials["password"])
        # `force_replace` defaults to true [doc]: the password is temporary. The sandbox has
        # no password-reset flow, so it lets a temporary password log in all the same
        # [assumed]; `password_information.temporary` tells the difference.
        user.password_temporary = credentials.get("force_replace", True) is not False
        user.password_updated_at = now
    state.add_user(user)
    return {"result": user.to_api()}


def _check_identifiers(body: dict[str, Any]) -> None:
    problems: list[str] = []
    email, phone, username = body.get("email"), body.get("phone_number"), body.get("username")
    if email is None and phone is None and username is None:
        # Transmit's page says "an email or a phone_number are required" [doc], yet its own
        # password sample signs users up with a username and password only, and that works.
        problems.append("one of email, phone_number or username should not be empty")
    if email is not None and not _EMAIL.match(email):
        problems.append("email must be an email")
    if phone is not None and not _E164.match(phone):
        problems.append("phone_number must be a valid phone number (E.164, e.g. +15550100)")
    if username is not None and not username.strip():
        problems.append("username should not be empty")
    for address in body.get("secondary_emails") or []:
        if not _EMAIL.match(address):
            problems.append("each value in secondary_emails must be an email")
            break
    for number in body.get("secondary_phone_numbers") or []:
        if not _E164.match(number):
            problems.append("each value in secondary_phone_numbers must be a valid phone number")
            break
    if body.get("credentials") is not None and email is None and username is None:
        # "The password of the user, who is identified by either a username or primary email."
        problems.append("credentials need a username or an email to log in with")
    birthday = body.get("birthday")
    if birthday is not None and not _is_iso_date(birthday):
        problems.append("birthday must be a valid ISO 8601 date string")
    if problems:
        raise ApiError(400, problems, 400)


def _is_iso_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _profile(body: dict[str, Any], now: float) -> dict[str, Any]:
    profile = {key: body[key] for key in _ECHOED if body.get(key) is not None}
    if body.get("birthday") is not None:
        profile["birthday"] = body["birthday"]
    if body.get("address") is not None:
        profile["address"] = {**body["address"], "updated_at": int(now * 1000)}
    if body.get("secondary_emails"):
        profile["secondary_emails"] = [
            {"value": value, "email_verified": False} for value in body["secondary_emails"]
        ]
    if body.get("secondary_phone_numbers"):
        profile["secondary_phone_numbers"] = [
            {"value": value, "phone_number_verified": False}
            for value in body["secondary_phone_numbers"]
        ]
    name = {
        key: value
        for key, value in (body.get("name") or {}).items()
        if key in ("title", "middle_name") and value is not None
    }
    if name:
        profile["name"] = name
    return profile
