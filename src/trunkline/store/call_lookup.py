"""Calls by Sid for the call-details hot path: concurrent requests batched, each batch one read.

A busy server gets many call-details requests at once, each a primary-key read. ``CallLookup``
collects the Sids asked for while a read is in flight (or within one turn of the event loop) and
reads them together in the next one. Under load one read answers many requests, and their answers
leave together, so the server also handles more requests per wake-up; a lone request costs one read
and one turn of the loop.

* **PostgreSQL** (``_PostgresLookup``): one psycopg ``AsyncConnection`` on the event loop, in
  autocommit, with ``sid = ANY(%s)`` prepared once: one round trip per batch. It replaced a
  thread-pool hop plus a pooled SQLAlchemy connection per request (about 1.4 ms of overhead for a
  50 µs query: ~700 requests a second per process).
* **SQLite** (``_SqliteLookup``): the batch is read on the event loop, on the loop thread's pinned
  sqlite3 connection (~15 µs a call from the page cache), as every quick SQLite read is
  (``StoreRunner.read``). In WAL mode a reader never waits for a writer, so the loop does not either.
  Two other ways were measured, alternated in one run against the bare endpoint (BENCHMARKS.md):
  a reader thread beside the loop, 0.40–0.54× (the GIL hand-offs around each read cost more than
  the read), and an inline read per request without batching, 0.47–0.49×; this way, 0.60–0.67×.

Nothing is cached: every read sees the newest committed row. A failed read fails that batch's
requests with ``LookupUnavailable`` and drops the connection; callers then read another way (the
thread pool), and the next batch connects again.
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
from trunkline.store.replicas import Replica

log = logging.getLogger("trunkline.store.call_lookup")

MAX_BATCH = 256
"""Sids per read; more waiting requests go in the next one."""
_COLUMNS = f"account_id, {', '.join(CALL_COLUMN_NAMES)}"
_SID = 1 + CALL_COLUMN_NAMES.index("sid")
Row = Sequence[Any]


class LookupUnavailable(Exception):
    """The connection failed; the read must go another way."""


class CallLookup:
    """The batching, shared by both stores; subclasses read a batch (``_fetch``)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: dict[tuple[str, str], list[asyncio.Future[Row | None]]] = {}
        """(source, Sid) → the requests waiting for it; the source is ``""`` for the primary, else
        the URL of the replica the read goes to (``store.replicas``)."""
        self._draining: asyncio.Task[None] | None = None

    async def get(self, account_id: int, account_sid: str, sid: str) -> Call | None:
        """The call ``sid`` of the account, without legs; None if there is no such call."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # first use, or a new loop (tests): a connection serves one loop
            self._reset()
            self._loop = loop
        future: asyncio.Future[Row | None] = loop.create_future()
        self._waiting.setdefault((self._source(account_id), sid), []).append(future)
        if self._draining is None:
            # Runs from the next turn of the loop, so requests that arrive meanwhile share its read.
            self._draining = loop.create_task(self._drain())
        row = await future
        if row is None or row[0] != account_id:  # Sids are unique across accounts
            return None
        return row_to_call(row[1:], account_sid)

    async def _drain(self) -> None:
        try:
            while self._waiting:
                source = next(iter(self._waiting))[0]
                keys = [key for key in self._waiting if key[0] == source][:MAX_BATCH]
                batch = {key[1]: self._waiting.pop(key) for key in keys}
                try:
                    rows = await self._fetch(source, list(batch))
                except Exception as exc:
                    # Whatever went wrong, every waiter hears of it: none is left hanging.
                    log.warning("call lookup failed, reading through the pool instead: %s", exc)
                    self._failed(source, exc)
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

    async def _fetch(self, source: str, sids: list[str]) -> list[Row]:
        raise NotImplementedError

    def _source(self, account_id: int) -> str:
        """Where the account's read goes: ``""``, the primary, unless a replica is chosen."""
        return ""

    def _failed(self, source: str, exc: Exception) -> None:
        self._reset()

    def _reset(self) -> None:
        """Drop what belongs to the loop in use, without awaiting (that loop may be gone)."""

    async def close(self) -> None:
        self._reset()


class _PostgresLookup(CallLookup):
    """One async connection per source: the primary, and each replica reads are routed to."""

    _SQL = f"SELECT {_COLUMNS} FROM calls WHERE sid = ANY(%s)"

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db
        self._conninfo = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connections: dict[str, psycopg.AsyncConnection[Any]] = {}

    def _source(self, account_id: int) -> str:
        router = self._db.replicas
        replica = router.choose(account_id) if router is not None else None
        return "" if replica is None else replica.url

    async def _fetch(self, source: str, sids: list[str]) -> list[Row]:
        connection = self._connections.get(source)
        if connection is None or connection.closed:
            conninfo = self._conninfo if not source else self._replica(source).conninfo
            connection = await psycopg.AsyncConnection.connect(conninfo, autocommit=True, connect_timeout=2)
            self._connections[source] = connection
        cursor = await connection.execute(self._SQL, (sids,), prepare=True)
        return await cursor.fetchall()

    def _replica(self, url: str) -> Replica:
        assert self._db.replicas is not None
        return next(replica for replica in self._db.replicas.replicas if replica.url == url)

    def _failed(self, source: str, exc: Exception) -> None:
        """Drop that source's connection; a replica is skipped until its next check finds it well."""
        connection = self._connections.pop(source, None)
        if connection is not None:
            connection.pgconn.finish()
        if source:
            self._replica(source).mark_down(f"a call lookup failed: {exc}")

    def _reset(self) -> None:
        connections, self._connections = self._connections, {}
        for connection in connections.values():
            connection.pgconn.finish()

    async def close(self) -> None:
        if asyncio.get_running_loop() is self._loop:
            for connection in list(self._connections.values()):
                await connection.close()
        self._reset()


class _SqliteLookup(CallLookup):
    _SQL = f"SELECT {_COLUMNS} FROM calls WHERE sid = ?"

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    async def _fetch(self, source: str, sids: list[str]) -> list[Row]:
        return self._read(sids)  # on the loop: see the module's docstring

    def _read(self, sids: list[str]) -> list[Row]:
        with self._db.point_read() as connection:
            rows = [connection.execute(self._SQL, (sid,)).fetchone() for sid in sids]
        return [row for row in rows if row is not None]

    def _reset(self) -> None:
        self._db.close_point_reads()  # the next read opens a fresh one (a failed one was closed)


def call_lookup(db: Database) -> CallLookup:
    return _SqliteLookup(db) if db.is_sqlite else _PostgresLookup(db)
