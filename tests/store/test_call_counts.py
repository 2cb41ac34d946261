"""The ``call_counts`` rollup, property-based: the bulk list's Total counted through it is always the
exact count, whatever the window (partial days, whole days, day boundaries) and filters; ``add`` and
``rebuild`` agree; bulk loads and the migration leave it consistent."""

from __future__ import annotations

import itertools
import random
import secrets
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, delete, func, inspect, select, update

from trunkline.domain.calls.bulk_filters import DAY_MS, BulkQuery, Range
from trunkline.domain.calls.model import FINAL_STATUSES, Call, CallStatus, Direction
from trunkline.store import bulk_sql, call_counts
from trunkline.store.bulk_load import load_calls
from trunkline.store.database import Database
from trunkline.store.rollup_periods import HOUR_MS, PERIODS
from trunkline.store.schema.accounts import accounts
from trunkline.store.schema.call_rollups import call_caller_counts
from trunkline.store.schema.call_rollups import call_counts as call_counts_table
from trunkline.store.schema.calls import calls

_ids = itertools.count()
BASE = 1_790_000_000_000 // DAY_MS * DAY_MS
"""A UTC midnight; calls are spread over the five days around it."""
PHONES = ("+918047112233", "+918047112244", "+918047112255")
ABSENT_PHONE = "+918047119999"
TO_NUMBERS = ("+919812345678", "+919876500000")
FROM_NUMBERS = ("+919876543210", "+919800000001", "+919800000002")
STATUSES = tuple(status.value for status in CallStatus)
DIRECTIONS = tuple(direction.value for direction in Direction)
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store_db(request: pytest.FixtureRequest, database_factory) -> Database:  # type: ignore[no-untyped-def]
    return database_factory(request.param, f"call_counts_{request.param}")  # type: ignore[no-any-return]


def _account(db: Database) -> int:
    """An account row without credentials: hashing a token per example would only slow hypothesis."""
    sid = f"counts{next(_ids)}x{secrets.token_hex(3)}"
    with db.engine.begin() as conn:
        return int(
            conn.execute(accounts.insert().values(sid=sid, name=sid, created_at=0)).inserted_primary_key[0]
        )


