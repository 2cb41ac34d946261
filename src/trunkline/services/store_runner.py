"""Where a service's store work runs: inline on the event loop or in the thread pool."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread

T = TypeVar("T")


class StoreRunner:
    """One per server, shared by every service, so a test can make every dialect read fail at once."""

    def __init__(self, *, is_sqlite: bool) -> None:
        self._is_sqlite = is_sqlite

    async def read(self, fn: Callable[..., T], *args: object, quick: bool = False) -> T:
        """Run a store read. A quick SQLite read (a primary-key lookup, tens of microseconds) runs
        inline: handing it to a thread would cost more than it saves. Everything else, and every
        PostgreSQL round trip, runs in the thread pool so the event loop keeps serving."""
        if quick and self._is_sqlite:
            return fn(*args)
        return await anyio.to_thread.run_sync(fn, *args)

    async def blocking(self, fn: Callable[..., T], *args: object) -> T:
        """Run blocking work (a write, a batch of the engine) in the thread pool."""
        return await anyio.to_thread.run_sync(fn, *args)
