"""The Overview's figures (bars by status, answer rate, talk time, busiest callers) always equal a direct
count over ``calls``, whatever the window and step, through every door that writes calls: bulk loads and
seeding, ``rebuild``, a sync's changed calls, purge, and the migration that fills the new rollups."""

from __future__ import annotations

import random
import secrets
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, inspect, select

from tests.overview.direct import assert_matches, direct
from tests.store.test_call_counts import SETTINGS, _migrate, blank_url  # noqa: F401 (a fixture)
from trunkline.domain.calls.bulk_filters import DAY_MS
from trunkline.domain.calls.model import Call, CallStatus
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.overview import WINDOWS, window
from trunkline.engine.clock import NetworkClock
from trunkline.services.accounts import AccountService
from trunkline.services.overview import OverviewService
from trunkline.services.store_runner import StoreRunner
from trunkline.store import call_counts
from trunkline.store.accounts import AccountStore
from trunkline.store.bulk_load import load_calls
from trunkline.store.call_writes import CallWrites
from trunkline.store.database import Database
from trunkline.store.rollup_periods import HOUR_MS
from trunkline.store.schema.accounts import accounts
from trunkline.store.schema.call_rollups import call_caller_counts, call_talk_times
from trunkline.store.schema.calls import calls

NOW = 1_790_000_000_000 + 1234  # a moment inside an hour, not on a boundary
CALLERS = ("+919800000001", "+919800000002", "+919800000003", "+919800000004", "+919800000005")
STATUSES = tuple(status.value for status in CallStatus)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store_db(request: pytest.FixtureRequest, database_factory) -> Database:  # type: ignore[no-untyped-def]
    return database_factory(request.param, f"overview_{request.param}")  # type: ignore[no-any-return]


def _account(db: Database) -> tuple[int, str]:
    sid = f"overview{secrets.token_hex(4)}"
    with db.engine.begin() as conn:
        row = conn.execute(accounts.insert().values(sid=sid, name=sid, created_at=0)).inserted_primary_key
    return int(row[0]), sid


def _service(db: Database) -> OverviewService:
    return OverviewService(
        StoreRunner(is_sqlite=db.is_sqlite), db, AccountService(AccountStore(db)), NetworkClock(db)
    )


def _call(created: int, status: str, caller: str, duration: int | None) -> Call:
    return Call(
        sid=secrets.token_hex(16),
        account_sid="overview",
        date_created=created,
        date_updated=created + 60_000,
        from_number=caller,
        to_number="+918047112233",
        phone_number="+918047112233",
        status=status,
        direction="inbound",
        duration=duration,
        price_micros=None if duration is None else 1_000_000,
    )


_calls = st.builds(
    _call,
    st.one_of(
        st.integers(NOW - 95 * DAY_MS, NOW + HOUR_MS),
        st.integers(NOW - 2 * DAY_MS, NOW),
        st.builds(
            lambda h, ms: NOW - NOW % HOUR_MS - h * HOUR_MS + ms,
            st.integers(-1, 30),
            st.sampled_from((-1, 0, 1)),
        ),
    ),
    st.sampled_from(STATUSES),
    st.sampled_from(CALLERS),
    st.one_of(st.none(), st.integers(0, 4000)),
)
_windows = st.sampled_from(
    [(name, step) for name in WINDOWS for step in ("hour", "day") if (name, step) != ("90d", "hour")]
)


def _check(db: Database, account_id: int, sid: str, name: str, step: str, now: int) -> None:
    service = _service(db)
    win = service.window(name, step, now)
    overview = service.read(sid, win, callers=3)
    with db.engine.connect() as conn:
        assert_matches(overview, direct(conn, account_id, win), callers=3)


@SETTINGS
@given(
    records=st.lists(_calls, max_size=60),
    windows=st.lists(_windows, min_size=1, max_size=4),
    shift=st.integers(-3 * DAY_MS, 3 * DAY_MS),
)
def test_the_figures_equal_a_direct_count_after_a_load(
    store_db: Database, records: list[Call], windows: list[tuple[str, str]], shift: int
) -> None:
    account_id, sid = _account(store_db)
    load_calls(store_db, account_id, records)  # the load rebuilds every rollup
    for name, step in windows:
        _check(store_db, account_id, sid, name, step, NOW + shift)


