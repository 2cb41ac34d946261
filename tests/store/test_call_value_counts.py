"""The ``call_value_counts`` rollup (Duration buckets, exact Price): a bulk list's Total filtered on
Duration or Price is always the exact count, whatever the bucket a filter cuts through, calls whose
Duration or Price is not known yet, and however the engine ends and settles calls meanwhile."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, delete, func, select

from tests.store.test_call_counts import (
    BASE,
    DIRECTIONS,
    PHONES,
    SETTINGS,
    STATUSES,
    TO_NUMBERS,
    _account,
    _call,
    _subset,
    _windows,
    exact_count,
)
from tests.support.calls_api import ANSWER, BUSY, MACHINE, NEVER, advance, place
from tests.support.factories import make_account
from tests.support.live_server import LiveServer, start_server
from trunkline.domain.calls.bulk_filters import DAY_MS, BulkQuery, Range
from trunkline.domain.calls.model import FINAL_STATUSES, Call
from trunkline.store import call_counts, call_value_counts
from trunkline.store.bulk_load import load_calls
from trunkline.store.call_value_counts import bucket_end, bucket_of
from trunkline.store.call_writes import CallWrites
from trunkline.store.database import Database
from trunkline.store.rollup_periods import HOUR_MS, PERIODS
from trunkline.store.schema.call_rollups import call_value_counts as table
from trunkline.store.schema.calls import calls

# Durations on and either side of every kind of bucket edge, and prices a few apart.
EDGY = sorted(
    {d + step for d in (0, 9, 10, 30, 60, 119, 120, 300, 1800, 3600, 7200) for step in (-1, 0, 1, 5)}
)
PRICES = (0, 750_000, 1_500_000, 1_500_001, 2_250_000)
HALF_HOUR = HOUR_MS // 2


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store_db(request: pytest.FixtureRequest, database_factory) -> Database:  # type: ignore[no-untyped-def]
    return database_factory(request.param, f"value_counts_{request.param}")  # type: ignore[no-any-return]


_values = st.one_of(st.none(), st.sampled_from(EDGY), st.integers(-3, 9000))
_prices = st.one_of(st.none(), st.sampled_from(PRICES), st.integers(0, 3_000_000))
_calls = st.builds(
    lambda created, status, direction, phone, duration, price: _call(
        created,
        status,
        direction,
        phone,
        TO_NUMBERS[0],
        duration,
        price,  # type: ignore[arg-type]
    ),
    st.one_of(st.integers(BASE - 5 * DAY_MS // 2, BASE + 5 * DAY_MS // 2), st.just(BASE)),
    st.sampled_from(STATUSES),
    st.sampled_from(DIRECTIONS),
    st.sampled_from(PHONES),
    _values,
    _prices,
)


@st.composite
def _ranges(draw: st.DrawFn, values: st.SearchStrategy[int]) -> Range:
    bounds = draw(st.dictionaries(st.sampled_from(["gte", "eq", "lte"]), values, max_size=3))
    return Range(**bounds)


@st.composite
def _queries(draw: st.DrawFn) -> BulkQuery:
    low, high = draw(_windows())
    duration = draw(_ranges(st.one_of(st.sampled_from(EDGY), st.integers(0, 9000))))
    price = draw(_ranges(st.one_of(st.sampled_from(PRICES), st.integers(0, 3_000_000))))
    if duration.is_empty and price.is_empty:
        duration = Range(gte=draw(st.sampled_from(EDGY)))
    return BulkQuery(
        created_from_ms=low,
        created_to_ms=high,
        statuses=draw(_subset(STATUSES)),
        directions=draw(_subset(DIRECTIONS)),
        phone_numbers=draw(_subset(PHONES)),
        duration=duration,
        price_micros=price,
    )


def _within(value: int | None, bounds: Range) -> bool:
    if bounds.is_empty:
        return True
    if value is None:
        return False  # SQL: a comparison with NULL is never true
    return all(
        (bound is None or check)
        for bound, check in (
            (bounds.gte, bounds.gte is not None and value >= bounds.gte),
            (bounds.eq, bounds.eq is not None and value == bounds.eq),
            (bounds.lte, bounds.lte is not None and value <= bounds.lte),
        )
    )


def _matches(call: Call, query: BulkQuery) -> bool:
    statuses = FINAL_STATUSES.intersection(query.statuses) if query.statuses else FINAL_STATUSES
    return (
        query.created_from_ms <= call.date_created <= query.created_to_ms
        and call.status in statuses
        and (not query.directions or call.direction in query.directions)
        and (not query.phone_numbers or call.phone_number in query.phone_numbers)
        and _within(call.duration, query.duration)
        and _within(call.price_micros, query.price_micros)
    )


def _rows(conn: Connection, account_id: int) -> Counter[tuple[object, ...]]:
    """Every row of the account, of every period length: (period_ms, period_start, *values)."""
    names = ("period_ms", "period_start", "status", "direction", "phone_number", "settled")
    statement = select(
        *(table.c[name] for name in names), table.c.duration_from, table.c.price_micros, table.c.calls
    ).where(table.c.account_id == account_id)
    return Counter({tuple(row[:-1]): row[-1] for row in conn.execute(statement)})


def _expected_rows(records: list[Call]) -> Counter[tuple[object, ...]]:
    """Each call once in its hour, its day and its block."""
    return Counter(
        (length, key[0] - key[0] % length, *key[1:])
        for key in map(call_value_counts.key_of_call, records)
        if key is not None
        for length in PERIODS
    )


def _rebuilt(conn: Connection, account_id: int) -> Counter[tuple[object, ...]]:
    """What ``rebuild`` makes of the stored calls, without keeping it."""
    savepoint = conn.begin_nested()
    call_value_counts.rebuild(conn, account_id)
    rows = _rows(conn, account_id)
    savepoint.rollback()
    return rows


def test_buckets_tile_the_seconds_and_common_filters_fall_on_edges() -> None:
    starts = {bucket_of(d) for d in range(-5, 20_000)}
    for start in starts:
        assert bucket_of(start) == start and bucket_of(bucket_end(start) - 1) == start
        assert bucket_end(start) in starts or bucket_end(start) > 19_000
    for common in (0, 10, 20, 30, 60, 90, 120, 180, 300, 600, 900, 1800, 3600, 7200):
        assert bucket_of(common) == common


@SETTINGS
@given(
    records=st.lists(_calls, max_size=40),
    rebuild=st.booleans(),
    queries=st.lists(_queries(), min_size=1, max_size=6),
)
def test_count_with_duration_or_price_is_the_exact_count(
    store_db: Database, records: list[Call], rebuild: bool, queries: list[BulkQuery]
) -> None:
    account_id = _account(store_db)
    load_calls(store_db, account_id, records)  # the load rebuilds the rollup
    with store_db.engine.begin() as conn:
        assert _rows(conn, account_id) == _expected_rows(records)
        if rebuild:
            call_counts.rebuild(conn, account_id)
            assert _rows(conn, account_id) == _expected_rows(records)
    with store_db.engine.connect() as conn:
        for query in queries:
            expected = sum(_matches(call, query) for call in records)
            exact = exact_count(conn, account_id, query)
            if exact is None:
                assert expected == 0
                continue
            assert exact == expected
            assert call_counts.count(conn, account_id, query) == expected, query


def test_whole_periods_come_from_this_rollup(store_db: Database) -> None:
    """Inflate the rollup: only the whole days of a Duration/Price query show it, and a cut bucket is
    counted in ``calls`` (not inflated) while the buckets wholly inside the range are not."""
    noon = DAY_MS // 2 + HALF_HOUR  # 12:30 UTC
    records = [_call(BASE + day * DAY_MS + noon, duration=45, price_micros=750_000) for day in (-1, 0)]
    account_id = _account(store_db)
    load_calls(store_db, account_id, records)
    with store_db.engine.begin() as conn:
        conn.execute(
            table.update().where(table.c.account_id == account_id).values(calls=table.c.calls + 1000)
        )
    days = {"created_from_ms": BASE - DAY_MS, "created_to_ms": BASE + DAY_MS - 1}
    edge = BASE - DAY_MS + noon - 1  # a millisecond before the first call, inside its hour
    cases = [
        (BulkQuery(**days, duration=Range(gte=40)), 2002),  # 40–49 s wholly inside
        (BulkQuery(**days, duration=Range(gte=45)), 2),  # cut: counted in calls
        (BulkQuery(**days, duration=Range(lte=44)), 0),
        (BulkQuery(**days, price_micros=Range(eq=750_000)), 2002),
        (BulkQuery(**days, price_micros=Range(gte=750_001)), 0),
        # The first day is partial: its whole hours come from the rollup too...
        (BulkQuery(**{**days, "created_from_ms": BASE - DAY_MS + 1}, duration=Range(gte=40)), 2002),
        # ...but not the part of an hour at the window's edge: that call is counted in calls.
        (BulkQuery(**{**days, "created_from_ms": edge}, duration=Range(gte=40)), 1 + 1001),
    ]
    with store_db.engine.connect() as conn:
        for query, expected in cases:
            assert call_counts.count(conn, account_id, query) == expected, query


def test_move_follows_a_call_that_settles_and_purge_clears_the_rollup(store_db: Database) -> None:
    ended = _call(BASE, duration=None, price_micros=None)  # type: ignore[arg-type]
    account_id = _account(store_db)
    load_calls(store_db, account_id, [ended])
    settled = _call(BASE, duration=61, price_micros=1_500_000)
    with store_db.engine.begin() as conn:
        conn.execute(
            calls.update().where(calls.c.sid == ended.sid).values(duration=61, price_micros=1_500_000)
        )
        call_value_counts.move(
            conn, account_id, [(call_value_counts.key_of_call(ended), call_value_counts.key_of_call(settled))]
        )
        assert _rows(conn, account_id) == _expected_rows([settled]) == _rebuilt(conn, account_id)
    CallWrites(store_db).purge(account_id)
    with store_db.engine.connect() as conn:
        assert _rows(conn, account_id) == Counter()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def settling_server(request: pytest.FixtureRequest, database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """Virtual clock, and Duration/Price settle two minutes after a call ends (as in production)."""
    db = database_factory(request.param, f"settling_{request.param}")
    live = start_server(db, rate_limit_per_minute=0, clock="virtual", settle_delay_seconds=120)
    yield live
    live.stop()


def test_the_engine_keeps_the_rollup_exact_as_calls_end_and_settle(settling_server: LiveServer) -> None:
    account = make_account(settling_server.db)
    rng = random.Random(11)
    with httpx.Client(base_url=settling_server.base_url, timeout=30) as client:
        for _ in range(24):
            place(client, account, From=rng.choice([ANSWER, MACHINE, NEVER]), To=rng.choice([ANSWER, BUSY]))
        queries = [{"Duration": "gte:0s"}, {"Duration": "gte:15s;lte:44s"}, {"Price": "gte:0.5"}]
        for step in (20, 40, 60, 90, 120, 300):
            advance(client, step)
            with settling_server.db.write() as conn:  # the write lock up front, as the engine takes it
                rows = _rows(conn, account.account_id)
                assert rows == _rebuilt(conn, account.account_id), step
            url = f"/v1/Accounts/{account.sid}/Calls.json"
            for params in queries:
                total = client.get(url, params=params, auth=account.auth).json()["Metadata"]["Total"]
                with settling_server.db.engine.connect() as conn:
                    exact = conn.execute(
                        select(func.count())
                        .select_from(calls)
                        .where(calls.c.account_id == account.account_id, *_conditions(params))
                    ).scalar_one()
                assert total == exact, (step, params)
        hours = {key: n for key, n in rows.items() if key[0] == HOUR_MS}
        assert sum(hours.values()) == 24  # all ended by now, and counted once each (per period length)
        settled = sum(n for key, n in hours.items() if key[5] == 3)
        assert settled == 24


def _conditions(params: dict[str, str]) -> list[object]:
    final = calls.c.status.in_(sorted(FINAL_STATUSES))
    if params.get("Duration") == "gte:0s":
        return [final, calls.c.duration >= 0]
    if params.get("Duration") == "gte:15s;lte:44s":
        return [final, calls.c.duration >= 15, calls.c.duration <= 44]
    return [final, calls.c.price_micros >= 500_000]


def test_rebuild_leaves_other_accounts_alone(store_db: Database) -> None:
    rng = random.Random(5)
    mine = [_call(BASE + rng.randint(0, DAY_MS), duration=rng.choice(EDGY)) for _ in range(20)]
    theirs = [_call(BASE + rng.randint(0, DAY_MS), duration=rng.choice(EDGY)) for _ in range(20)]
    me, them = _account(store_db), _account(store_db)
    load_calls(store_db, me, mine)
    load_calls(store_db, them, theirs)
    with store_db.engine.begin() as conn:
        conn.execute(delete(table).where(table.c.account_id == me))
        call_counts.rebuild(conn, me)
        assert _rows(conn, me) == _expected_rows(mine)
        assert _rows(conn, them) == _expected_rows(theirs)
