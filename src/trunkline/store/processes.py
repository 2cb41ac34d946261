"""The registry of server processes sharing a store, the sandbox generation they acknowledge, and
the rate-limit buckets they spend from together.

Every time here is the database server's clock (``db_now``), never a process's: processes on
several hosts then agree on whose heartbeat is late, and on how full a bucket is, whatever their
own clocks say.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import BigInteger, ColumnElement, Connection, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from trunkline.store import meta_values
from trunkline.store.database import Database
from trunkline.store.schema.processes import rate_buckets, server_processes

GENERATION_KEY = "sandbox.generation"
"""Bumped by every change all processes must take up at once: a clock move or reset, a scenario."""


def bump_generation(conn: Connection) -> int:
    """Count one more sandbox change, in the caller's transaction (the one making the change)."""
    current = meta_values.read(conn, GENERATION_KEY, for_update=True)
    value = (int(current) if current is not None else 0) + 1
    meta_values.write(conn, GENERATION_KEY, str(value))
    return value


def read_generation(conn: Connection) -> int:
    value = meta_values.read(conn, GENERATION_KEY)
    return int(value) if value is not None else 0


def _db_now(conn: Connection) -> ColumnElement[int]:
    if conn.dialect.name == "postgresql":
        return literal_column("(extract(epoch from clock_timestamp()) * 1000)::bigint", BigInteger)
    return literal(time.time_ns() // 1_000_000, BigInteger)


@dataclass(frozen=True, slots=True)
class ProcessRow:
    instance_id: str
    host: str
    pid: int
    started_ms: int
    heartbeat_ms: int
    generation: int


class ProcessStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def register(self, instance_id: str, host: str, pid: int, generation: int) -> None:
        """Insert (or refresh) this process's row, its heartbeat now."""
        with self._db.write() as conn:
            now = conn.execute(select(_db_now(conn))).scalar_one()
            conn.execute(server_processes.delete().where(server_processes.c.instance_id == instance_id))
            conn.execute(
                server_processes.insert().values(
                    instance_id=instance_id,
                    host=host[:255],
                    pid=pid,
                    started_ms=now,
                    heartbeat_ms=now,
                    generation=generation,
                )
            )

    def heartbeat(self, instance_id: str) -> bool:
        """Refresh this process's heartbeat; False when its row is gone (others counted it dead)."""
        table = server_processes
        with self._db.write() as conn:
            changed = conn.execute(
                table.update().where(table.c.instance_id == instance_id).values(heartbeat_ms=_db_now(conn))
            ).rowcount
        return bool(changed)

    def remove_gone(self, gone_after_ms: int) -> list[str]:
        """Delete the rows whose heartbeat is older than ``gone_after_ms``; their instance ids. Only
        the process whose DELETE removed a row gets its id, so a dead process is taken over once."""
        table = server_processes
        with self._db.write() as conn:
            cutoff = _db_now(conn) - gone_after_ms
            ids = conn.execute(
                table.delete().where(table.c.heartbeat_ms < cutoff).returning(table.c.instance_id)
            ).scalars()
            return list(ids)

    def acknowledge(self, instance_id: str, generation: int) -> None:
        table = server_processes
        with self._db.write() as conn:
            conn.execute(
                table.update()
                .where(table.c.instance_id == instance_id, table.c.generation < generation)
                .values(generation=generation)
            )

    def behind(self, generation: int, gone_after_ms: int, *, besides: str) -> list[str]:
        """The live processes (a heartbeat within ``gone_after_ms``), other than ``besides``, that
        have not yet taken up ``generation``."""
        table = server_processes
        with self._db.read() as conn:
            cutoff = _db_now(conn) - gone_after_ms
            query = select(table.c.instance_id).where(
                table.c.heartbeat_ms >= cutoff,
                table.c.generation < generation,
                table.c.instance_id != besides,
            )
            return list(conn.execute(query).scalars())

    def live(self, gone_after_ms: int) -> tuple[int, list[ProcessRow]]:
        """The database's time now (heartbeats are written in it) and the live processes, oldest first."""
        table = server_processes
        with self._db.read() as conn:
            now = int(conn.execute(select(_db_now(conn))).scalar_one())
            rows = conn.execute(
                select(table).where(table.c.heartbeat_ms >= now - gone_after_ms).order_by(table.c.started_ms)
            )
            return now, [ProcessRow(*row) for row in rows]

    def remove(self, instance_id: str) -> None:
        with self._db.write() as conn:
            conn.execute(server_processes.delete().where(server_processes.c.instance_id == instance_id))

    def generation(self) -> int:
        with self._db.read() as conn:
            return read_generation(conn)


@dataclass(frozen=True, slots=True)
class Reservation:
    granted: int
    """Tokens handed to the caller (0: the bucket is empty)."""
    left: float
    """Tokens left in the shared bucket after the grant."""


class RateBucketStore:
    """Token buckets shared by every process (PostgreSQL). One statement reserves a share of what is
    left: the bucket is refilled for the time since its last use, and the caller takes
    ``share`` of it (at least one token when one is there, at most ``chunk``), under the row's lock."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def reserve(
        self, account_sid: str, capacity: int, per_ms: float, *, share: float, chunk: int
    ) -> Reservation:
        table = rate_buckets
        # One statement, atomic on its own: run in autocommit (``Database.read``'s connections on
        # PostgreSQL), which saves the BEGIN and COMMIT round trips of a write transaction.
        with self._db.read() as conn:
            now = _db_now(conn)
            refilled = func.least(
                float(capacity), table.c.tokens + func.greatest(now - table.c.updated_ms, 0) * per_ms
            )
            grant = _grant(refilled, share, chunk)
            fresh = _grant(literal(float(capacity)), share, chunk)
            statement = (
                pg_insert(table)
                .values(
                    account_sid=account_sid, tokens=float(capacity) - fresh, updated_ms=now, granted=fresh
                )
                .on_conflict_do_update(
                    index_elements=[table.c.account_sid],
                    set_={"tokens": refilled - grant, "updated_ms": now, "granted": grant},
                )
                .returning(table.c.granted, table.c.tokens)
            )
            granted, left = conn.execute(statement).one()
        return Reservation(int(granted), float(left))

    def clear(self, account_sids: Sequence[str] | None = None) -> None:
        with self._db.write() as conn:
            query = rate_buckets.delete()
            if account_sids is not None:
                query = query.where(rate_buckets.c.account_sid.in_(list(account_sids)))
            conn.execute(query)


def _grant(tokens: ColumnElement[float], share: float, chunk: int) -> ColumnElement[int]:
    """``share`` of ``tokens``, at least 1 and at most ``chunk``, never more than there are."""
    whole = func.floor(tokens)
    return func.least(whole, func.greatest(1, func.least(chunk, func.floor(tokens * share)))).cast(
        server_processes.c.pid.type
    )