def _rollups(
    conn: Connection, account_id: int
) -> tuple[Counter[tuple[object, ...]], Counter[tuple[object, ...]]]:
    found = []
    for table in (call_caller_counts, call_talk_times):
        values = [c for c in table.columns if c.name not in ("account_id",)]
        found.append(
            Counter(
                {tuple(row) for row in conn.execute(select(*values).where(table.c.account_id == account_id))}
            )
        )
    return found[0], found[1]


def _rebuilt(
    conn: Connection, account_id: int
) -> tuple[Counter[tuple[object, ...]], Counter[tuple[object, ...]]]:
    savepoint = conn.begin_nested()
    call_counts.rebuild(conn, account_id)
    rows = _rollups(conn, account_id)
    savepoint.rollback()
    return rows


def test_a_synced_change_moves_the_rows_and_purge_clears_them(store_db: Database) -> None:
    rng = random.Random(3)
    records = [
        _call(
            NOW - rng.randint(0, 20 * DAY_MS),
            rng.choice(STATUSES),
            rng.choice(CALLERS),
            rng.choice([None, 30, 95]),
        )
        for _ in range(80)
    ]
    account_id, sid = _account(store_db)
    load_calls(store_db, account_id, records)
    # A sync brings some back changed: settled, another status, another caller; and some new ones.
    changed = [
        Call(**{**vars_of(call), "duration": 61, "status": "completed", "from_number": CALLERS[0]})
        for call in records[:30]
    ]
    new = [_call(NOW - rng.randint(0, DAY_MS), "completed", CALLERS[1], 12) for _ in range(5)]
    with store_db.write() as conn:
        upserted = CallWrites(store_db).upsert_finished(conn, account_id, changed + new)
        assert (upserted.inserted, upserted.updated) == (
            5,
            sum(1 for c, o in zip(changed, records[:30], strict=True) if c != o),
        )
        assert _rollups(conn, account_id) == _rebuilt(conn, account_id)
    for name in WINDOWS:
        _check(store_db, account_id, sid, name, WINDOWS[name].default_step, NOW)
    CallWrites(store_db).purge(account_id)
    with store_db.engine.connect() as conn:
        assert _rollups(conn, account_id) == (Counter(), Counter())


def vars_of(call: Call) -> dict[str, object]:
    return {name: getattr(call, name) for name in call.__dataclass_fields__}


def test_windows_end_with_the_bar_holding_now_and_bad_choices_are_refused() -> None:
    win = window("24h", None, NOW)
    assert win.step == "hour" and len(win.bar_starts) == 24
    assert win.start_ms <= NOW < win.end_ms and win.end_ms - win.step_ms <= NOW
    assert len(window("30d", "hour", NOW).bar_starts) == 720
    assert len(window("90d", None, NOW).bar_starts) == 90
    for name, step in (("1y", None), ("24h", "minute"), ("90d", "hour")):
        with pytest.raises(InvalidParameter):
            window(name, step, NOW)


def test_an_unknown_account_is_not_found(store_db: Database) -> None:
    service = _service(store_db)
    with pytest.raises(NotFound):
        service.read("nobody", service.window("24h", None, NOW))


def test_upgrade_fills_the_new_rollups_in_blocks(blank_url: str) -> None:  # noqa: F811
    db = Database(blank_url)
    try:
        _migrate(db, "0013")
        rng = random.Random(9)
        by_account = {
            _account(db)[0]: [
                _call(
                    NOW - rng.randint(0, 40 * DAY_MS),
                    rng.choice(STATUSES),
                    rng.choice(CALLERS),
                    rng.choice([None, 7, 300]),
                )
                for _ in range(150)
            ]
            for _ in range(2)
        }
        with db.engine.begin() as conn:
            present = {column["name"] for column in inspect(conn).get_columns("calls")}
            fields = [
                c.name for c in calls.columns if c.name in present and c.name not in ("id", "account_id")
            ]
            for account_id, records in by_account.items():
                conn.execute(
                    calls.insert(),
                    [{"account_id": account_id, **{f: getattr(c, f) for f in fields}} for c in records],
                )
        _migrate(db, "head")
        with db.engine.connect() as conn:
            for account_id in by_account:
                assert _rollups(conn, account_id) == _rebuilt(conn, account_id)
                assert sum(_rollups(conn, account_id)[0].values()) > 0
        _migrate(db, "0013", downgrade=True)
        with db.engine.connect() as conn:
            assert "call_talk_times" not in inspect(conn).get_table_names()
    finally:
        db.dispose()
