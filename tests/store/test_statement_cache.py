"""The compiled-statement cache the bulk lists run on (``store.statement_cache``)."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg, psycopg2

from tests.store.test_call_counts import BASE, _account, _call
from trunkline.domain.calls.bulk_filters import DAY_MS, BulkQuery, Range
from trunkline.store import bulk_sql
from trunkline.store.bulk_load import load_calls
from trunkline.store.calls import CallStore
from trunkline.store.database import Database
from trunkline.store.schema.calls import calls
from trunkline.store.statement_cache import CompiledStatement, StatementCache, statements_for


def test_a_value_inlined_into_a_cached_statement_is_refused() -> None:
    """It would be frozen into the SQL served to every later query of the shape."""
    with pytest.raises(ValueError, match="may not carry values"):
        CompiledStatement(select(calls.c.id).where(calls.c.duration >= 60), sqlite.dialect())


def test_values_go_by_name_in_the_driver_s_own_style() -> None:
    statement = select(calls.c.id).where(
        calls.c.duration >= bindparam("low"), calls.c.account_id == bindparam("account_id")
    )
    lite = CompiledStatement(statement, sqlite.dialect())
    assert lite.params({"account_id": 7, "low": 60, "unused": 1}) == (60, 7)
    pyformat = CompiledStatement(statement, psycopg2.dialect())
    assert "%(low)s" in pyformat.sql
    assert pyformat.params({"account_id": 7, "low": 60, "unused": 1}) == {"account_id": 7, "low": 60}
    # psycopg 3 gets PostgreSQL's own placeholders (run on a RawCursor): no rescanning of long SQL.
    twice = statement.where(calls.c.id > bindparam("account_id"))
    dollar = CompiledStatement(twice, psycopg.dialect())
    assert dollar.sql.endswith(
        "calls.duration >= $1::INTEGER AND calls.account_id = $2::INTEGER AND calls.id > $2::BIGINT"
    )
    assert dollar.params({"account_id": 7, "low": 60, "unused": 1}) == (60, 7)
    with pytest.raises(KeyError):
        lite.params({"low": 60})


def test_built_once_per_shape_and_bounded() -> None:
    cache = StatementCache(sqlite.dialect(), size=2)
    builds: list[int] = []

    def build(n: int):  # type: ignore[no-untyped-def]
        def make():  # type: ignore[no-untyped-def]
            builds.append(n)
            return select(func.count()).select_from(calls).where(bulk_sql.one_of(calls.c.sid, "sid", n))

        return make

    first = cache.get(("sids", 1), build(1))
    assert cache.get(("sids", 1), build(1)) is first
    cache.get(("sids", 2), build(2))
    cache.get(("sids", 3), build(3))  # the least recently used, ("sids", 1), goes
    assert len(cache) == 2
    cache.get(("sids", 1), build(1))
    assert builds == [1, 2, 3, 1]


@pytest.fixture(params=["sqlite", "postgres"])
def store_db(request: pytest.FixtureRequest, database_factory) -> Database:  # type: ignore[no-untyped-def]
    return database_factory(request.param, f"statements_{request.param}")  # type: ignore[no-any-return]


def test_one_shape_serves_every_value(store_db: Database) -> None:
    """Lists of one shape share their statements (the cache stops growing); each gets its own answer,
    on SQLite and on PostgreSQL (whose driver takes the values by name)."""
    account_id = _account(store_db)
    load_calls(
        store_db, account_id, [_call(BASE + i * 60_000, duration=d) for i, d in enumerate((5, 50, 500))]
    )
    store, cache = CallStore(store_db), statements_for(store_db.engine.dialect)
    sizes = []
    for low, expected in ((0, 3), (10, 2), (60, 1), (600, 0)):  # bucket edges: one shape
        query = BulkQuery(created_from_ms=BASE, created_to_ms=BASE + DAY_MS, duration=Range(gte=low))
        page = store.list(account_id, "ACshapes", query)
        assert (len(page.calls), page.total) == (expected, expected)
        assert all(call.duration is not None and call.duration >= low for call in page.calls)
        sizes.append(len(cache))
    assert sizes[1:] == sizes[:-1]


def test_postgres_reads_keep_their_prepared_statements(database_factory) -> None:  # type: ignore[no-untyped-def]
    """psycopg prepares a statement on its fifth run on a connection and forgets all of them when the
    connection rolls back: reads must not end in ROLLBACK, or no list ever runs on a prepared plan."""
    db: Database = database_factory("postgres", "prepared_reads")
    count = CompiledStatement(
        select(func.count()).select_from(calls).where(calls.c.account_id == bindparam("account_id")),
        db.engine.dialect,
    )
    for _ in range(8):
        with db.read() as conn:
            assert count.scalar(conn, {"account_id": 1}) == 0
    with db.read() as conn:
        prepared = conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars().all()
    assert [text for text in prepared if "count(*)" in text and "$1" in text], prepared
