"""Opening the store: engine set-up, pragmas, migrations on start, and the server's own secret."""

from __future__ import annotations

import re
import secrets
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from trunkline.store.schema.meta import meta

if TYPE_CHECKING:
    from trunkline.store.replicas import ReplicaRouter

_MIGRATIONS = Path(__file__).parent / "migrations"
_NUMBERED = re.compile(r"(\d{4})_\w+\.py")
"""A migration's file name: its revision id, four digits (``alembic revision --rev-id 0018``)."""


@cache
def schema_head() -> str:
    """The newest migration's revision, read from the file names (``0017_caller_counts_by_caller.py``
    is revision ``0017``; the chain is linear, and a test holds this equal to Alembic's own head).

    Why not ask Alembic: an up-to-date store is the common case, and importing Alembic to learn
    that costs every CLI command ~11 MiB and a tenth of a second (``migrate``), and every server
    as much (``/readyz`` compares the store's revision with this)."""
    numbered = (_NUMBERED.match(path.name) for path in (_MIGRATIONS / "versions").iterdir())
    return max(match.group(1) for match in numbered if match is not None)


def _psycopg_errors() -> tuple[type[BaseException], ...]:
    """psycopg's own connection error, if psycopg is loaded at all: a CLI command on SQLite never
    imports it (~10 MiB), and then none of its exceptions can exist."""
    psycopg = sys.modules.get("psycopg")
    return (psycopg.OperationalError,) if psycopg is not None else ()


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and bare SQLite paths; use the psycopg 3 driver."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


SQLITE_BUSY_TIMEOUT_MS = 5000
"""How long a connection waits for another process's write lock before "database is locked"."""


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be reached right now: a refused
    or lost connection, a server restarting, the pool waiting in vain. Such a failure is retried,
    logged on one line (no traceback) and answered with a 503; anything else is a bug."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, (OperationalError, InterfaceError, PoolTimeout, *_psycopg_errors())):
            return True
        current = current.__cause__ or current.__context__
    return False


MIGRATION_LOCK_KEY = 0x54524B4C  # "TRKL"
"""The PostgreSQL advisory lock (one bigint key) that lets one process at a time migrate a store."""
MIGRATION_WAIT_MS = 30 * 60 * 1000
"""How long a process waits for another's migration of a SQLite store before it gives up."""

SQLITE_CACHE_KIB = 2048
"""Each SQLite connection's page cache (see ``_sqlite_pragmas``)."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy emits BEGIN itself (``_sqlite_begin``), so that a write transaction can take the
    # write lock up front; the driver's own implicit BEGIN would not let it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # 2 MiB of pages per connection (SQLite's own default); the OS page cache, shared by every
    # connection and not counted in the process's memory, holds the rest of a hot store. At 8 MiB
    # a dozen connections on a large store held ~100 MB between them.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """Put the file in WAL mode, which it then keeps. Processes opening a brand-new file at once
    all try to switch it; the switch needs the file to itself, and SQLite refuses the others at once
    (no busy wait), so they retry, for as long as a write would wait, until the file reads WAL."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite_begin(conn: Connection) -> None:
    """``BEGIN IMMEDIATE`` for transactions opened with ``Database.write``: one that reads and then
    writes (claiming due timers, say) would otherwise fail with SQLITE_BUSY when another connection
    commits between its read and its first write; waiting for the lock up front is what busy_timeout
    can handle."""
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_POINT_IDLE = 2
"""Point-read connections kept open between reads: the event loop and one thread, typically."""

_SQLITE_POOL, _SQLITE_OVERFLOW = 4, 8
"""At most 12 SQLite connections: the worker threads (``TRUNKLINE_WORKER_THREADS``, 8 by default),
the event loop and the idle point-read connections, each with its page cache."""


