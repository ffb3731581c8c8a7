"""The inspector's claim explanations cover what Transmit and OIDC define."""

from __future__ import annotations

from transmit_admin.core.claims import (
    AMR_EXPLANATIONS,
    CLAIM_EXPLANATIONS,
    explain_amr,
    explain_claim,
    explain_header,
)

TRANSMIT_ACCESS_TOKEN = {
    "sub",
    "iss",
    "aud",
    "iat",
    "exp",
    "scope",
    "roles",
    "tid",
    "client_id",
    "app_id",
    "app_name",
    "jti",
    "act",
    "permissions",
}
TRANSMIT_ID_TOKEN = {
    "sub",
    "tid",
    "aud",
    "iss",
    "iat",
    "exp",
    "auth_time",
    "amr",
    "acr",
    "at_hash",
    "email",
    "email_verified",
    "phone_number",
    "username",
    "fname",
    "lname",
    "roles",
    "groups",
    "new_user",
    "custom_data",
}
CLIENT_TOKEN = {"ts_roles", "ts_permissions", "role"}


def test_every_documented_claim_is_explained() -> None:
    missing = (TRANSMIT_ACCESS_TOKEN | TRANSMIT_ID_TOKEN | CLIENT_TOKEN) - set(CLAIM_EXPLANATIONS)
    assert missing == set()


def test_every_transmit_amr_code_is_explained() -> None:
    assert {"eml", "eotp", "sms", "pwd", "social", "webauthn", "mfa"} <= set(AMR_EXPLANATIONS)


def test_amr_list_is_explained_in_order_and_unknown_codes_are_named() -> None:
    assert explain_amr(["pwd", "eml", "zzz"]) == (
        "pwd = password; eml = email magic link; zzz = unknown method"
    )


def test_unknown_claims_and_headers_get_a_neutral_note() -> None:
    assert "custom claim" in explain_claim("x-acme")
    assert "never trusted" in explain_header("jku")
    assert "does not use" in explain_header("x-other")
