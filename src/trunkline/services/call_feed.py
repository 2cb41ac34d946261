"""Live call changes for front ends that show them as they happen (the console's event streams).

One poll of the store serves every listener in the process, however many streams are open: the
hub reads new ``call_events`` rows every ``console_events_poll_ms`` while anyone listens, and hands
each listener the rows of its account. Polling the table (an index range from the last id seen)
rather than hooking the engine means a change made by *another* server process on the same store
shows as well.

PostgreSQL hands out sequence values at insert, not at commit, so a row with a lower id can become
visible after one with a higher id. The hub therefore re-reads a short trailing window of ids
(``REREAD_POLLS`` polls' worth) and skips the ids it has already delivered; SQLite commits one
writer at a time, so there the window is empty.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator

from trunkline.services.store_runner import StoreRunner
from trunkline.store.call_feed import CallChange, CallFeed

__all__ = ["CallChange", "CallFeedService"]

BATCH = 1000
"""Events read per poll at most; a burst larger than this is read over the next polls."""
QUEUE_MAX = 2000
"""Changes kept for one slow listener; past it the oldest are dropped (a page reloads its list)."""
REREAD_POLLS = 8
"""Polls' worth of ids read again on PostgreSQL, for rows that committed out of id order."""


class _Listener:
    __slots__ = ("account_id", "queue")

    def __init__(self, account_id: int | None) -> None:
        self.account_id = account_id
        self.queue: asyncio.Queue[CallChange] = asyncio.Queue(QUEUE_MAX)


class CallFeedService:
    def __init__(self, runner: StoreRunner, feed: CallFeed, *, poll_ms: int, is_sqlite: bool) -> None:
        self._runner, self._feed = runner, feed
        self._poll_s = poll_ms / 1000
        self._reread = 0 if is_sqlite else REREAD_POLLS
        self._listeners: set[_Listener] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    @contextlib.asynccontextmanager
    async def subscribe(self, account_id: int | None) -> AsyncIterator[asyncio.Queue[CallChange]]:
        """A queue of the changes of ``account_id``'s calls (every account's when ``None``) from
        now on, for as long as the context is open."""
        listener = _Listener(account_id)
        self._listeners.add(listener)
        if self._task is None or self._task.done():
            start = await self._runner.read(self._feed.last_id)
            self._task = asyncio.create_task(self._poll(start), name="console-call-feed")
        try:
            yield listener.queue
        finally:
            self._listeners.discard(listener)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self, start: int) -> None:
        low = start  # ids at or below are settled
        delivered: set[int] = set()
        highs: deque[int] = deque([start], maxlen=self._reread + 1)
        while self._listeners:
            try:
                changes = await self._runner.read(self._feed.after, low, BATCH)
            except Exception:  # a store hiccup: try again next poll, never end the hub
                changes = []
            high = highs[-1]
            for change in changes:
                high = max(high, change.event_id)
                if change.event_id in delivered:
                    continue
                delivered.add(change.event_id)
                self._fan_out(change)
            highs.append(high)
            # In a burst (a full batch) move on: the trailing window cannot hold it.
            low = high if len(changes) >= BATCH else highs[0]
            delivered = {i for i in delivered if i > low}
            if len(changes) < BATCH:
                await asyncio.sleep(self._poll_s)
        self._task = None

    def _fan_out(self, change: CallChange) -> None:
        for listener in self._listeners:
            if listener.account_id is not None and listener.account_id != change.account_id:
                continue
            queue = listener.queue
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(change)