_NEAR_MIDNIGHT = (-2, -1, 0, 1)
# Times: anywhere in five days around BASE, or within a ms or two of a UTC midnight.
_times = st.one_of(
    st.integers(BASE - 5 * DAY_MS // 2, BASE + 5 * DAY_MS // 2),
    # Far enough apart for whole eight-day blocks.
    st.integers(BASE - 12 * DAY_MS, BASE + 12 * DAY_MS),
    st.builds(lambda day, ms: BASE + day * DAY_MS + ms, st.integers(-2, 3), st.sampled_from(_NEAR_MIDNIGHT)),
)


def _call(
    created: int,
    status: str = "completed",
    direction: str = "inbound",
    phone: str = PHONES[0],
    to: str | None = TO_NUMBERS[0],
    duration: int = 30,
    price_micros: int = 1_000_000,
    from_number: str = FROM_NUMBERS[0],
) -> Call:
    return Call(
        sid=secrets.token_hex(16),
        account_sid="counts",
        date_created=created,
        date_updated=created + 60_000,
        from_number=from_number,
        to_number=to,
        phone_number=phone,
        status=status,
        direction=direction,
        duration=duration,
        price_micros=price_micros,
    )


_calls = st.builds(
    _call,
    _times,
    st.sampled_from(STATUSES),
    st.sampled_from(DIRECTIONS),
    st.sampled_from(PHONES),
    st.sampled_from(TO_NUMBERS),
    st.integers(0, 60),
    st.integers(0, 3_000_000),
    st.sampled_from(FROM_NUMBERS),
)


def _random_calls(n: int, seed: int) -> list[Call]:
    """Calls like ``_calls`` draws, for the tests that need many of them once."""
    rng = random.Random(seed)
    return [
        _call(
            BASE + rng.randint(-5 * DAY_MS // 2, 5 * DAY_MS // 2),
            rng.choice(STATUSES),
            rng.choice(DIRECTIONS),
            rng.choice(PHONES),
            rng.choice(TO_NUMBERS),
            rng.randint(0, 60),
            rng.randint(0, 3_000_000),
            rng.choice(FROM_NUMBERS),
        )
        for _ in range(n)
    ]


def _subset(values: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    """No filter half the time (so the boundary calls count often), else one to three values."""
    return st.one_of(
        st.just(()), st.lists(st.sampled_from(values), unique=True, min_size=1, max_size=3).map(tuple)
    )


@st.composite
def _windows(draw: st.DrawFn) -> tuple[int, int]:
    """Inclusive [low, high]: arbitrary, or whole UTC days, possibly widened or narrowed by a little."""
    if draw(st.booleans()):
        low, high = sorted((draw(_times), draw(_times)))
        return low, high
    first = BASE + draw(st.integers(-12, 2)) * DAY_MS
    days = draw(st.sampled_from([1, 2, 3, 4, 9, 17, 24]))
    low = first + draw(st.sampled_from([*_NEAR_MIDNIGHT, -DAY_MS // 3]))
    high = first + days * DAY_MS + draw(st.sampled_from([*_NEAR_MIDNIGHT, DAY_MS // 3]))
    return low, max(low, high)


@st.composite
def _queries(draw: st.DrawFn) -> BulkQuery:
    low, high = draw(_windows())
    # Now and then a filter the rollup cannot answer, which must fall back to the exact count.
    finer = draw(
        st.sampled_from(
            [
                {},
                {},
                {},
                {"to_numbers": (TO_NUMBERS[0],)},
                {"duration": Range(gte=20, lte=40)},
                {"price_micros": Range(lte=1_000_000)},
                {"from_numbers": (FROM_NUMBERS[1],)},
                {"from_numbers": FROM_NUMBERS[:2]},
            ]
        )
    )
    # A From filter alone is answered by the caller rollup: draw it often without the others too.
    alone = "from_numbers" in finer and draw(st.booleans())
    return BulkQuery(
        created_from_ms=low,
        created_to_ms=high,
        statuses=() if alone else draw(_subset(STATUSES)),
        directions=() if alone else draw(_subset(DIRECTIONS)),
        phone_numbers=() if alone else draw(_subset((*PHONES, ABSENT_PHONE))),
        **finer,
    )


def _matches(call: Call, query: BulkQuery) -> bool:
    """The bulk list's semantics, by hand."""
    statuses = FINAL_STATUSES.intersection(query.statuses) if query.statuses else FINAL_STATUSES
    duration, price = query.duration, query.price_micros
    assert call.duration is not None and call.price_micros is not None
    return (
        query.created_from_ms <= call.date_created <= query.created_to_ms
        and call.status in statuses
        and (not query.directions or call.direction in query.directions)
        and (not query.phone_numbers or call.phone_number in query.phone_numbers)
        and (not query.to_numbers or call.to_number in query.to_numbers)
        and (not query.from_numbers or call.from_number in query.from_numbers)
        and (duration.gte is None or call.duration >= duration.gte)
        and (duration.lte is None or call.duration <= duration.lte)
        and (price.lte is None or call.price_micros <= price.lte)
    )


def _expected_rows(records: list[Call]) -> Counter[tuple[int, int, str, str, str]]:
    """Each final call once in its hour, its UTC day and its eight-day block."""
    return Counter(
        (length, call.date_created // length * length, call.status, call.direction, call.phone_number)
        for call in records
        if call.status in FINAL_STATUSES
        for length in PERIODS
    )


def _rows(conn: Connection, account_id: int) -> Counter[tuple[int, int, str, str, str]]:
    table = call_counts_table
    statement = select(
        table.c.period_ms,
        table.c.period_start,
        table.c.status,
        table.c.direction,
        table.c.phone_number,
        table.c.calls,
    )
    return Counter(
        {
            (row.period_ms, row.period_start, row.status, row.direction, row.phone_number): row.calls
            for row in conn.execute(statement.where(table.c.account_id == account_id))
        }
    )


def _store(db: Database, records: list[Call], batches: list[int], incremental: bool) -> int:
    """A new account holding ``records``, its rollup made by ``add`` per batch or by ``rebuild``.

    The account's rollup rows (``call_counts`` and the caller rollup ``add`` keeps with it) are
    cleared first, so this holds whether or not the load maintains the rollups itself.
    """
    account_id = _account(db)
    load_calls(db, account_id, records)
    with db.engine.begin() as conn:
        for table in (call_counts_table, call_caller_counts):
            conn.execute(delete(table).where(table.c.account_id == account_id))
        if incremental:
            start = 0
            for end in [*sorted(batches), len(records)]:
                call_counts.add(conn, account_id, records[start:end])
                start = max(start, end)
        else:
            call_counts.rebuild(conn, account_id)
    return account_id


@SETTINGS
@given(
    records=st.lists(_calls, max_size=40),
    batches=st.lists(st.integers(0, 40), max_size=3),
    incremental=st.booleans(),
    queries=st.lists(_queries(), min_size=1, max_size=6),
)
def test_count_is_the_exact_count(
    store_db: Database, records: list[Call], batches: list[int], incremental: bool, queries: list[BulkQuery]
) -> None:
    account_id = _store(store_db, records, batches, incremental)
    with store_db.engine.connect() as conn:
        for query in queries:
            expected = sum(_matches(call, query) for call in records)
            exact = exact_count(conn, account_id, query)
            if exact is None:  # only live statuses asked for: the list answers without counting
                assert expected == 0
                continue
            assert exact == expected
            assert call_counts.count(conn, account_id, query) == expected


@SETTINGS
@given(
    records=st.lists(_calls, max_size=40),
    batches=st.lists(st.integers(0, 40), max_size=4),
)
def test_add_and_rebuild_agree(store_db: Database, records: list[Call], batches: list[int]) -> None:
    account_id = _store(store_db, records, batches, incremental=True)
    with store_db.engine.begin() as conn:
        added = _rows(conn, account_id)
        call_counts.rebuild(conn, account_id)
        rebuilt = _rows(conn, account_id)
    assert added == rebuilt == _expected_rows(records)


def test_rebuild_leaves_other_accounts_alone(store_db: Database) -> None:
    mine, theirs = _random_calls(20, 1), _random_calls(20, 2)
    me, them = _store(store_db, mine, [], False), _store(store_db, theirs, [], False)
    with store_db.engine.begin() as conn:
        call_counts.rebuild(conn, me)
        assert _rows(conn, them) == _expected_rows(theirs)
        assert _rows(conn, me) == _expected_rows(mine)


def test_every_window_edge_near_midnight(store_db: Database) -> None:
    """Exhaustively: a call one and two ms either side of each midnight, windows starting and ending at
    each of them. Catches any off-by-one in which days the rollup answers for."""
    grid = [BASE + day * DAY_MS + ms for day in range(-2, 3) for ms in _NEAR_MIDNIGHT]
    records = [_call(created) for created in grid] + [_call(BASE + day * DAY_MS // 2) for day in range(-4, 5)]
    account_id = _store(store_db, records, [], incremental=False)
    with store_db.engine.connect() as conn:
        for low, high in itertools.combinations_with_replacement(grid, 2):
            query = BulkQuery(created_from_ms=low, created_to_ms=high)
            expected = sum(low <= call.date_created <= high for call in records)
            assert call_counts.count(conn, account_id, query) == expected, (
                low - BASE,
                high - BASE,
            )


def test_whole_periods_come_from_the_rollup(store_db: Database) -> None:
    """Which periods each path reads: the rollup is inflated here, so only whole periods show it."""
    records = [_call(BASE + day * DAY_MS + DAY_MS // 2) for day in range(-2, 2)]
    account_id = _store(store_db, records, [], incremental=False)
    with store_db.engine.begin() as conn:
        conn.execute(
            update(call_counts_table)
            .where(call_counts_table.c.account_id == account_id)
            .values(calls=call_counts_table.c.calls + 1000)
        )
    noon = BASE + DAY_MS // 2
    cases = [
        (BulkQuery(created_from_ms=BASE - DAY_MS, created_to_ms=BASE + DAY_MS - 1), 2 + 2000),
        # Partial days: their whole hours come from the rollup, the minutes at the edge from calls.
        (BulkQuery(created_from_ms=BASE - DAY_MS + 1, created_to_ms=BASE + DAY_MS - 1), 2 + 2000),
        (BulkQuery(created_from_ms=BASE - DAY_MS, created_to_ms=BASE + DAY_MS - 2), 2 + 2000),
        (BulkQuery(created_from_ms=BASE - DAY_MS // 4, created_to_ms=BASE + DAY_MS * 3 // 4), 1 + 1000),
        (BulkQuery(created_from_ms=noon, created_to_ms=noon + HOUR_MS - 1), 1 + 1000),  # one whole hour
        (BulkQuery(created_from_ms=noon - 1, created_to_ms=noon + HOUR_MS - 2), 1),  # no whole hour
        (BulkQuery(created_from_ms=BASE - DAY_MS, created_to_ms=BASE + DAY_MS - 1, to_numbers=TO_NUMBERS), 2),
        (BulkQuery(created_from_ms=BASE - DAY_MS, created_to_ms=BASE + DAY_MS - 1, duration=Range(gte=0)), 2),
    ]
    with store_db.engine.connect() as conn:
        for query, expected in cases:
            assert call_counts.count(conn, account_id, query) == expected, query


def test_a_from_filter_alone_sums_the_caller_rollup(store_db: Database) -> None:
    """Inflating the caller rollup shows which From queries read it: a From filter alone does, for
    its whole periods; with another filter the count is exact, from ``calls``."""
    caller = FROM_NUMBERS[1]
    records = [_call(BASE + day * DAY_MS + DAY_MS // 2, from_number=caller) for day in range(-2, 2)]
    records += [_call(BASE + DAY_MS // 2)]  # another caller's, never counted below
    account_id = _store(store_db, records, [], incremental=False)
    with store_db.engine.begin() as conn:
        conn.execute(
            update(call_caller_counts)
            .where(call_caller_counts.c.account_id == account_id)
            .values(calls=call_caller_counts.c.calls + 1000)
        )
    day = {"created_from_ms": BASE - DAY_MS, "created_to_ms": BASE + DAY_MS - 1}
    cases = [
        (BulkQuery(**day, from_numbers=(caller,)), 2 + 2000),
        (BulkQuery(**day, from_numbers=(caller, FROM_NUMBERS[2])), 2 + 2000),
        (
            BulkQuery(
                created_from_ms=BASE - DAY_MS + 1, created_to_ms=BASE + DAY_MS - 1, from_numbers=(caller,)
            ),
            2 + 2000,
        ),
        (BulkQuery(**day, from_numbers=(caller,), statuses=("completed",)), 2),
        (BulkQuery(**day, from_numbers=(caller,), phone_numbers=(PHONES[0],)), 2),
        (BulkQuery(**day, from_numbers=(caller,), duration=Range(gte=0)), 2),
    ]
    with store_db.engine.connect() as conn:
        for query, expected in cases:
            assert call_counts.count(conn, account_id, query) == expected, query


def test_edges_range_over_the_edge_alone() -> None:
    """An edge's own date bounds replace the window's (SQLite would range over the first bound it meets,
    possibly the whole window), and Duration is compared where no index serves it."""
    shape = bulk_sql.shape_of(BulkQuery(created_from_ms=0, created_to_ms=1, duration=Range(gte=60)))
    assert shape is not None
    sql = str(call_counts._count_in_calls(shape, "edge_0").compile())
    assert sql.count("calls.date_created >=") == sql.count("calls.date_created <=") == 1
    assert ":edge_0_from" in sql and ":edge_0_to" in sql and ":created_from" not in sql
    assert "calls.duration + 0 >= :duration_gte" in sql


def exact_count(conn: Connection, account_id: int, query: BulkQuery) -> int | None:
    """``SELECT count(*)`` of the list's own WHERE clause (``bulk_sql``); None when it can match nothing."""
    shape = bulk_sql.shape_of(query)
    if shape is None:
        return None
    statement = select(func.count()).select_from(calls).where(*bulk_sql.conditions(shape))
    return int(conn.execute(statement, bulk_sql.values_of(account_id, query)).scalar_one())


def test_calls_before_1970_are_counted_exactly(store_db: Database) -> None:
    """SQL's % truncates toward zero, so such calls stay out of the rollup and are counted in calls."""
    times = (-DAY_MS - 1, -DAY_MS, -1, 0, 1, DAY_MS - 1, DAY_MS)
    for incremental in (True, False):
        records = [_call(created) for created in times]
        account_id = _store(store_db, records, [3], incremental)
        with store_db.engine.connect() as conn:
            assert sum(n for key, n in _rows(conn, account_id).items() if key[0] == HOUR_MS) == 4
            for low, high in [(-2 * DAY_MS, 2 * DAY_MS), (-DAY_MS, DAY_MS - 1), (-DAY_MS, -1), (-1, DAY_MS)]:
                query = BulkQuery(created_from_ms=low, created_to_ms=high)
                expected = sum(low <= call.date_created <= high for call in records)
                assert call_counts.count(conn, account_id, query) == expected


def test_load_calls_rebuilds_the_rollup(store_db: Database) -> None:
    records = _random_calls(300, 3)
    account_id = _account(store_db)
    # Small batches: the rollup is rebuilt once, over all of them.
    assert load_calls(store_db, account_id, iter(records), batch_size=64) == len(records)
    query = BulkQuery(created_from_ms=BASE - 2 * DAY_MS + 5, created_to_ms=BASE + 2 * DAY_MS - 5)
    with store_db.engine.connect() as conn:
        assert _rows(conn, account_id) == _expected_rows(records)
        assert call_counts.count(conn, account_id, query) == sum(_matches(call, query) for call in records)


@pytest.fixture(params=["sqlite", "postgres"])
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
    else:
        yield request.getfixturevalue("pg_cluster").create_database(f"upgrade_{secrets.token_hex(4)}")


def _migrate(db: Database, revision: str, downgrade: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(call_counts.__file__).parent / "migrations"))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if downgrade else command.upgrade)(config, revision)


def test_upgrade_fills_the_rollup_from_stored_calls(blank_url: str) -> None:
    db = Database(blank_url)
    try:
        _migrate(db, "0001")
        by_account = {_account(db): _random_calls(100, seed) for seed in (4, 5)}
        # Plain inserts of the columns revision 0001 has: the store's own writers would expect the
        # rollup tables (and the columns later revisions add) to exist already.
        with db.engine.begin() as conn:
            present = {column["name"] for column in inspect(conn).get_columns("calls")}
            fields = [
                c.name for c in calls.columns if c.name in present and c.name not in ("id", "account_id")
            ]
            for account_id, records in by_account.items():
                rows = [
                    {"account_id": account_id, **{f: getattr(call, f) for f in fields}} for call in records
                ]
                conn.execute(calls.insert(), rows)
        _migrate(db, "head")
        with db.engine.connect() as conn:
            for account_id, records in by_account.items():
                assert _rows(conn, account_id) == _expected_rows(records)
        _migrate(db, "0001", downgrade=True)
        with db.engine.connect() as conn:
            assert "call_counts" not in inspect(conn).get_table_names()
    finally:
        db.dispose()
