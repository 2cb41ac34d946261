"""Calls by Sid on PostgreSQL, read from the event loop and batched.

A call-details request on PostgreSQL used to hop to the thread pool and check a pooled SQLAlchemy
connection out for one primary-key read: about 1.4 ms of overhead for a 50 µs query, so one server
process answered ~700 requests a second. ``CallLookup`` keeps one psycopg ``AsyncConnection`` on the
event loop instead, with the statement prepared once, and sends every Sid asked for while the
previous query was in flight as one ``sid = ANY(...)`` query: under load a round trip answers many
requests, and a lone request still costs a single round trip.

Reads run in autocommit, so each query sees the newest committed rows (nothing is cached here).
Any driver error fails the requests of that batch with ``LookupUnavailable`` and drops the
connection; the caller falls back to the thread pool, and the next request connects again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import psycopg

from trunkline.domain.calls.model import Call
from trunkline.store.calls import CALL_COLUMN_NAMES, row_to_call
from trunkline.store.database import Database

log = logging.getLogger("trunkline.store.call_lookup")

MAX_BATCH = 256
"""Sids per query; more waiting requests go in the next one."""
_SQL = f"SELECT account_id, {', '.join(CALL_COLUMN_NAMES)} FROM calls WHERE sid = ANY(%s)"
_SID = 1 + CALL_COLUMN_NAMES.index("sid")


class LookupUnavailable(Exception):
    """The connection failed; the read must go another way."""


class CallLookup:
    def __init__(self, db: Database) -> None:
        assert not db.is_sqlite, "SQLite reads a pinned connection inline (CallStore.get)"
        self._conninfo = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: dict[str, list[asyncio.Future[Sequence[Any] | None]]] = {}
        self._draining: asyncio.Task[None] | None = None

    async def get(self, account_id: int, account_sid: str, sid: str) -> Call | None:
        """The call ``sid`` of the account, without legs; None if there is no such call."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # first use, or a new loop (tests): connections belong to one loop
            self._discard()
            self._loop = loop
        future: asyncio.Future[Sequence[Any] | None] = loop.create_future()
        self._waiting.setdefault(sid, []).append(future)
        if self._draining is None:
            # Runs from the next turn of the loop, so requests that arrive meanwhile share its query.
            self._draining = loop.create_task(self._drain())
        row = await future
        if row is None or row[0] != account_id:
            return None
        return row_to_call(row[1:], account_sid)

    async def _drain(self) -> None:
        try:
            while self._waiting:
                sids = list(self._waiting)[:MAX_BATCH]
                batch = {sid: self._waiting.pop(sid) for sid in sids}
                try:
                    rows = await self._fetch(sids)
                except (psycopg.Error, OSError) as exc:
                    log.warning("call lookup failed, falling back to the pool: %s", exc)
                    self._discard()
                    failure = LookupUnavailable(str(exc))
                    for futures in batch.values():
                        for future in futures:
                            if not future.done():
                                future.set_exception(failure)
                    continue
                found = {row[_SID]: row for row in rows}
                for sid, futures in batch.items():
                    for future in futures:
                        if not future.done():  # a request cancelled meanwhile
                            future.set_result(found.get(sid))
        finally:
            self._draining = None

    async def _fetch(self, sids: list[str]) -> list[tuple[Any, ...]]:
        if self._connection is None or self._connection.closed:
            self._connection = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        cursor = await self._connection.execute(_SQL, (sids,), prepare=True)
        return await cursor.fetchall()

    def _discard(self) -> None:
        """Drop the connection without awaiting (its loop may be gone)."""
        if self._connection is not None:
            self._connection.pgconn.finish()
            self._connection = None

    async def close(self) -> None:
        if self._connection is not None and asyncio.get_running_loop() is self._loop:
            await self._connection.close()
        self._discard()
