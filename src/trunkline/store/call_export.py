"""Reading every call of a bulk query, oldest first, in batches of plain tuples (``trunkline calls
export``).

The bulk list reads one page per request; an export reads millions of calls in one go and must stay
in constant memory. So it walks the same ``(date_created, sid)`` order as the list (index
``ix_calls_account_created``, the same WHERE clause from ``bulk_sql``), but:

- on SQLite, as keyset batches: each batch is its own short read that seeks past the last row of the
  one before, so no read transaction stays open (a long one would stop the WAL from checkpointing
  while a server writes) and nothing but one batch is ever held;
- on PostgreSQL, as one server-side (named) cursor fetched a batch at a time, so the server plans and
  walks the index once and the client never buffers the result.

Rows come back as tuples in ``CALL_COLUMN_NAMES`` order, past SQLAlchemy's ``Row`` objects, which
would cost more than the read itself at this size. Legs, when asked for, are read per batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, select

from trunkline.domain.calls.bulk_filters import BulkQuery
from trunkline.domain.calls.cursor import Position
from trunkline.store import bulk_sql, call_counts
from trunkline.store.calls import CALL_COLUMN_NAMES
from trunkline.store.database import Database
from trunkline.store.schema.calls import call_legs, calls
from trunkline.store.statement_cache import CompiledStatement, raw_cursor, statements_for

LEG_COLUMN_NAMES = ("leg_id", "number", "status", "on_call_duration", "answered_by")
"""The fields of one leg tuple, in order."""
_SID = CALL_COLUMN_NAMES.index("sid")
_DATE = CALL_COLUMN_NAMES.index("date_created")


@dataclass(frozen=True, slots=True)
class CallBatch:
    """Calls as tuples in ``CALL_COLUMN_NAMES`` order; ``legs`` by call row id (empty without legs)."""

    rows: list[tuple[Any, ...]]
    legs: dict[int, list[tuple[Any, ...]]]


class CallExport:
    """The export read of one store."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def count(self, account_id: int, query: BulkQuery) -> int:
        """How many calls ``batches`` will yield (from the rollups, as the list's ``Total``)."""
        if bulk_sql.shape_of(query) is None:
            return 0
        with self._db.read() as conn:
            return call_counts.count(conn, account_id, query)

    def batches(
        self, account_id: int, query: BulkQuery, *, batch_size: int, legs: bool = False
    ) -> Iterator[CallBatch]:
        """Every call of ``query`` (its Sids, numbers, statuses, ranges and window; never its page
        size or cursors), oldest first."""
        shape = bulk_sql.shape_of(query)
        if shape is None:
            return
        values = bulk_sql.values_of(account_id, query)
        if self._db.is_sqlite:
            yield from self._keyset_batches(shape, values, batch_size, legs)
        else:
            yield from self._cursor_batches(shape, values, batch_size, legs)

    @staticmethod
    def _select(shape: bulk_sql.FilterShape, past: bool) -> Select:
        where = bulk_sql.conditions(shape)
        if past:
            where.append(bulk_sql.keyset(">"))
        return (
            select(*(calls.c[name] for name in CALL_COLUMN_NAMES))
            .where(*where)
            .order_by(calls.c.date_created.asc(), calls.c.sid.asc())
        )

    def _statement(self, shape: bulk_sql.FilterShape, past: bool) -> CompiledStatement:
        def build() -> Select:
            # A bound LIMIT makes SQLite's compiler add an OFFSET of its own, as a literal: bind it too.
            return self._select(shape, past).limit(bindparam("limit")).offset(bindparam("offset"))

        return statements_for(self._db.engine.dialect).get(("calls.export", shape, past), build)

    def _keyset_batches(
        self, shape: bulk_sql.FilterShape, values: dict[str, Any], batch_size: int, legs: bool
    ) -> Iterator[CallBatch]:
        first = self._statement(shape, past=False)
        following = self._statement(shape, past=True)
        statement, bound = first, values
        while True:
            with self._db.read() as conn:
                rows = statement.rows(conn, {**bound, "limit": batch_size, "offset": 0})
                found = self._legs(conn.connection.driver_connection, rows) if legs and rows else {}
            if not rows:
                return
            full, last = len(rows) == batch_size, rows[-1]
            yield CallBatch(rows, found)
            del rows, found  # freed before the next read
            if not full:
                return
            statement = following
            bound = bulk_sql.past_values(values, Position(last[_DATE], last[_SID]), later=True)

    def _cursor_batches(
        self, shape: bulk_sql.FilterShape, values: dict[str, Any], batch_size: int, legs: bool
    ) -> Iterator[CallBatch]:
        # Compiled with the driver's own %(name)s placeholders: the cached statements use ``$n``,
        # which only psycopg's client-side ``RawCursor`` takes, and an export compiles this once.
        compiled = self._select(shape, past=False).compile(dialect=self._db.engine.dialect)
        params = {name: values[name] for name in compiled.params}
        # A named cursor lives in a transaction: a connection of its own, not the autocommit readers.
        with self._db.engine.connect() as conn:
            driver: Any = conn.connection.driver_connection
            with driver.transaction(), driver.cursor(name="trunkline_export") as named:
                named.itersize = batch_size
                named.execute(str(compiled), params)
                while rows := named.fetchmany(batch_size):
                    found = self._legs(driver, rows) if legs else {}
                    yield CallBatch(rows, found)

    def _legs(self, driver: Any, rows: Sequence[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
        """The legs of ``rows``'s calls, by call id, in leg order (one query per batch)."""
        ids = [row[0] for row in rows]
        found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start : start + _IDS_PER_QUERY]
            statement = self._legs_statement(len(chunk))
            cursor = raw_cursor(driver) if not self._db.is_sqlite else driver.cursor()
            try:
                cursor.execute(statement.sql, statement.params({f"id_{i}": v for i, v in enumerate(chunk)}))
                for call_id, *leg in cursor.fetchall():
                    found[call_id].append(tuple(leg))
            finally:
                cursor.close()
        for items in found.values():
            items.sort(key=lambda leg: leg[0])
        return found

    def _legs_statement(self, n: int) -> CompiledStatement:
        def build() -> Select:
            return select(call_legs.c.call_id, *(call_legs.c[name] for name in LEG_COLUMN_NAMES)).where(
                call_legs.c.call_id.in_([bindparam(f"id_{i}") for i in range(n)])
            )

        return statements_for(self._db.engine.dialect).get(("calls.export.legs", n), build)


_IDS_PER_QUERY = 1000
"""Call ids per legs query: well under SQLite's bound-variable limit, and few distinct statements."""
