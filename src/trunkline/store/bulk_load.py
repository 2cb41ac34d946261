"""Loading many finished calls at once (seeding, imports): the second door of ``store.call_writes``,
whose ``CallWrites`` writes every other call.

Per-row SQLAlchemy inserts cost ~0.8 ms a call with its legs; a million must load in about a minute. So this
module talks to the driver directly: SQLite gets ``executemany`` in large transactions, PostgreSQL
``COPY ... FROM STDIN``. Call ids are assigned here (continuing from the current maximum) so legs can
be written next to their call without asking the database for each id.

The rollups (``store.call_counts``, ``store.call_value_counts``) are rebuilt for the account once the
calls are in, before ``ANALYZE``; until then a concurrent bulk list may see a ``Total`` short of the
calls loaded.

Why not ``Database.write()``: the rows go through the driver's own connection (``executemany`` on
SQLite with its ``BEGIN IMMEDIATE`` issued here, ``COPY`` on PostgreSQL), which SQLAlchemy's
transactions cannot carry, and an empty PostgreSQL table is loaded under ``ACCESS EXCLUSIVE`` in
one transaction that drops and rebuilds indexes. The rollup rebuilds after the rows do go through
``Database.write()``.

Each batch is its own transaction, taken under the writer's lock (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL ``LOCK TABLE calls``) with the maximum id read inside it, so a server inserting calls at the
same time cannot collide with the ids chosen here. A failure rolls back the batch in progress only;
batches already committed stay. The exception: a PostgreSQL load into an empty ``calls`` table is one
transaction that builds the indexes after the rows (``_PostgresLoad``).

PostgreSQL gets each batch's rows while Python is still generating them, so the server works through
the batch meanwhile; on two cores that hides most of the Python time (45 s -> 36 s per million).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from operator import attrgetter
from typing import Any, Protocol

from trunkline.domain.calls.model import Call
from trunkline.native_memory import return_freed_memory
from trunkline.store.call_counts import rebuild as rebuild_call_counts
from trunkline.store.database import Database
from trunkline.store.schema.call_rollups import call_counts, call_value_counts
from trunkline.store.schema.calls import call_legs, calls
from trunkline.store.schema.tracking import tracked_call_counts, tracked_calls
from trunkline.store.tracking.rollups import rebuild_rollup

_CALL_FIELDS = tuple(c.name for c in calls.columns if c.name not in ("id", "account_id"))
"""Every other column of ``calls`` is an attribute of ``Call`` with the same name."""
_CALL_COLUMNS = ("id", "account_id", *_CALL_FIELDS)
_LEG_COLUMNS = ("call_id", "leg_id", "number", "status", "on_call_duration", "answered_by")
_call_values = attrgetter(*_CALL_FIELDS)
_NEXT_ID = f"SELECT coalesce(max(id), 0) + 1 FROM {calls.name}"

_SQLITE_LOAD_CACHE_KIB = 65_536
"""Page cache for the loading connection (64 MiB): the unique index on random Sids is written all
over, and keeping most of it in memory is what keeps a million-call load near a minute. It was
256 MiB, which ``ANALYZE`` then filled from the whole store: a first start on a million calls held
403 MB, a seed peaked at 444 MB. The connection is closed after the load, so the cache goes with it."""

OnBatch = Callable[[int], None]


class RowWriter(Protocol):
    """Writes rows into another table in the batch's own transaction (executemany or COPY)."""

    def __call__(self, table: str, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None: ...


AlongBatch = Callable[[RowWriter, Sequence[tuple[int, Call]]], None]
"""Called with each batch's (call id, call) pairs, so a feature can load rows of its own that refer to
the calls (call tracking's ``tracked_calls``) in the same transaction."""


def load_calls(
    db: Database,
    account_id: int,
    records: Iterable[Call],
    *,
    on_batch: OnBatch | None = None,
    batch_size: int = 20_000,
    along: AlongBatch | None = None,
) -> int:
    """Insert ``records`` (with their legs) for ``account_id``; return how many calls were loaded.

    ``on_batch`` is called with the number of calls of each batch written (progress bars; in a
    PostgreSQL load into an empty table, before the one commit at the end);
    ``along`` with each batch's calls and their ids, before the batch commits.
    Statistics are refreshed (``ANALYZE``) at the end so the planner knows the new table sizes.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    with _gc_paused():
        if db.is_sqlite:
            return _load_sqlite(db, account_id, iter(records), batch_size, on_batch, along)
        return _load_postgresql(db, account_id, iter(records), batch_size, on_batch, along)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector for the load.

    A load allocates millions of short-lived containers (calls, legs, row tuples) and no reference
    cycles, so the collector's ~70 passes over the live objects find nothing and cost ~20% of a
    million-call load. Reference counting still frees everything as it goes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _rebuild_counts(db: Database, account_id: int) -> None:
    """Recount the account's rollups from the calls now stored (one GROUP BY pass each, a few seconds
    per million on SQLite), on a pooled connection of its own: the loading one is a raw DBAPI
    connection with no transaction open at this point."""
    with db.write() as conn:
        db.note_writes(conn, [account_id])  # the loaded calls are the account's latest write
        rebuild_call_counts(conn, account_id)


class _Batch:
    """Up to ``size`` calls taken from ``records`` as ``calls`` rows, numbered from ``first_id``.

    Iterating ``call_rows()`` pulls the calls on demand and collects their legs into ``leg_rows``;
    ``count`` is known once it has been iterated to the end.
    """

    def __init__(
        self, records: Iterator[Call], account_id: int, first_id: int, size: int, keep: bool = False
    ) -> None:
        self._records = records
        self.kept: list[tuple[int, Call]] | None = [] if keep else None
        self._account_id = account_id
        self._first_id = first_id
        self._size = size
        self.leg_rows: list[tuple[Any, ...]] = []
        self.count = 0

    @property
    def last_id(self) -> int:
        return self._first_id + self.count - 1

    def call_rows(self) -> Iterator[tuple[Any, ...]]:
        account_id = self._account_id
        add_leg = self.leg_rows.append
        keep = self.kept.append if self.kept is not None else None
        call_id = self._first_id
        for call in islice(self._records, self._size):
            if keep is not None:
                keep((call_id, call))
            for leg in call.legs:
                add_leg((call_id, leg.leg_id, leg.number, leg.status, leg.on_call_duration, leg.answered_by))
            yield (call_id, account_id, *_call_values(call))
            call_id += 1
        self.count = call_id - self._first_id


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _load_sqlite(
    db: Database,
    account_id: int,
    records: Iterator[Call],
    batch_size: int,
    on_batch: OnBatch | None,
    along: AlongBatch | None,
) -> int:
    insert_call = _insert_sql(calls.name, _CALL_COLUMNS)
    insert_leg = _insert_sql(call_legs.name, _LEG_COLUMNS)
    pooled = db.engine.raw_connection()
    conn: Any = pooled.driver_connection
    loaded = 0
    try:
        if conn.in_transaction:
            conn.rollback()
        synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
        cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
        # Durability of a half-finished seed is worth nothing: a crash just means seeding again.
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(f"PRAGMA cache_size=-{_SQLITE_LOAD_CACHE_KIB}")
        try:
            while True:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    first_id = conn.execute(_NEXT_ID).fetchone()[0]
                    batch = _Batch(records, account_id, first_id, batch_size, keep=along is not None)
                    # Built first: sqlite3 gains nothing from streaming (one thread either way), and a
                    # list measured a few seconds faster per million than a generator.
                    conn.executemany(insert_call, list(batch.call_rows()))
                    if not batch.count:
                        conn.rollback()
                        break
                    conn.executemany(insert_leg, batch.leg_rows)
                    if along is not None and batch.kept:
                        along(lambda t, c, rows: conn.executemany(_insert_sql(t, c), rows), batch.kept)
                    conn.commit()
                except BaseException:
                    conn.rollback()
                    raise
                loaded += batch.count
                if on_batch is not None:
                    on_batch(batch.count)
        finally:
            conn.execute(f"PRAGMA synchronous={int(synchronous)}")
            conn.execute(f"PRAGMA cache_size={int(cache_size)}")
        if loaded:
            _rebuild_counts(db, account_id)
            # With the connection's usual small cache: ANALYZE reads every table and index, and
            # would otherwise leave the store's pages in the large loading cache.
            conn.execute("ANALYZE")
            conn.commit()
    finally:
        # Closed, not pooled: its page cache held loading pages a server would carry on holding.
        pooled.invalidate()
        # The freed cache and batches back to the system (``trunkline.native_memory``): without it
        # a first start on a 1M-call store, which loads the demo account, kept its peak.
        return_freed_memory()
    return loaded


def _copy_rows(cur: Any, table: str, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _load_postgresql(
    db: Database,
    account_id: int,
    records: Iterator[Call],
    batch_size: int,
    on_batch: OnBatch | None,
    along: AlongBatch | None,
) -> int:
    pooled = db.engine.raw_connection()
    conn: Any = pooled.driver_connection
    try:
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", (calls.name,))
            loader = _PostgresLoad(conn, cur, account_id, cur.fetchone()[0], batch_size, on_batch, along)
            loaded = loader.into_empty_table(records)
            if loaded is None:
                loaded = loader.in_batches(records)
        if loaded:
            _rebuild_counts(db, account_id)
            with conn.cursor() as cur:
                cur.execute(
                    f"ANALYZE {calls.name}, {call_legs.name}, {call_counts.name}, {call_value_counts.name}"
                )
            conn.commit()
    finally:
        pooled.close()
        return_freed_memory()
    return loaded


class _PostgresLoad:
    """COPY batches of calls and legs on one connection, in one of two ways.

    Into an empty ``calls`` table (a fresh store: ``trunkline seed``, the demo account), everything
    goes in one transaction that drops the table's non-unique indexes and ``call_legs``' foreign key
    first and builds them again at the end. Five covering indexes kept up row by row, and a foreign
    key checked per leg, were most of the server's work: a million calls took 107-115 s, and take
    64-68 s this way (BENCHMARKS.md). Being one transaction, a failure leaves the store as it was,
    indexes included; a server reading the store meanwhile waits for the load (the dropped indexes
    hold the table's lock).

    Into a table that holds calls, each batch is its own transaction and every index stays in place,
    so a server using the store keeps answering while the load runs.
    """

    def __init__(
        self,
        conn: Any,
        cur: Any,
        account_id: int,
        sequence: str | None,
        batch_size: int,
        on_batch: OnBatch | None,
        along: AlongBatch | None,
    ) -> None:
        self._conn, self._cur, self._account_id, self._sequence = conn, cur, account_id, sequence
        self._batch_size, self._on_batch, self._along = batch_size, on_batch, along

    def into_empty_table(self, records: Iterator[Call]) -> int | None:
        """Load everything in one transaction if ``calls`` is empty; None (nothing read from
        ``records``) if it is not."""
        cur = self._cur
        try:
            # The strongest lock at once, as DROP INDEX will need it: taking it later would be an
            # upgrade, which can deadlock with a transaction that read calls and then writes them.
            cur.execute(f"LOCK TABLE {calls.name} IN ACCESS EXCLUSIVE MODE")
            cur.execute(f"SELECT EXISTS (SELECT 1 FROM {calls.name})")
            if cur.fetchone()[0]:
                self._conn.rollback()
                return None
            rebuild = _drop_per_row_upkeep(cur)
            loaded = 0
            while batch := self._copy_batch(records):
                loaded += batch
            _raise_maintenance_memory(cur)
            for statement in rebuild:
                cur.execute(statement)
            self._conn.commit()
            return loaded
        except BaseException:
            self._conn.rollback()
            raise

    def in_batches(self, records: Iterator[Call]) -> int:
        loaded = 0
        while True:
            try:
                # Blocks other inserts (not readers) for the batch, so max(id) stays ours.
                self._cur.execute(f"LOCK TABLE {calls.name} IN SHARE ROW EXCLUSIVE MODE")
                count = self._copy_batch(records)
                if not count:
                    self._conn.rollback()
                    return loaded
                self._conn.commit()
            except BaseException:
                self._conn.rollback()
                raise
            loaded += count

    def _copy_batch(self, records: Iterator[Call]) -> int:
        """COPY the next batch (ids from the current maximum on); how many calls it held."""
        cur = self._cur
        cur.execute(_NEXT_ID)
        batch = _Batch(
            records, self._account_id, cur.fetchone()[0], self._batch_size, keep=self._along is not None
        )
        with cur.copy(f"COPY {calls.name} ({', '.join(_CALL_COLUMNS)}) FROM STDIN") as copy:
            for row in batch.call_rows():
                copy.write_row(row)
        if not batch.count:
            return 0
        _copy_rows(cur, call_legs.name, _LEG_COLUMNS, batch.leg_rows)
        if self._along is not None and batch.kept:
            self._along(lambda t, c, rows: _copy_rows(cur, t, c, rows), batch.kept)
        if self._sequence is not None:
            # Server-side inserts (nextval) must continue after the ids taken here.
            cur.execute("SELECT setval(%s, %s)", (self._sequence, batch.last_id))
        if self._on_batch is not None:
            self._on_batch(batch.count)
        return batch.count


_INDEX_BUILD_MEMORY_KIB = 262_144
"""At least 256 MiB to sort each index build in (PostgreSQL's default is 64 MiB, which spills a
million-call build to disk). Never less than the server's own setting: a cluster tuned for loads
(``maintenance_work_mem`` of 1 GB, docs/scaling.md) sorts ten million rows in memory with it."""


def _raise_maintenance_memory(cur: Any) -> None:
    cur.execute("SELECT setting::bigint FROM pg_settings WHERE name = 'maintenance_work_mem'")
    if int(cur.fetchone()[0]) < _INDEX_BUILD_MEMORY_KIB:
        cur.execute(f"SET LOCAL maintenance_work_mem = '{_INDEX_BUILD_MEMORY_KIB}kB'")


def _drop_per_row_upkeep(cur: Any) -> list[str]:
    """Drop ``calls``' non-unique indexes and ``call_legs``' foreign keys; return the statements that
    make them again, read from the catalog so they match whatever the migrations created."""
    cur.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass AND NOT x.indisunique",
        (calls.name,),
    )
    indexes = cur.fetchall()
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f'",
        (call_legs.name,),
    )
    keys = cur.fetchall()
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    for name, _ in keys:
        cur.execute(f'ALTER TABLE {call_legs.name} DROP CONSTRAINT "{name}"')
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE {call_legs.name} ADD CONSTRAINT "{name}" {definition}' for name, definition in keys
    ]


def rebuild_tracking(db: Database, account_id: int) -> None:
    """After loading tracked calls: recount their rollup and refresh the planner's statistics."""
    with db.write() as conn:
        rebuild_rollup(conn, account_id)
        conn.exec_driver_sql(f"ANALYZE {tracked_calls.name}")
        conn.exec_driver_sql(f"ANALYZE {tracked_call_counts.name}")
