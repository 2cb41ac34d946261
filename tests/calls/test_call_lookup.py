"""``CallLookup``: calls by Sid for the details hot path, many requests per read, on both stores."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import text

from tests.support.factories import make_account, make_call
from trunkline.store.call_lookup import LookupUnavailable, call_lookup
from trunkline.store.call_writes import CallWrites
from trunkline.store.database import Database


@pytest.fixture(scope="module")
def pg_db(database_factory) -> Database:  # type: ignore[no-untyped-def]
    return database_factory("postgres", "call_lookup")  # type: ignore[no-any-return]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store_db(request: pytest.FixtureRequest, database_factory) -> Database:  # type: ignore[no-untyped-def]
    return database_factory(request.param, f"call_lookup_{request.param}")  # type: ignore[no-any-return]


def test_concurrent_requests_share_queries_and_each_gets_its_own_call(store_db: Database) -> None:
    mine, theirs = make_account(store_db), make_account(store_db)
    my_calls = mine.add_calls(*(make_call(mine, duration=n) for n in range(40)))
    (their_call,) = theirs.add_calls(make_call(theirs))
    lookup = call_lookup(store_db)
    queries = 0

    async def scenario() -> None:
        nonlocal queries
        fetch = lookup._fetch

        async def counted(source: str, sids: list[str]):  # type: ignore[no-untyped-def]
            nonlocal queries
            queries += 1
            return await fetch(source, sids)

        lookup._fetch = counted  # type: ignore[method-assign]
        asked = [call.sid for call in my_calls] * 2 + [their_call.sid, "f" * 32]
        found = await asyncio.gather(*(lookup.get(mine.account_id, mine.sid, sid) for sid in asked))
        for call, got in zip(my_calls * 2, found, strict=False):
            assert got is not None and got.sid == call.sid and got.duration == call.duration
            assert got.account_sid == mine.sid and got.legs == []
        assert found[-2:] == [None, None]  # another account's call, and no call at all
        assert queries == 1
        await lookup.close()

    asyncio.run(scenario())


def test_a_lost_connection_fails_that_batch_and_the_next_request_reconnects(pg_db: Database) -> None:
    account = make_account(pg_db)
    (call,) = account.add_calls(make_call(account))
    lookup = call_lookup(pg_db)

    async def scenario() -> None:
        assert await lookup.get(account.account_id, account.sid, call.sid) is not None
        connection = lookup._connections[""]  # type: ignore[attr-defined]  # the primary's
        pid = connection.info.backend_pid
        with pg_db.engine.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(LookupUnavailable):
            await lookup.get(account.account_id, account.sid, call.sid)
        found = await lookup.get(account.account_id, account.sid, call.sid)
        assert found is not None and found.sid == call.sid
        await lookup.close()

    asyncio.run(scenario())


def test_each_read_sees_the_newest_committed_row(store_db: Database) -> None:
    account = make_account(store_db)
    (call,) = account.add_calls(make_call(account, status="in-progress", duration=None))
    lookup = call_lookup(store_db)

    async def scenario() -> None:
        first = await lookup.get(account.account_id, account.sid, call.sid)
        assert first is not None and first.status == "in-progress"
        with store_db.engine.begin() as conn:
            conn.execute(
                text("UPDATE calls SET status = 'completed', duration = 7 WHERE sid = :sid"),
                {"sid": call.sid},
            )
        second = await lookup.get(account.account_id, account.sid, call.sid)
        assert second is not None and (second.status, second.duration) == ("completed", 7)
        CallWrites(store_db).purge(account.account_id)
        assert await lookup.get(account.account_id, account.sid, call.sid) is None
        await lookup.close()

    asyncio.run(scenario())


def test_a_failing_read_on_sqlite_fails_that_batch_only(database_factory) -> None:  # type: ignore[no-untyped-def]
    db = database_factory("sqlite", "call_lookup_failing")
    account = make_account(db)
    (call,) = account.add_calls(make_call(account))
    lookup = call_lookup(db)

    async def scenario() -> None:
        read = lookup._read  # type: ignore[attr-defined]

        def broken(sids: list[str]) -> list[object]:
            raise sqlite3.OperationalError("disk I/O error")

        lookup._read = broken  # type: ignore[attr-defined]
        with pytest.raises(LookupUnavailable):
            await lookup.get(account.account_id, account.sid, call.sid)
        lookup._read = read  # type: ignore[attr-defined]
        found = await lookup.get(account.account_id, account.sid, call.sid)
        assert found is not None and found.sid == call.sid
        await lookup.close()

    asyncio.run(scenario())


def test_an_unexpected_error_in_a_read_fails_its_requests_instead_of_leaving_them_waiting(
    store_db: Database,
) -> None:
    account = make_account(store_db)
    (call,) = account.add_calls(make_call(account))
    lookup = call_lookup(store_db)

    async def scenario() -> None:
        fetch = lookup._fetch

        async def broken(source: str, sids: list[str]) -> list[object]:
            raise RuntimeError("not a driver error")

        lookup._fetch = broken  # type: ignore[method-assign,assignment]
        asked = [lookup.get(account.account_id, account.sid, call.sid) for _ in range(3)]
        outcomes = await asyncio.wait_for(asyncio.gather(*asked, return_exceptions=True), timeout=5)
        assert all(isinstance(outcome, LookupUnavailable) for outcome in outcomes)
        lookup._fetch = fetch  # type: ignore[method-assign]
        found = await lookup.get(account.account_id, account.sid, call.sid)
        assert found is not None and found.sid == call.sid
        await lookup.close()

    asyncio.run(scenario())
