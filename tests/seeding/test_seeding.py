"""Seeding: the synthetic history is deterministic and realistic, and the bulk loader stores it faithfully."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from trunkline.cli.seed import seed_command
from trunkline.domain.calls.model import FINAL_STATUSES, Call, CallStatus, Direction
from trunkline.domain.calls.run_state import CallRun
from trunkline.domain.clock import IST
from trunkline.engine.seeding.history import (
    RATE_PER_PULSE_MICROS,
    SETTLED_BEFORE_NOW_MS,
    generate_history,
)
from trunkline.store.accounts import Account, AccountStore
from trunkline.store.bulk_load import load_calls
from trunkline.store.call_runs import CallRunStore
from trunkline.store.call_writes import NewRun
from trunkline.store.calls import CallStore
from trunkline.store.database import SQLITE_CACHE_KIB, Database
from trunkline.store.schema.calls import call_legs, calls

NOW = 1_760_000_000_000  # 2025-10-09 14:23:20 IST
DAY_MS = 86_400_000
EXOPHONES = ("+918047112233", "+912240001234")
SID = re.compile(r"^[0-9a-f]{32}$")
INDIAN_MOBILE = re.compile(r"^\+91[6-9]\d{9}$")
OUTBOUND = {Direction.OUTBOUND_API.value, Direction.OUTBOUND_DIAL.value}
COMPLETED = CallStatus.COMPLETED.value


def _history(count: int, *, seed: int = 7, days: int = 30, account: str = "acme") -> list[Call]:
    return list(generate_history(EXOPHONES, account, count, days, seed, NOW))


@pytest.fixture(scope="module")
def history() -> list[Call]:
    return _history(5000)


def _pulses(seconds: int) -> int:
    return -(-seconds // 60)


# --- determinism -----------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_calls() -> None:
    assert _history(2000, seed=11) == _history(2000, seed=11)


def test_a_different_seed_gives_different_calls() -> None:
    first, second = _history(2000, seed=11), _history(2000, seed=12)
    assert not {c.sid for c in first} & {c.sid for c in second}
    assert [c.date_created for c in first] != [c.date_created for c in second]
    assert [c.status for c in first] != [c.status for c in second]


def test_another_account_seeded_with_the_same_seed_gets_other_sids() -> None:
    acme, globex = _history(500, account="acme"), _history(500, account="globex")
    assert not {c.sid for c in acme} & {c.sid for c in globex}


def test_the_sids_of_a_seed_do_not_depend_on_the_count_or_the_window() -> None:
    """So re-seeding an account with the same seed is detected by its first Sid."""
    short = _history(50, days=3)
    long = _history(400, days=90)
    assert [c.sid for c in short] == [c.sid for c in long[:50]]


def test_missing_exophones_and_empty_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="ExoPhone"):
        generate_history([], "acme", 10, 30, 1, NOW)
    with pytest.raises(ValueError, match="days"):
        generate_history(EXOPHONES, "acme", 10, 0, 1, NOW)


def test_zero_calls_gives_an_empty_history() -> None:
    assert _history(0) == []


# --- realism ---------------------------------------------------------------------------------------


def test_calls_come_oldest_first_within_the_requested_days(history: list[Call]) -> None:
    created = [c.date_created for c in history]
    assert created == sorted(created)
    assert created[0] >= NOW - 30 * DAY_MS
    assert created[-1] < NOW - SETTLED_BEFORE_NOW_MS
    # Spread over the whole window, not bunched at one end.
    assert created[0] < NOW - 28 * DAY_MS
    assert created[-1] > NOW - 2 * DAY_MS


def test_every_call_has_a_unique_lowercase_hex_sid(history: list[Call]) -> None:
    sids = [c.sid for c in history]
    assert all(SID.match(sid) for sid in sids)
    assert len(set(sids)) == len(sids)


def test_every_call_is_consistent_in_its_numbers_times_legs_price_and_recording(history: list[Call]) -> None:
    customers = {c.from_number for c in history if c.direction == Direction.INBOUND.value}
    agents = {c.from_number for c in history if c.direction in OUTBOUND}
    assert not customers & agents
    for call in history:
        assert call.account_sid == "acme"
        assert call.status in FINAL_STATUSES
        assert call.phone_number in EXOPHONES
        assert call.parent_call_sid is None and call.forwarded_from is None and call.caller_name is None
        # Numbers: inbound customer -> ExoPhone; outbound agent (rung first) -> customer.
        assert INDIAN_MOBILE.match(call.from_number)
        if call.direction == Direction.INBOUND.value:
            assert call.to_number == call.phone_number
        else:
            assert call.direction in OUTBOUND
            assert call.to_number is not None and INDIAN_MOBILE.match(call.to_number)
            assert call.to_number not in agents
        # Times: whole seconds, in order, settled a minute or a few after the end.
        assert call.start_time is not None and call.end_time is not None and call.duration is not None
        assert all(
            t % 1000 == 0 for t in (call.date_created, call.start_time, call.end_time, call.date_updated)
        )
        assert call.date_created <= call.start_time <= call.end_time < call.date_updated
        assert 60_000 <= call.date_updated - call.end_time <= 240_000
        assert call.duration == (call.end_time - call.start_time) // 1000
        # Legs: leg 1 is From; leg 2 only once leg 1 answered; the call's status follows the legs.
        assert [leg.leg_id for leg in call.legs] in ([1], [1, 2])
        leg1 = call.legs[0]
        assert leg1.number == call.from_number
        leg2 = call.leg(2)
        if leg1.status != COMPLETED:
            assert leg2 is None
            assert call.status == leg1.status
            assert leg1.on_call_duration == 0
        else:
            assert leg2 is not None
            assert call.status == leg2.status
            if call.direction in OUTBOUND:
                assert leg2.number == call.to_number
            else:
                assert leg2.number in agents  # the agent the flow connected
            # Leg 1's time on the call includes leg 2's ringing.
            assert leg1.on_call_duration >= leg2.on_call_duration
            assert call.duration >= leg1.on_call_duration
        # Answered calls only: conversation, AnsweredBy, price, recording.
        if call.status == COMPLETED:
            assert leg2 is not None
            assert call.conversation_duration == leg2.on_call_duration > 0
            assert call.answered_by == "human" or (
                call.answered_by == "machine" and call.direction in OUTBOUND
            )
            billed = _pulses(leg1.on_call_duration)
            if call.direction in OUTBOUND:
                billed += _pulses(leg2.on_call_duration)
            assert call.price_micros == RATE_PER_PULSE_MICROS * billed
            if call.recording_path is not None:
                assert call.recording_path == f"exotelrecordings/acme/{call.sid}.mp3"
        else:
            assert call.conversation_duration == 0
            assert call.answered_by is None
            assert call.price_micros == 0
            assert call.recording_path is None
            assert all(leg.on_call_duration == 0 for leg in call.legs[1:])
        if call.custom_field is not None:
            assert call.direction == Direction.OUTBOUND_API.value


def test_statuses_have_plausible_shares_with_completed_most_common(history: list[Call]) -> None:
    shares = {status: n / len(history) for status, n in Counter(c.status for c in history).items()}
    assert 0.62 <= shares["completed"] <= 0.80
    assert 0.10 <= shares["no-answer"] <= 0.22
    assert 0.04 <= shares["busy"] <= 0.11
    assert 0.02 <= shares["failed"] <= 0.07
    assert 0.005 <= shares["canceled"] <= 0.04
    assert shares["completed"] > shares["no-answer"] > shares["busy"] > shares["failed"] > shares["canceled"]


def test_directions_are_mostly_inbound_and_api_with_some_dashboard_dials(history: list[Call]) -> None:
    shares = {d: n / len(history) for d, n in Counter(c.direction for c in history).items()}
    assert 0.44 <= shares["inbound"] <= 0.56
    assert 0.36 <= shares["outbound-api"] <= 0.48
    assert 0.05 <= shares["outbound-dial"] <= 0.11


def test_a_few_hundred_customer_numbers_repeat_and_some_call_often(history: list[Call]) -> None:
    per_customer = Counter(c.from_number if c.direction == "inbound" else c.to_number for c in history)
    assert 300 <= len(per_customer) <= 500
    counts = sorted(per_customer.values(), reverse=True)
    assert counts[0] >= 8 * statistics.median(counts)
    assert sum(counts[:20]) >= 0.25 * len(history)


def test_a_small_pool_of_agents_places_the_outbound_calls(history: list[Call]) -> None:
    agents = {c.from_number for c in history if c.direction in OUTBOUND}
    assert 15 <= len(agents) <= 20


def test_traffic_follows_ist_business_hours_and_sundays_are_quiet() -> None:
    calls = _history(20_000, days=28)  # four of each weekday
    local = [datetime.fromtimestamp(c.date_created / 1000, IST) for c in calls]
    by_hour = Counter(t.hour for t in local)
    business = sum(by_hour[h] for h in range(10, 18)) / 8
    night = sum(by_hour[h] for h in range(0, 6)) / 6
    assert business > 15 * night
    by_weekday = Counter(t.weekday() for t in local)
    weekday_average = sum(by_weekday[d] for d in range(5)) / 5
    assert by_weekday[6] < 0.5 * weekday_average
    assert by_weekday[5] < weekday_average


def test_about_forty_percent_of_completed_calls_are_recorded(history: list[Call]) -> None:
    completed = [c for c in history if c.status == COMPLETED]
    recorded = sum(c.recording_path is not None for c in completed)
    assert 0.34 <= recorded / len(completed) <= 0.46


def test_prices_follow_the_per_minute_pulses_of_the_seed_example() -> None:
    """docs/api-choices.md §Call details: legs of 21 s and 8 s cost 1.500, each starting one pulse."""
    assert RATE_PER_PULSE_MICROS * (_pulses(21) + _pulses(8)) == 1_500_000


# --- bulk load -------------------------------------------------------------------------------------

_fresh_names = itertools.count()
MakeDatabase = Callable[[str, str], Database]
"""The shared ``database_factory`` fixture (conftest): backend and database name to a migrated store."""


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/t.db")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def acme(db: Database) -> Account:
    created, _ = AccountStore(db).create("acme", exophone_numbers=["+918047112233"])
    return created


@pytest.fixture(params=["sqlite", "postgres"])
def backend_store(request: pytest.FixtureRequest, database_factory: MakeDatabase) -> tuple[Database, Account]:
    """A fresh store of each backend (the shared ``database_factory``) with the account acme."""
    store = database_factory(request.param, f"seeding_{request.param}_{next(_fresh_names)}")
    created, _ = AccountStore(store).create("acme", exophone_numbers=["+918047112233"])
    return store, created


def test_loaded_calls_read_back_field_by_field_with_their_legs(
    backend_store: tuple[Database, Account],
) -> None:
    db, account = backend_store
    records = list(generate_history(account.exophones, account.sid, 3000, 10, 5, NOW))
    batches: list[int] = []
    assert load_calls(db, account.id, records, on_batch=batches.append, batch_size=700) == 3000
    assert batches == [700, 700, 700, 700, 200]
    samples = [records[0], records[-1], records[1500]]
    samples += [next(c for c in records if c.status == status) for status in FINAL_STATUSES]
    samples += [next(c for c in records if c.recording_path and c.custom_field)]
    store = CallStore(db)
    for expected in samples:
        stored = store.get(account.id, account.sid, expected.sid, with_legs=True)
        assert stored == expected
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(call_legs)).scalar_one() == sum(
            len(c.legs) for c in records
        )


def _place(db: Database, account: Account, records: list[Call]) -> None:
    """Store calls the way the server stores a placed call (``CallRunStore.start_many``)."""
    items = [
        NewRun(
            account.id,
            call,
            CallRun(
                call.sid,
                account.sid,
                call.from_number,
                call.to_number,
                call.phone_number,
                call.date_created,
                30,
            ),
            [],
        )
        for call in records
    ]
    assert None not in CallRunStore(db).start_many(items)


def test_loading_continues_the_ids_and_later_inserts_continue_after_the_load(
    backend_store: tuple[Database, Account],
) -> None:
    db, account = backend_store
    *earlier, after = generate_history(account.exophones, account.sid, 4, 10, 1, NOW)
    _place(db, account, earlier)
    later = generate_history(account.exophones, account.sid, 1000, 10, 2, NOW)
    assert load_calls(db, account.id, later, batch_size=300) == 1000
    # The ordinary insert path (PostgreSQL: the id sequence) must not collide with the loaded ids.
    _place(db, account, [after])
    with db.engine.connect() as conn:
        count, low, high = conn.execute(
            select(func.count(), func.min(calls.c.id), func.max(calls.c.id))
        ).one()
        last = conn.execute(select(calls.c.id).where(calls.c.sid == after.sid)).scalar_one()
        orphans = conn.execute(
            select(func.count()).select_from(call_legs).where(call_legs.c.call_id.not_in(select(calls.c.id)))
        ).scalar_one()
    assert (count, low, high, last) == (1004, 1, 1004, 1004)
    assert orphans == 0


def test_the_load_leaves_planner_statistics_on_postgresql(database_factory: MakeDatabase) -> None:
    db = database_factory("postgres", f"seeding_postgres_{next(_fresh_names)}")
    account, _ = AccountStore(db).create("acme", exophone_numbers=["+918047112233"])
    load_calls(db, account.id, generate_history(account.exophones, account.sid, 500, 5, 3, NOW))
    with db.engine.connect() as conn:
        estimate = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'calls'")).scalar_one()
    assert estimate == 500


def test_a_sqlite_load_refreshes_statistics_and_restores_the_connection_settings(
    db: Database, acme: Account
) -> None:
    load_calls(db, acme.id, generate_history(acme.exophones, acme.sid, 200, 5, 3, NOW))
    with db.engine.connect() as conn:
        analysed = conn.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'calls'")).scalar_one()
    assert analysed > 0
    # Hold as many connections as the pool keeps, so the one the load used is among them.
    with ExitStack() as stack:
        pooled = [stack.enter_context(db.engine.connect()) for _ in range(db.engine.pool.size())]  # type: ignore[attr-defined]
        settings = {
            (
                conn.execute(text("PRAGMA synchronous")).scalar_one(),
                conn.execute(text("PRAGMA cache_size")).scalar_one(),
            )
            for conn in pooled
        }
    assert settings == {(1, -SQLITE_CACHE_KIB)}  # as database.py sets them on connect


def test_loading_nothing_loads_nothing(db: Database, acme: Account) -> None:
    assert load_calls(db, acme.id, []) == 0


# --- command line ----------------------------------------------------------------------------------


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Keeps ``seed`` a subcommand."""

    app.command("seed")(seed_command)
    return app


