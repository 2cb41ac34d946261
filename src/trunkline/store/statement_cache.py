"""SQL compiled once per query shape, for the list and count queries on the hot path.

A bulk list's statements have a handful of shapes (which filters are given, how many values each has,
which way a cursor points) and endless values. Building such a statement in SQLAlchemy Core on every
request cost 3-5 ms, several times what SQLite took to run it. So the stores split a query into its
*shape*, a hashable description from which a Core statement is built with a named ``bindparam`` for
every value, and its *values*, a dict under those names. The statement is built and compiled for the
database's dialect on the first request of a shape; later ones only fill in values.

The statements are still written in SQLAlchemy Core, so they read like the rest of the store and stay
portable; only their compiled text is reused. A value must never be inlined into a statement built
here (``column == 5``): it would be frozen into the cached SQL. Compiling one that carries a value
raises ``ValueError``, and ``CompiledStatement.params`` raises ``KeyError`` for a name it was given no
value for, so the first test of each shape catches either mistake.

On psycopg the text is compiled with PostgreSQL's own ``$1`` placeholders and run on a ``RawCursor``:
a ``%(name)s`` query is rescanned for placeholders on every run once it is longer than psycopg's
conversion cache takes (4 KiB; a count over a month's periods is longer), which cost ~1 ms a list.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from threading import Lock
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


def raw_cursor(driver: Any) -> Any:
    """psycopg's client-side ``RawCursor`` on ``driver``, a psycopg connection. Imported here, not at
    the top: psycopg is loaded by then (``driver`` is one of its connections), and a CLI command on
    SQLite never pays its ~10 MiB."""
    from psycopg import RawCursor

    return RawCursor(driver)


class CompiledStatement:
    """One statement's SQL text for a dialect, and the order its driver wants the values in."""

    __slots__ = ("sql", "_names", "_positional", "_raw")

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        self._raw = dialect.driver == "psycopg"
        if self._raw:
            dialect = _dollar_placeholders(dialect)
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        inlined = sorted(str(bind.key) for bind in compiled.binds.values() if not bind.required)
        if inlined:
            raise ValueError(f"a cached statement may not carry values, only bindparam names: {inlined}")
        self.sql = str(compiled)
        # qmark/format drivers (sqlite3) take a tuple in order; pyformat ones (psycopg) a dict.
        self._positional = compiled.positiontup is not None
        self._names = tuple(compiled.positiontup or sorted(set(compiled.bind_names.values())))

    def params(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        if self._positional:
            return tuple(values[name] for name in self._names)
        return {name: values[name] for name in self._names}

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run with ``values`` by name on ``conn``'s own DBAPI connection, inside its transaction
        (begun here if need be; a PostgreSQL read connection is in autocommit and sends none), and
        fetch every row as a plain tuple. SQLAlchemy's execution context and its ``Row`` objects
        cost ~0.1 ms a statement, a fifth of a 200-row page."""
        if not conn.in_transaction():
            conn.begin()
        driver: Any = conn.connection.driver_connection
        cursor = raw_cursor(driver) if self._raw else conn.connection.cursor()
        try:
            cursor.execute(self.sql, self.params(values))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def scalar(self, conn: Connection, values: Mapping[str, Any]) -> Any:
        """The first column of the one row the statement returns."""
        return self.rows(conn, values)[0][0]


class StatementCache:
    """Compiled statements by shape, for one dialect; the least recently used go beyond ``size``."""

    def __init__(self, dialect: Dialect, size: int = 1024) -> None:
        self._dialect = dialect
        self._size = size
        self._compiled: OrderedDict[Hashable, CompiledStatement] = OrderedDict()
        self._lock = Lock()

    def get(self, shape: Hashable, build: Callable[[], ClauseElement]) -> CompiledStatement:
        """The statement for ``shape``; ``build`` makes it (with a ``bindparam`` per value) on a miss."""
        with self._lock:
            found = self._compiled.get(shape)
            if found is not None:
                self._compiled.move_to_end(shape)
                return found
        compiled = CompiledStatement(build(), self._dialect)
        with self._lock:
            self._compiled[shape] = compiled
            if len(self._compiled) > self._size:
                self._compiled.popitem(last=False)
        return compiled

    def __len__(self) -> int:
        return len(self._compiled)


_DOLLAR_DIALECTS: WeakKeyDictionary[Dialect, Dialect] = WeakKeyDictionary()


def _dollar_placeholders(dialect: Dialect) -> Dialect:
    """The same dialect compiling ``$1, $2 ...`` (a value used twice keeps its number)."""
    found = _DOLLAR_DIALECTS.get(dialect)
    if found is None:
        make: Any = type(dialect)  # dialects take ``paramstyle``; the base type does not say so
        found = _DOLLAR_DIALECTS.setdefault(dialect, make(paramstyle="numeric_dollar"))
    return found


_CACHES: WeakKeyDictionary[Dialect, StatementCache] = WeakKeyDictionary()
_CACHES_LOCK = Lock()


def statements_for(dialect: Dialect) -> StatementCache:
    """The cache of one engine's dialect (compiled SQL depends on it: placeholders, quoting)."""
    found = _CACHES.get(dialect)
    if found is None:
        with _CACHES_LOCK:
            found = _CACHES.setdefault(dialect, StatementCache(dialect))
    return found
