"""When a failed call may be tried again, and how long to wait first.

Only calls that are safe to repeat are ever retried (the client decides that per endpoint):
GETs, the client-token fetch, logout and revoke-all. Authenticate calls never are, because
their codes and passcodes are single-use and a lost answer may still have consumed them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from transmit_admin.api.errors import NetworkError, RateLimited, ServerError, TransmitError

RETRYABLE_STATUSES = frozenset({502, 503, 504})
# A timeout already spent the caller's whole time budget, so it is never worth a retry; the
# other network failures happen fast and are usually a blip (a dropped keep-alive connection).
RETRYABLE_NETWORK_KINDS = frozenset({"connect", "reset", "protocol"})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 8.0
    # A longer Retry-After than this fails at once with RateLimited: an agent at a desk
    # should be told to come back rather than stare at a spinner.
    max_retry_after: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = field(
        default=asyncio.sleep, repr=False, compare=False
    )
    jitter: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy needs at least one attempt")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise ValueError("RetryPolicy delays cannot be negative")

    def backoff(self, retry_number: int) -> float:
        """Full-jitter exponential backoff before retry 1, 2, ... (spreads out a herd)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (retry_number - 1))
        return ceiling * self.jitter()

    def wait_before_retry(self, retry_number: int, error: TransmitError) -> float | None:
        """Seconds to wait before retry `retry_number`, or None when `error` is final."""
        if retry_number >= self.attempts:
            return None
        if isinstance(error, RateLimited):
            if error.retry_after is None:
                return self.backoff(retry_number)
            if error.retry_after > self.max_retry_after:
                return None
            return error.retry_after
        if isinstance(error, ServerError) and error.status in RETRYABLE_STATUSES:
            return self.backoff(retry_number)
        if isinstance(error, NetworkError) and error.kind in RETRYABLE_NETWORK_KINDS:
            return self.backoff(retry_number)
        return None


NO_RETRY = RetryPolicy(attempts=1)