def test_the_seed_command_loads_the_calls_and_prints_a_summary(
    cli: typer.Typer, db: Database, acme: Account
) -> None:
    url = db.url
    result = CliRunner().invoke(
        cli, ["seed", "--account", "acme", "--calls", "750", "--days", "7", "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"Loaded 750 calls into acme \(seed 1\) in [\d.]+ s \([\d,]+ calls/s\)", result.stdout)
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(calls)).scalar_one() == 750


def test_the_seed_command_gives_the_same_calls_for_the_same_seed_in_another_store(
    cli: typer.Typer, tmp_path: Path
) -> None:
    sids = []
    for name in ("a", "b"):
        other = Database(f"sqlite:///{tmp_path}/{name}.db")
        other.migrate()
        AccountStore(other).create("acme", exophone_numbers=["+918047112233"])
        args = ["seed", "--account", "acme", "--calls", "100", "--seed", "9", "--database-url", other.url]
        assert CliRunner().invoke(cli, args).exit_code == 0
        with other.engine.connect() as conn:
            sids.append(conn.execute(select(calls.c.sid).order_by(calls.c.id)).scalars().all())
        other.dispose()
    assert sids[0] == sids[1] and len(sids[0]) == 100


def test_an_unknown_account_is_a_clear_error_with_exit_code_2(cli: typer.Typer, db: Database) -> None:
    result = CliRunner().invoke(
        cli, ["seed", "--account", "ghost", "--calls", "10", "--database-url", db.url]
    )
    assert result.exit_code == 2
    assert "no account 'ghost'" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_an_account_without_exophones_is_told_how_to_add_one(cli: typer.Typer, db: Database) -> None:
    AccountStore(db).create("bare")
    result = CliRunner().invoke(cli, ["seed", "--account", "bare", "--calls", "10", "--database-url", db.url])
    assert result.exit_code == 2
    assert "has no ExoPhone" in result.output
    assert "--exophone" in result.output


def test_seeding_an_account_twice_with_one_seed_is_refused_before_loading(
    cli: typer.Typer, db: Database, acme: Account
) -> None:
    args = ["seed", "--account", "acme", "--calls", "20", "--seed", "4", "--database-url", db.url]
    assert CliRunner().invoke(cli, args).exit_code == 0
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2
    assert "choose another --seed" in again.output
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(calls)).scalar_one() == 20


