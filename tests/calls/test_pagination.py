"""Keyset pagination, property-based: walking every page forward or backward returns each matching
call exactly once, with many calls sharing a timestamp and while new calls are being inserted."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.factories import AccountFixture, make_call
from trunkline.domain.calls.bulk_filters import BulkQuery
from trunkline.domain.calls.cursor import Position
from trunkline.domain.calls.model import Call
from trunkline.domain.clock import now_ms
from trunkline.store.bulk_load import load_calls
from trunkline.store.calls import CallStore
from trunkline.store.database import Database
from trunkline.store.schema.accounts import accounts

_ids = itertools.count()
BASE = now_ms() - 10 * 86_400_000


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store_db(request: pytest.FixtureRequest, database_factory) -> Database:  # type: ignore[no-untyped-def]
    return database_factory(request.param, f"pagination_{request.param}")  # type: ignore[no-any-return]


def _account(db: Database) -> AccountFixture:
    """An account row without credentials: hashing a token per example would only slow hypothesis."""
    sid = f"page{next(_ids)}"
    with db.engine.begin() as conn:
        account_id = conn.execute(
            accounts.insert().values(sid=sid, name=sid, created_at=0)
        ).inserted_primary_key[0]
    return AccountFixture(sid, account_id, "", "", db)


def _query(page_size: int, descending: bool, **cursor: Position) -> BulkQuery:
    return BulkQuery(
        created_from_ms=BASE - 1,
        created_to_ms=BASE + 10**9,
        page_size=page_size,
        descending=descending,
        **cursor,
    )


def _walk(
    store: CallStore, account: AccountFixture, page_size: int, descending: bool, backward: bool, during=None
) -> list[str]:  # type: ignore[no-untyped-def]
    """Follow next links (or, backward, start at the last page and follow prev links)."""
    seen: list[str] = []
    page = store.list(account.account_id, account.sid, _query(page_size, descending))
    if backward:
        while page.has_next:
            last = page.calls[-1]
            page = store.list(
                account.account_id,
                account.sid,
                _query(page_size, descending, after=Position(last.date_created, last.sid)),
            )
        pages = [page.calls]
        for _ in range(1000):
            if not page.has_previous:
                break
            if during:
                during()
            first = page.calls[0]
            page = store.list(
                account.account_id,
                account.sid,
                _query(page_size, descending, before=Position(first.date_created, first.sid)),
            )
            pages.insert(0, page.calls)
        return [c.sid for calls in pages for c in calls]
    for _ in range(1000):
        seen += [c.sid for c in page.calls]
        if not page.has_next:
            return seen
        if during:
            during()
        last = page.calls[-1]
        page = store.list(
            account.account_id,
            account.sid,
            _query(page_size, descending, after=Position(last.date_created, last.sid)),
        )
    raise AssertionError("walk did not end")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offsets=st.lists(st.integers(0, 5), min_size=0, max_size=40),
    page_size=st.integers(1, 7),
    descending=st.booleans(),
    backward=st.booleans(),
)
def test_walking_all_pages_returns_every_call_once_in_order(
    store_db: Database, offsets: list[int], page_size: int, descending: bool, backward: bool
) -> None:
    account = _account(store_db)
    calls = [make_call(account, date_created=BASE + offset * 1000) for offset in offsets]  # many ties
    load_calls(store_db, account.account_id, calls)
    expected = [sid for _, sid in sorted(((c.date_created, c.sid) for c in calls), reverse=descending)]
    assert _walk(CallStore(store_db), account, page_size, descending, backward) == expected


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offsets=st.lists(st.integers(0, 5), min_size=1, max_size=30),
    inserted=st.lists(st.integers(0, 5), min_size=1, max_size=10),
    page_size=st.integers(1, 5),
    descending=st.booleans(),
    backward=st.booleans(),
)
def test_calls_inserted_during_a_walk_never_cause_gaps_or_duplicates(
    store_db: Database,
    offsets: list[int],
    inserted: list[int],
    page_size: int,
    descending: bool,
    backward: bool,
) -> None:
    account = _account(store_db)
    store = CallStore(store_db)
    originals = [make_call(account, date_created=BASE + o * 1000) for o in offsets]
    load_calls(store_db, account.account_id, originals)
    pending: list[Call] = [make_call(account, date_created=BASE + o * 1000) for o in inserted]

    def insert_one() -> None:
        if pending:
            load_calls(store_db, account.account_id, [pending.pop()])

    seen = _walk(store, account, page_size, descending, backward, during=insert_one)
    assert len(seen) == len(set(seen)), "a call was returned twice"
    assert {c.sid for c in originals} <= set(seen), "a call that existed before the walk was skipped"