class Database:
    """The engine and what is known about it; one per process."""

    replicas: ReplicaRouter | None = None
    """Where reads of call records may go instead (``use_replicas``); None: all to the primary."""

    def __init__(self, url: str) -> None:
        self._point_lock = threading.Lock()
        self._write_gate = threading.RLock()
        self._point_idle: list[Any] = []
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                self.url,
                connect_args={"check_same_thread": False},
                pool_size=_SQLITE_POOL,
                max_overflow=_SQLITE_OVERFLOW,
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
            self._writer: Engine = self.engine.execution_options(sqlite_immediate=True)
            self._reader: Engine = self.engine
        else:
            # LIFO: a quiet server keeps reusing its few warm connections, whose prepared statements
            # (psycopg prepares a statement on its fifth run on a connection) then serve every request.
            self.engine = create_engine(
                self.url, pool_size=10, max_overflow=10, pool_pre_ping=True, pool_use_lifo=True
            )
            self._writer = self.engine
            # Reads run in autocommit: under READ COMMITTED each statement takes its own snapshot
            # inside a transaction as well, so BEGIN and COMMIT only cost two round trips a request.
            self._reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    def write(self) -> AbstractContextManager[Connection]:
        """A transaction that will write: on SQLite it takes the write lock at BEGIN (see
        ``_sqlite_begin``); on PostgreSQL it is ``engine.begin()``. Every write transaction of the
        store opens here (migrations included), so none can meet SQLITE_BUSY halfway through; the
        bulk loader's raw driver connection is the one documented exception (``store.bulk_load``)."""
        if self.is_sqlite:
            return self._sqlite_write()
        return self._writer.begin()

    @contextmanager
    def _sqlite_write(self) -> Iterator[Connection]:
        """SQLite lets one writer in at a time, and a connection waiting for the lock polls for it
        in sleeps that grow to 100 ms (its busy handler), with no queue: under heavy load a writer
        could lose every race for ``busy_timeout`` and fail with "database is locked" (seen in the
        memory soak on a loaded host: a 500 on connect). The writers of one process queue on a lock
        of their own first, so the busy handler only ever waits for another process (a CLI command
        beside the server). Re-entrant, so that a nested write meets SQLite as it did before."""
        with self._write_gate, self._writer.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads. On PostgreSQL it is in autocommit; on SQLite its transaction
        ends in COMMIT. Never in ROLLBACK: psycopg forgets every statement it has prepared on a
        connection when it rolls back, so reads that ended so never reused a plan, and PostgreSQL
        parsed and planned each list's count statement afresh."""
        with self._reader.connect() as conn:
            yield conn
            if conn.in_transaction():
                conn.commit()

    def use_replicas(self, router: ReplicaRouter) -> None:
        """Send reads of call records (``read_records``) where ``router`` chooses, and tell other
        processes of this store's writes of call records (``note_writes``)."""
        assert not self.is_sqlite, "read replicas are PostgreSQL's"
        self.replicas = router

    @contextmanager
    def read_records(self, account_id: int) -> Iterator[Connection]:
        """A connection for reads of one account's call records: a replica's when the router picks
        one (none written for the account lately, see ``store.replicas``), else ``read()``'s. A
        replica that refuses the connection is marked down and the primary answers."""
        replica = self.replicas.choose(account_id) if self.replicas is not None else None
        conn: Connection | None = None
        if replica is not None:
            try:
                conn = replica.engine.connect()
            except OperationalError as exc:
                replica.mark_down(f"a read could not connect: {exc.orig}")
        if conn is None:
            with self.read() as primary:
                yield primary
            return
        with conn:
            yield conn

    def note_writes(self, conn: Connection, account_ids: Iterable[int | None]) -> None:
        """In a write transaction of call records: start the accounts' read-your-writes window
        (``None``: every account). Nothing to do without replicas."""
        if self.replicas is not None:
            self.replicas.note_writes(conn, account_ids)

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision. A store already there is only read, and
        Alembic is imported only when there is something to do (see ``schema_head``)."""
        if self.revision() == schema_head():
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with self._migration() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def _migration(self) -> Iterator[Connection]:
        """The write transaction a migration runs in, one process at a time: two servers starting on
        a store behind the code (after an upgrade), or a server and a CLI command, used to migrate
        side by side, and the second failed to start ("already exists" on PostgreSQL; "database is
        locked" on SQLite, whose writers wait 5 s while a 10M-call store's migration takes 78 s).
        PostgreSQL: an advisory lock held to the transaction's end. SQLite: ``BEGIN IMMEDIATE``
        waiting as long as a migration may take. Alembic reads the revision again inside, so the
        process that waited finds nothing left to do."""
        if not self.is_sqlite:
            with self.write() as conn:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                yield conn
            return
        with self._write_gate, self._writer.connect() as conn:
            driver: Any = conn.connection.driver_connection  # no transaction yet: the wait is BEGIN's
            driver.execute(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
            try:
                with conn.begin():
                    yield conn
            finally:
                driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

    def revision(self) -> str | None:
        """The store's Alembic revision; None for a store never migrated. Opening the connection
        also proves the database answers (``/readyz``)."""
        with self.read() as conn:
            if not self.engine.dialect.has_table(conn, "alembic_version"):
                return None
            value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if value is None else str(value)

    def secret_key(self, configured: str | None) -> bytes:
        """The configured key, else one generated on first start and kept in the ``meta`` table."""
        if configured:
            return configured.encode()
        with self.write() as conn:
            value = conn.execute(select(meta.c.value).where(meta.c.key == "secret_key")).scalar()
            if value is None:
                value = secrets.token_hex(32)
                conn.execute(meta.insert().values(key="secret_key", value=value))
        return bytes.fromhex(value)

    @contextmanager
    def point_read(self) -> Iterator[Any]:
        """A sqlite3 connection for primary-key reads on the hot path, past SQLAlchemy, whose
        per-execution overhead (~50 µs) would be most of a request. Outside a transaction, SQLite
        in WAL mode reads the newest committed data.

        The connection is lent, not pinned to the thread: a few stay open for the next read
        (``_POINT_IDLE``) and the rest go back to the pool, so the connections (and their page
        caches) are bounded by how many reads run at once, not by how many threads ever read.
        A read that fails closes its connection, in case the failure was the connection's."""
        assert self.is_sqlite, "point reads bypass the pool only on SQLite"
        with self._point_lock:
            connection = self._point_idle.pop() if self._point_idle else None
        if connection is None:
            connection = self.engine.raw_connection()
        try:
            yield connection.driver_connection
        except BaseException:
            connection.invalidate()
            raise
        with self._point_lock:
            if len(self._point_idle) < _POINT_IDLE:
                self._point_idle.append(connection)
                return
        connection.close()

    def close_point_reads(self) -> None:
        """Close the idle point-read connections (the next read opens a fresh one)."""
        with self._point_lock:
            idle, self._point_idle = self._point_idle, []
        for connection in idle:
            connection.close()

    def dispose(self) -> None:
        if self.replicas is not None:
            self.replicas.stop()
        self.close_point_reads()
        self.engine.dispose()