def test_a_call_count_below_one_is_a_usage_error(cli: typer.Typer, db: Database) -> None:
    result = CliRunner().invoke(cli, ["seed", "--account", "acme", "--calls", "0", "--database-url", db.url])
    assert result.exit_code == 2


def _upkeep(db: Database) -> list[tuple[str, str]]:
    """``calls``' index definitions and ``call_legs``' constraints, as the catalog has them."""
    with db.engine.connect() as conn:
        indexes = conn.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'calls' ORDER BY 1")
        ).all()
        keys = conn.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = 'call_legs'::regclass ORDER BY 1"
            )
        ).all()
    return [tuple(row) for row in [*indexes, *keys]]  # type: ignore[misc]


def test_a_postgresql_load_into_an_empty_store_builds_the_indexes_after_the_rows(
    database_factory: MakeDatabase,
) -> None:
    """One transaction drops the per-row upkeep and makes it again: afterwards the catalog is as the
    migrations left it, and a failing load leaves nothing behind, indexes included."""
    db = database_factory("postgres", f"seeding_postgres_{next(_fresh_names)}")
    account, _ = AccountStore(db).create("acme", exophone_numbers=["+918047112233"])
    migrated = _upkeep(db)
    assert any(name == "call_legs_call_id_fkey" for name, _ in migrated)
    assert sum(name.startswith("ix_calls_") for name, _ in migrated) == 5

    def failing() -> Iterator[Call]:
        yield from generate_history(account.exophones, account.sid, 500, 5, 3, NOW)
        raise RuntimeError("the source broke off")

    with pytest.raises(RuntimeError, match="broke off"):
        load_calls(db, account.id, failing(), batch_size=200)
    assert _upkeep(db) == migrated
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(calls)).scalar_one() == 0

    records = list(generate_history(account.exophones, account.sid, 700, 5, 3, NOW))
    batches: list[int] = []
    assert load_calls(db, account.id, records, on_batch=batches.append, batch_size=300) == 700
    assert batches == [300, 300, 100]
    assert _upkeep(db) == migrated
    store = CallStore(db)
    assert store.get(account.id, account.sid, records[-1].sid, with_legs=True) == records[-1]
