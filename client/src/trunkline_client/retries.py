"""When to send a request again, and how long to wait first.

Shared by the sync and async transports so both retry exactly alike. Two rules matter:
a 429 is always safe to retry (the server refused before doing anything), while a broken
connection is retried only for GETs — a connect or make-call POST may already have placed a call,
and placing it twice costs money. ``httpx.ConnectError`` and ``ConnectTimeout`` happen before a
byte is sent, so they are safe for every method.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRIED_SERVER_STATUSES = frozenset({502, 503, 504})
"""Gateways and overload: worth a second try, for idempotent requests only."""
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` further attempts after the first; waits grow ``backoff_base * 2**n`` up to
    ``backoff_cap`` with jitter, and a 429's ``Retry-After`` is honoured up to ``max_retry_after``
    (beyond that the error is raised at once rather than blocking the caller for minutes)."""

    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    max_retry_after: float = 60.0
    jitter: Callable[[], float] = field(default=random.random, repr=False)
    """A number in [0, 1): tests pin it."""

    def backoff(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (0-based): half fixed, half random, so clients
        that failed together do not come back together."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        return ceiling / 2 + ceiling / 2 * self.jitter()

    def wait_for_status(self, method: str, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying this answer, or None: do not retry it."""
        if attempt >= self.max_retries:
            return None
        status = response.status_code
        if status == 429:
            retry_after = _retry_after(response)
            if retry_after is None:
                return self.backoff(attempt)
            if retry_after > self.max_retry_after:
                return None
            return retry_after + self.jitter() * 0.1
        if status in RETRIED_SERVER_STATUSES and method in IDEMPOTENT_METHODS:
            return self.backoff(attempt)
        return None

    def wait_for_error(self, method: str, error: httpx.TransportError, attempt: int) -> float | None:
        """Seconds to wait before retrying after a transport error, or None: raise it."""
        if attempt >= self.max_retries:
            return None
        if method in IDEMPOTENT_METHODS or isinstance(error, NOT_SENT_ERRORS):
            return self.backoff(attempt)
        return None


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw.strip()))
    except ValueError:
        return None
