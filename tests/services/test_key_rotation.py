"""A rotated signing key: the token names a `kid` the cached JWKS lacks, so it is refetched.

This module has its own sandbox (`private_sandbox` is module-scoped) because it rotates keys.
"""

from __future__ import annotations

import json

from tests.services.conftest import Harness
from transmit_admin.services.results import Outcome, TrackResult
from transmit_admin.services.session_service import SessionService


def _rotate_then_track(harness: Harness, *, refetch_interval: float) -> tuple[bool, TrackResult]:
    email = harness.user(0)["email"]
    before = harness.login(email)

    async def body(service: SessionService) -> tuple[bool, TrackResult]:
        first = await service.track_token_response(json.dumps(before))  # caches the JWKS
        harness.admin.rotate_key(grace_seconds=0)  # the old key is no longer published
        after = harness.login(email)
        second = await service.track_token_response(json.dumps(after))
        return first.ok, second

    return harness.run(body, jwks_refetch_interval=refetch_interval)


def test_unknown_kid_refetches_the_jwks_once(private_harness: Harness) -> None:
    first_ok, second = _rotate_then_track(private_harness, refetch_interval=0)
    assert first_ok
    assert second.ok, second.message
    assert second.outcome is Outcome.DONE


def test_refetch_is_rate_limited_so_a_flood_of_unknown_kids_cannot_hammer_the_tenant(
    private_harness: Harness,
) -> None:
    first_ok, second = _rotate_then_track(private_harness, refetch_interval=60)
    assert first_ok
    assert not second.ok
    # The cached keys were at hand, they just lack the new `kid`: refused, not a failed call.
    assert second.outcome is Outcome.REFUSED
    assert "key" in second.message.lower()
