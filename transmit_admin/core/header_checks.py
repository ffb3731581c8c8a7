"""The checks that decide whether the signature can be trusted: algorithm, key, signature,
untrusted key references and critical extensions.

Order matters for safety: the algorithm is judged against the allow-list and the key set
*before* a key is chosen, and the key is chosen from the caller's key set only (never from
the token), so a token cannot pick its own algorithm family or key.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from jwt.algorithms import Algorithm, get_default_algorithms

from transmit_admin.core.keys import KeySet, VerificationKey, normalise_alg, shorten
from transmit_admin.core.report import Check, Status

# PyJWT's implementations, minus "none" (never verified) and its "ES521" alias.
ALGORITHMS: dict[str, Algorithm] = {
    name: impl for name, impl in get_default_algorithms().items() if name not in ("none", "ES521")
}
_FAMILY_KTY = {"HS": "oct", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
_EC_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "ES256K": "secp256k1"}
UNTRUSTED_KEY_REFERENCES = ("jku", "x5u", "jwk", "x5c")


def kty_for(alg: str) -> str | None:
    return _FAMILY_KTY.get(alg[:2])


def check_algorithm(header: dict[str, Any], keys: KeySet | None, allowed: Collection[str]) -> Check:
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        return Check("algorithm", Status.FAIL, "The header names no algorithm ('alg').")
    shown = shorten(alg, 24)
    if alg.strip().lower() == "none":
        return Check(
            "algorithm",
            Status.FAIL,
            "The header says alg 'none' (an unsigned token). Unsigned tokens are never accepted.",
            "it claims to be unsigned (alg 'none'), which is never accepted",
        )
    if alg not in ALGORITHMS:
        return Check(
            "algorithm", Status.FAIL, f"The algorithm {shown!r} is not a known JWS algorithm."
        )
    if alg.startswith("HS") and keys is not None and _mixes_secrets_and_public_keys(keys):
        return Check(
            "algorithm",
            Status.FAIL,
            f"The header asks for {alg}, but the key set mixes shared secrets with public keys, "
            "which makes key confusion possible. Supply the secret key on its own.",
            "its key set mixes shared secrets and public keys",
        )
    if alg.startswith("HS") and not _has_user_secret(keys):
        situation = "no key was supplied" if keys is None else "the keys are public keys"
        return Check(
            "algorithm",
            Status.FAIL,
            f"The header asks for {alg}, a shared-secret algorithm, but {situation}. Against "
            "a public key this is the key-confusion attack (a token signed with the public "
            "key as an HMAC secret); HMAC is only used with a secret key you supply yourself.",
            "it is signed with a shared secret instead of the tenant's key (key-confusion attack)",
        )
    if alg in allowed:
        return Check("algorithm", Status.PASS, f"{alg} is in the allowed list.")
    if keys is not None and keys.user_supplied and _has_key_family(keys, alg):
        return Check(
            "algorithm", Status.PASS, f"{alg} is allowed because you supplied a key of that type."
        )
    listed = ", ".join(sorted(allowed)) or "none"
    return Check(
        "algorithm",
        Status.FAIL,
        f"The algorithm {alg} is not allowed (allowed: {listed}).",
        f"it uses the algorithm {alg}, which this environment does not allow",
    )


def _has_user_secret(keys: KeySet | None) -> bool:
    return keys is not None and any(k.kty == "oct" and k.user_supplied for k in keys.keys)


def _mixes_secrets_and_public_keys(keys: KeySet) -> bool:
    kinds = {key.kty == "oct" for key in keys.keys}
    return len(kinds) == 2


def _has_key_family(keys: KeySet, alg: str) -> bool:
    return any(unusable_reason(key, alg) is None for key in keys.keys)


def unusable_reason(key: VerificationKey, alg: str) -> str | None:
    """Why this key must not verify a token with this algorithm, or None when it may."""
    if key.use is not None and key.use != "sig":
        return f"is marked for use {shorten(key.use, 16)!r}, not for signatures"
    if key.key_ops is not None and "verify" not in key.key_ops:
        return "does not list 'verify' in its key_ops"
    if key.alg is not None and key.alg != normalise_alg(alg):
        return f"is meant for {shorten(key.alg, 24)}, but the token says {alg}"
    wanted = kty_for(alg)
    if key.kty != wanted:
        return f"is an {key.kty} key, but {alg} needs an {wanted} key"
    if key.kty == "oct" and not key.user_supplied:
        return "is a shared secret that you did not supply"
    curve = _EC_CURVES.get(alg)
    if curve is not None and key.crv != curve:
        return f"is on curve {key.crv or 'unknown'}, but {alg} needs {curve}"
    return None


def choose_key(
    header: dict[str, Any], keys: KeySet | None, alg: str
) -> tuple[Check, VerificationKey | None]:
    if keys is None or len(keys) == 0:
        return (
            Check("key", Status.SKIP, "No key was supplied, so the signature cannot be checked."),
            None,
        )
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        return Check("key", Status.FAIL, "The header's 'kid' is not a string."), None
    if kid is None:
        if len(keys) != 1:
            return (
                Check(
                    "key",
                    Status.FAIL,
                    f"The token names no key ('kid') and {keys.source} holds {len(keys)} keys; "
                    "refusing to guess.",
                    "the token does not say which key signed it",
                ),
                None,
            )
        candidates: tuple[VerificationKey, ...] = keys.keys
    else:
        candidates = keys.with_kid(kid)
        if not candidates and len(keys) == 1 and keys.keys[0].kid is None:
            candidates = keys.keys  # a PEM key has no kid: it is the only key on offer
    if not candidates:
        known = ", ".join(repr(shorten(k, 24)) for k in keys.kids[:5]) or "no kids"
        return (
            Check(
                "key",
                Status.FAIL,
                f"No key with kid {shorten(str(kid))!r} in {keys.source} (it has {known}).",
                "it is signed by a key this tenant does not publish",
            ),
            None,
        )
    usable = [key for key in candidates if unusable_reason(key, alg) is None]
    if len(usable) > 1:
        return (
            Check(
                "key",
                Status.FAIL,
                f"{len(usable)} keys in {keys.source} share the kid {shorten(str(kid))!r} and "
                "could verify this token; refusing to guess which one the tenant means.",
                "its key set is ambiguous (two keys with the same kid)",
            ),
            None,
        )
    if usable:
        return _key_verdict(usable[0], alg, keys.source)
    reasons = [f"{key.describe()} {unusable_reason(key, alg)}" for key in candidates]
    return (
        Check(
            "key",
            Status.FAIL,
            "The matching key may not be used: " + "; ".join(reasons) + ".",
            "the tenant's matching key is not allowed to verify signatures of this kind",
        ),
        None,
    )


def _key_verdict(
    key: VerificationKey, alg: str, source: str
) -> tuple[Check, VerificationKey | None]:
    # A weak key verifies forgeries as happily as genuine tokens: refuse it outright.
    weakness = key.weakness or ALGORITHMS[alg].check_key_length(key.material)
    if weakness:
        return (
            Check(
                "key",
                Status.FAIL,
                f"{key.describe()} from {source} is too weak to trust: {weakness.rstrip('.')}.",
                "the key that would verify it is too weak to trust",
            ),
            None,
        )
    return Check("key", Status.PASS, f"Using {key.describe()} from {source}."), key


def check_signature(
    signing_input: bytes, signature: bytes, alg: str, key: VerificationKey
) -> Check:
    if not signature:
        return Check(
            "signature",
            Status.FAIL,
            "The token carries no signature.",
            "it carries no signature",
        )
    try:
        verified = ALGORITHMS[alg].verify(signing_input, key.material, signature)
    except (ValueError, TypeError) as exc:  # malformed signature bytes: a failure, never a pass
        verified = False
        detail = f" ({shorten(str(exc), 60)})"
    else:
        detail = ""
    if verified:
        return Check(
            "signature", Status.PASS, f"The {alg} signature verifies with {key.describe()}."
        )
    return Check(
        "signature",
        Status.FAIL,
        f"The {alg} signature does not match {key.describe()}{detail}: the token was altered "
        "or signed by someone else.",
        "the signature does not match: the token was altered or forged",
    )


def check_untrusted_references(header: dict[str, Any]) -> Check:
    present = [name for name in UNTRUSTED_KEY_REFERENCES if name in header]
    if not present:
        return Check("untrusted_key_reference", Status.PASS, "The header does not point to a key.")
    names = ", ".join(present)
    return Check(
        "untrusted_key_reference",
        Status.WARN,
        f"The header carries {names}, which would let the token choose its own key. "
        "Ignored: never fetched, never used.",
    )


def check_crit(header: dict[str, Any]) -> Check:
    if "crit" not in header:
        return Check("crit", Status.PASS, "No critical header extensions.")
    crit = header["crit"]
    if not isinstance(crit, list) or not crit or not all(isinstance(n, str) for n in crit):
        return Check("crit", Status.FAIL, "The 'crit' header is malformed (not a list of names).")
    if "b64" in crit:
        return Check(
            "crit",
            Status.FAIL,
            "The header requires unencoded payloads ('b64' in 'crit', RFC 7797), which are "
            "not supported.",
            "it requires a header extension (b64) that is not supported",
        )
    names = ", ".join(repr(shorten(n, 24)) for n in crit[:5])
    return Check(
        "crit",
        Status.FAIL,
        f"The header marks {names} as critical; this tool does not understand them, so the "
        "token must be rejected.",
        "it requires header extensions this tool does not understand",
    )
