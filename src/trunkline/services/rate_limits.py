"""The per-account rate limit, shared by every server process on one PostgreSQL.

A lone process (SQLite) keeps its token bucket in memory (``api/rate_limit.py``). On PostgreSQL the
bucket is a row (``store.processes.RateBucketStore``) that every process spends from, so 200 a
minute is 200 in total, however many processes serve the account.

Asking the database on every request would add a round trip to each one, so a process reserves
tokens in chunks: a tenth of what the bucket holds (at least one, at most ``CHUNK``), spends them
locally, and asks again when they are gone. Tokens reserved and not spent within ``HOLD_S`` are
dropped, never returned: the limit is never exceeded, and the imprecision is on the safe side.
Precision, stated in docs/scaling.md: every request the bucket allows is served by some process;
while one process still holds a few reserved tokens, a request reaching another may get its 429
up to ``HOLD_S`` early.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from trunkline.domain.errors import RateLimited
from trunkline.services.store_runner import StoreRunner
from trunkline.store.processes import RateBucketStore

SHARE = 0.1
"""The share of a bucket's tokens one reservation takes."""
CHUNK = 20
"""The most tokens one reservation takes."""
HOLD_S = 1.0
"""How long a process keeps reserved tokens before dropping them."""


@dataclass(slots=True)
class _Held:
    tokens: int
    until: float
    left: float
    """What the shared bucket held after the reservation (for X-RateLimit-Remaining)."""


class SharedRateLimit:
    def __init__(self, runner: StoreRunner, store: RateBucketStore, per_minute: int) -> None:
        self._runner, self._store = runner, store
        self.per_minute = per_minute
        self._per_ms = per_minute / 60_000.0
        self._held: dict[str, _Held] = {}
        self._empty_until: dict[str, float] = {}
        """Per account, the monotonic time before which the shared bucket holds no whole token."""

    async def take(self, account_sid: str) -> tuple[int, int]:
        """Spend one request of the account's; (remaining, seconds until full) or ``RateLimited``."""
        now = time.monotonic()
        held = self._held.get(account_sid)
        if held is None or held.tokens <= 0 or held.until < now:
            empty_until = self._empty_until.get(account_sid, 0.0)
            if now < empty_until:
                # The shared bucket was empty and no token refills before then: a flood of
                # refused requests costs no round trip each.
                wait = max(1, math.ceil(empty_until - now))
                raise RateLimited(f"Rate limit exceeded. Try again in {wait} seconds.", retry_after=wait)
            reservation = await self._runner.blocking(
                lambda: self._store.reserve(
                    account_sid, self.per_minute, self._per_ms, share=SHARE, chunk=CHUNK
                )
            )
            if reservation.granted <= 0:
                self._held.pop(account_sid, None)
                refill_s = (1.0 - reservation.left) / (self._per_ms * 1000)
                self._empty_until[account_sid] = now + refill_s
                wait = max(1, math.ceil(refill_s))
                raise RateLimited(f"Rate limit exceeded. Try again in {wait} seconds.", retry_after=wait)
            self._empty_until.pop(account_sid, None)
            held = _Held(reservation.granted, now + HOLD_S, reservation.left)
            self._held[account_sid] = held
        held.tokens -= 1
        remaining = held.tokens + int(held.left)
        return remaining, math.ceil((self.per_minute - remaining) / (self._per_ms * 1000))

    def give_back(self, account_sid: str) -> None:
        """One token back to this process's reservation (a handler that left the answer to another)."""
        held = self._held.get(account_sid)
        if held is not None:
            held.tokens += 1
