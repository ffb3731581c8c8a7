"""First factors and MFA steps: magic links, OTPs, passwords and TOTP codes.

Links and OTPs are "delivered" to the sandbox outbox. Links are single-use and expire; an OTP
expires, and after `OTP_MAX_FAILURES` wrong passcodes it is locked (403 `auth_locked`) until a
new one is sent [assumed: Transmit documents the lock, not how it is lifted].
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from typing import Any
from urllib.parse import urlencode, urlsplit

from transmit_admin.sandbox import passwords
from transmit_admin.sandbox.config import (
    DEMO_TOTP_SECRET,
    MAGIC_LINK_LIFETIME_SECONDS,
    OTP_LIFETIME_SECONDS,
    OTP_MAX_FAILURES,
)
from transmit_admin.sandbox.errors import ApiError, user_not_found
from transmit_admin.sandbox.flows import authenticate
from transmit_admin.sandbox.models import MagicLink, OutboxMessage, PendingOtp, User
from transmit_admin.sandbox.state import SandboxState

_LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def redirect_allowed(state: SandboxState, redirect_uri: str) -> bool:
    """Loopback http URLs on any port, plus the configured ones (exact match)."""
    if redirect_uri in state.config.redirect_uris:
        return True
    parts = urlsplit(redirect_uri)
    return parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS and not parts.fragment


def send_magic_link(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    user = state.find_user("email", body["email"])
    if user is None:
        raise user_not_found()
    state.require_active(user)
    redirect_uri = body["redirect_uri"]
    if not redirect_allowed(state, redirect_uri):
        raise ApiError(400, "redirect_uri is not one of the allowed redirect URIs", 400)
    minutes = body.get("email_expiration")
    lifetime = minutes * 60 if minutes else MAGIC_LINK_LIFETIME_SECONDS
    code = secrets.token_urlsafe(24)
    now = state.now()
    query = {"code": code} | ({"state": body["state"]} if "state" in body else {})
    separator = "&" if urlsplit(redirect_uri).query else "?"
    link = f"{redirect_uri}{separator}{urlencode(query)}"
    subject = (body.get("email_content") or {}).get("subject") or f"Sign in to {state.app.app_name}"
    with state.lock:
        state.magic_links[code] = MagicLink(code, user.user_id, redirect_uri, now + lifetime)
    recipient = user.email or body["email"]  # found by email, so it has one
    state.deliver(OutboxMessage(recipient, body.get("channel", "email"), subject, link, code, now))
    return {"message": "Email sent successfully"}


def authenticate_magic_link(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    with state.lock:
        link = state.magic_links.get(body["code"])
        if link is None or link.used or link.expires <= state.now():
            raise ApiError(400, "Invalid magic link code", 400)
        link.used = True
        user = state.user(link.user_id)
    tokens = authenticate(state, user, "eml", body)
    with state.lock:
        user.email_verified = True  # the user proved they read that mailbox
    return tokens


def send_otp(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    user = state.find_user(body["identifier_type"], body["identifier"])
    if user is None:
        raise user_not_found()
    state.require_active(user)
    channel = body["channel"]
    recipient = _otp_recipient(user, channel, body)
    passcode = f"{secrets.randbelow(1_000_000):06d}"
    now = state.now()
    minutes = body.get("expires_in")
    expires = now + (minutes * 60 if minutes else OTP_LIFETIME_SECONDS)
    key = (body["identifier_type"], body["identifier"])
    with state.lock:
        state.otps[key] = PendingOtp(passcode, user.user_id, *key, channel, expires)
    subject = f"Your {state.app.app_name} code"
    state.deliver(OutboxMessage(recipient, channel, subject, None, passcode, now))
    answer: dict[str, Any] = {"message": "OTP sent"}
    if channel == "direct":
        answer["code"] = passcode
    return answer


def _otp_recipient(user: User, channel: str, body: dict[str, Any]) -> str:
    """Where the passcode goes. A created user may lack the channel's address (a sample signs
    users up with a phone number only): 400 then [assumed: Transmit's answer is undocumented]."""
    if channel == "sms":
        recipient = body.get("custom_phone_number") or user.phone_number
        missing = "User has no phone number to send an SMS to"
    elif channel == "email":
        recipient = body.get("custom_email") or user.email
        missing = "User has no email address to send a passcode to"
    else:  # direct: nothing is sent; the outbox files it under an address of the user
        recipient = body.get("custom_email") or user.email or user.phone_number
        recipient, missing = recipient or body["identifier"], ""
    if not recipient:
        raise ApiError(400, missing, 400)
    return str(recipient)


def authenticate_otp(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    with state.lock:
        pending = state.otps.get((body["identifier_type"], body["identifier"]))
        if pending is None or pending.used:
            raise ApiError(
                400, "No passcode was sent to this identifier", "auth_invalid_credentials"
            )
        if pending.failures >= OTP_MAX_FAILURES:
            raise ApiError(403, "Too many failed attempts; send a new passcode", "auth_locked")
        if pending.expires <= state.now():
            raise ApiError(400, "Passcode expired", "auth_otp_passcode_expired")
        if not hmac.compare_digest(pending.passcode, body["passcode"]):
            pending.failures += 1
            if pending.failures >= OTP_MAX_FAILURES:
                raise ApiError(403, "Too many failed attempts; send a new passcode", "auth_locked")
            raise ApiError(401, "Invalid passcode", "auth_invalid_credentials")
        pending.used = True
        user = state.user(pending.user_id)
    factor = {"email": "eotp", "sms": "sms"}.get(pending.channel, "otp")
    tokens = authenticate(state, user, factor, body)
    with state.lock:  # the passcode reached the user's own address: it is theirs
        if pending.channel == "email" and pending.identifier_type == "email":
            user.email_verified = True
        if pending.channel == "sms" and pending.identifier_type == "phone_number":
            user.phone_number_verified = True
    return tokens


def authenticate_password(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    user = state.find_user(body.get("username_type", "username"), body["username"])
    if user is None or not passwords.matches(user.password_digest, body["password"]):
        raise ApiError(401, "Invalid username or password", "auth_invalid_credentials")
    return authenticate(state, user, "pwd", body)


def authenticate_totp(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    user = state.find_user(body.get("identifier_type", "email"), body["identifier"])
    if user is None:
        raise user_not_found()
    step = int(state.now() // 30)
    valid = {totp_code(DEMO_TOTP_SECRET, s) for s in (step - 1, step, step + 1)}
    if body["token"] not in valid:
        raise ApiError(401, "Invalid TOTP code", "auth_invalid_credentials")
    return authenticate(state, user, "totp", body)


def totp_code(secret_base32: str, step: int) -> str:
    """RFC 6238 TOTP (SHA-1, 6 digits, 30 s steps), as authenticator apps compute it."""
    key = base64.b32decode(secret_base32)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
