"""Per-account request rate limit (Exotel: 200 per minute), as a token bucket per account.

A bucket refills continuously, so a client that spreads its calls never sees a 429 and a
burst of up to the whole minute's allowance is served at once. A lone process (SQLite) keeps the
buckets in memory; on PostgreSQL every process spends from one bucket per account kept in the
store (``services.rate_limits.SharedRateLimit``), so the limit holds across processes.
"""

from __future__ import annotations

import math
import time

from trunkline.domain.accounts.errors import LoginThrottled
from trunkline.domain.errors import RateLimited
from trunkline.services.rate_limits import SharedRateLimit


class RateLimiter:
    def __init__(self, per_minute: int, shared: SharedRateLimit | None = None) -> None:
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._shared = shared

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def take(self, account_sid: str) -> tuple[int, int]:
        """Spend one request from this process's own bucket; returns (remaining, seconds until
        full) or raises ``RateLimited``."""
        now = time.monotonic()
        tokens, last = self._buckets.get(account_sid, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * self._rate)
        if tokens < 1.0:
            self._buckets[account_sid] = (tokens, now)
            wait = max(1, math.ceil((1.0 - tokens) / self._rate))
            raise RateLimited(f"Rate limit exceeded. Try again in {wait} seconds.", retry_after=wait)
        tokens -= 1.0
        self._buckets[account_sid] = (tokens, now)
        return int(tokens), math.ceil((self.per_minute - tokens) / self._rate)

    async def spend(self, account_sid: str) -> dict[str, str] | None:
        """Spend one request of the account's (``RateLimited`` if none is left); the headers every
        dialect answers with, saying what is left. None when the limit is off."""
        if not self.enabled:
            return None
        if self._shared is not None:
            remaining, reset = await self._shared.take(account_sid)
        else:
            remaining, reset = self.take(account_sid)
        return {
            "X-RateLimit-Limit": str(self.per_minute),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset),
        }

    def refused_headers(self, exc: RateLimited) -> dict[str, str]:
        """The headers of a 429: when to try again, and that nothing is left until then (only when
        to try again for too many failed logins, which spend no request of the account's)."""
        if isinstance(exc, LoginThrottled):
            return {"Retry-After": str(exc.retry_after)}
        return {
            "Retry-After": str(exc.retry_after),
            "X-RateLimit-Limit": str(self.per_minute),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(exc.retry_after),
        }

    def give_back(self, account_sid: str) -> None:
        """Return a request spent by a handler that then left the answer to another one, which
        spends its own: one request, one token."""
        if self._shared is not None:
            self._shared.give_back(account_sid)
            return
        tokens, last = self._buckets.get(account_sid, (float(self.per_minute), time.monotonic()))
        self._buckets[account_sid] = (min(float(self.per_minute), tokens + 1.0), last)
