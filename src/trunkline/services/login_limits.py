"""How many failed logins a client address, and an API key, may cost before they are refused unheard.

Each failure spends a token from two buckets, the address's and the key's; a bucket refills at
``per_minute`` tokens a minute up to ``per_minute``. While either bucket is empty, a login that is not
already in the credential cache is answered 429 with ``Retry-After`` before any hashing, so a flood of
guesses costs the server a dictionary lookup each, not a 50 ms scrypt hash. A login that succeeds
gives its tokens back: a user who signs in from a shared address is not charged for it.

A key's bucket that is not full also says the key failed lately: ``Authenticator`` hashes such logins
in a lane of their own, so a valid login for a clean key never waits behind guesses (``is_clean``).
"""

from __future__ import annotations

import math
import time

from trunkline.domain.accounts.errors import LoginThrottled

MAX_BUCKETS = 100_000
"""Buckets kept per kind; past it, full ones (the same as none) are dropped, then the oldest."""


class FailureBuckets:
    """Token buckets of failures by name (an address, or an API key); memory only, per process."""

    def __init__(self, per_minute: int) -> None:
        self._capacity = float(per_minute)
        self._rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}

    def _level(self, name: str, now: float) -> float:
        tokens, at = self._buckets.get(name, (self._capacity, now))
        return min(self._capacity, tokens + (now - at) * self._rate)

    def is_clean(self, name: str) -> bool:
        """No failure of ``name`` is still remembered (its bucket is full)."""
        return name not in self._buckets or self._level(name, time.monotonic()) >= self._capacity

    def take(self, name: str) -> None:
        """Spend a token for an attempt that may fail; ``LoginThrottled`` when none is left."""
        now = time.monotonic()
        tokens = self._level(name, now)
        if tokens < 1.0:
            # A refused attempt empties the bucket: who keeps hammering stays refused.
            self._buckets[name] = (0.0, now)
            wait = max(1, math.ceil(1.0 / self._rate))
            raise LoginThrottled(f"Too many failed logins. Try again in {wait} seconds.", retry_after=wait)
        self._buckets[name] = (tokens - 1.0, now)
        if len(self._buckets) > MAX_BUCKETS:
            self._prune(now)

    def give_back(self, name: str) -> None:
        """Return the token of an attempt that succeeded."""
        now = time.monotonic()
        tokens = self._level(name, now) + 1.0
        if tokens >= self._capacity:
            self._buckets.pop(name, None)
        else:
            self._buckets[name] = (tokens, now)

    def _prune(self, now: float) -> None:
        for name in [n for n in self._buckets if self._level(n, now) >= self._capacity]:
            del self._buckets[name]
        excess = len(self._buckets) - MAX_BUCKETS // 2
        if excess > 0:  # a flood from very many addresses: forget the oldest (dicts keep insertion order)
            for name in list(self._buckets)[:excess]:
                del self._buckets[name]


class LoginLimits:
    """Failure buckets per client address and per API key (or account SID, in the legacy form)."""

    def __init__(self, per_minute: int) -> None:
        self.addresses = FailureBuckets(per_minute)
        self.keys = FailureBuckets(per_minute)
