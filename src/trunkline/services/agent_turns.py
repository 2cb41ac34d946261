"""One make-call at a time per agent, from the busy check until the call is stored.

The check reads whether the agent has a live call; the call it then places is stored by the
group writer a moment later. Two requests for the same free agent in that moment would both pass
the check and both ring the agent. Requests for one agent therefore take turns; requests for
different agents do not wait for each other.

These turns order one process's requests; on PostgreSQL, where several processes may share the
store, ``CallsService.connect_agent`` also holds an advisory lock on the agent for the turn
(``AgentStore.lock_turn``), so that one request per agent per process waits on the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class AgentTurns:
    def __init__(self) -> None:
        self._locks: dict[tuple[int, str], tuple[asyncio.Lock, int]] = {}
        """Per agent, its lock and how many requests hold it or wait for it (the entry goes with
        the last one, so the table stays as small as the agents being called at once)."""

    @asynccontextmanager
    async def turn(self, account_id: int, user_id: str) -> AsyncIterator[None]:
        key = (account_id, user_id)
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
