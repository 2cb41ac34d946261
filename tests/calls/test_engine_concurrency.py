"""Several engines on one PostgreSQL store never advance the same call twice; the scaled clock
continues its timeline across restarts."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from tests.support.factories import make_account
from trunkline.domain.calls.connect_request import ConnectRequest
from trunkline.domain.calls.pricing import RateTable
from trunkline.domain.calls.run_state import Signal, Timer
from trunkline.domain.network.scenarios import Scenario
from trunkline.engine.calls.engine import CallEngine
from trunkline.engine.calls.service import Caller, CallService
from trunkline.engine.carriers.simulated import SimulatedNetwork
from trunkline.engine.clock import NetworkClock
from trunkline.store.call_runs import CallRunStore
from trunkline.store.calls import CallStore
from trunkline.store.database import Database
from trunkline.store.flows import FlowStore
from trunkline.store.rollup_periods import HOUR_MS

RATES = RateTable({"": 1.0})


def _engine(db: Database, clock: NetworkClock) -> CallEngine:
    return CallEngine(
        db,
        CallRunStore(db),
        SimulatedNetwork(5),
        clock,
        RATES,
        renderers={},
        settle_delay_ms=0,
        batch_size=25,
    )


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_engines_in_parallel_take_each_call_once(database_factory, backend: str) -> None:  # type: ignore[no-untyped-def]
    db = database_factory(backend, f"parallel_engines_{backend}")
    account = make_account(db)
    clock = NetworkClock(db, mode="virtual")
    first = _engine(db, clock)
    service = CallService(
        CallRunStore(db),
        first,
        RATES,
        FlowStore(db),
        default_ring_timeout_s=30,
        allow_private_callbacks=True,
    )
    caller = Caller(account.account_id, account.sid)
    numbers = [f"+91981234{i:04d}" for i in range(300)]
    for number in numbers:
        placed = ConnectRequest(from_number=number, caller_id=account.exophones[0], to_number=number)
        service.connect(caller, placed, dialect="none")
    clock.advance(3 * 3600 * 1000)
    engines = [first, _engine(db, clock), _engine(db, clock), _engine(db, clock)]
    errors: list[BaseException] = []

    def work(engine: CallEngine) -> None:
        try:
            engine.drain()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    runs = CallRunStore(db)
    assert runs.in_flight() == 0
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT call_id, name, count(*) FROM call_events GROUP BY call_id, name HAVING count(*) > 1"
        ).all()
        finals = Counter(
            status for (status,) in conn.exec_driver_sql(
                f"SELECT status FROM calls WHERE account_id = {account.account_id}"
            )
        )  # fmt: skip
        rollup = conn.exec_driver_sql(
            f"SELECT sum(calls) FROM call_counts WHERE account_id = {account.account_id}"
            f" AND period_ms = {HOUR_MS}"
        ).scalar()
    assert rows == []
    assert sum(finals.values()) == 300 and "in-progress" not in finals
    assert int(rollup) == 300  # each call counted once, when it ended


def test_scaled_clock_continues_after_a_restart(database_factory) -> None:  # type: ignore[no-untyped-def]
    db = database_factory("sqlite", "scaled_clock")
    wall = [1_000_000]
    clock = NetworkClock(db, time_scale=10, wall=lambda: wall[0])
    start = clock.now_ms()
    wall[0] += 1000
    assert clock.now_ms() == start + 10_000
    wall[0] += 1000  # down for a second: the network's timeline keeps going
    again = NetworkClock(db, time_scale=10, wall=lambda: wall[0])
    assert again.now_ms() == start + 20_000
    faster = NetworkClock(db, time_scale=20, wall=lambda: wall[0])
    assert faster.now_ms() == start + 20_000
    wall[0] += 1000
    assert faster.now_ms() == start + 40_000


def test_a_carrier_reporting_signals_as_they_happen(database_factory) -> None:  # type: ignore[no-untyped-def]
    """The path a real network takes: dial returns no signals; they arrive one by one."""

    class SilentCarrier:
        side_effect_free = False

        def dial(self, run: object, leg: int, at_ms: int) -> list[Timer]:
            return []

        def hangup(self, run: object, leg: int, at_ms: int) -> None:
            pass

    db = database_factory("sqlite", "reported_signals")
    account = make_account(db)
    clock = NetworkClock(db, mode="virtual")
    engine = CallEngine(db, CallRunStore(db), SilentCarrier(), clock, RATES, renderers={}, settle_delay_ms=0)
    service = CallService(
        CallRunStore(db),
        engine,
        RATES,
        FlowStore(db),
        default_ring_timeout_s=30,
        allow_private_callbacks=True,
    )
    call = service.connect(
        Caller(account.account_id, account.sid),
        ConnectRequest(
            from_number="+919812345678", caller_id=account.exophones[0], to_number="+919812345679"
        ),
        dialect="none",
    )
    t0 = clock.now_ms()
    engine.drain()  # the engine dials leg 1 once the call is stored
    assert engine.signal(call.sid, 1, Signal.ANSWERED, t0 + 5000)
    assert engine.signal(call.sid, 2, Signal.ANSWERED, t0 + 3000)  # too early: leg 2 is not dialled yet
    clock.advance(6000)
    engine.drain()
    assert engine.signal(call.sid, 2, Signal.ANSWERED, t0 + 8000)
    assert engine.signal(call.sid, 1, Signal.HANGUP, t0 + 20_000)
    clock.advance(20_000)
    engine.drain()
    stored = CallStore(db).get(account.account_id, account.sid, call.sid, with_legs=True)
    assert stored is not None and stored.status == "completed"
    assert [leg.on_call_duration for leg in stored.legs] == [15, 12]
    assert not engine.signal(call.sid, 1, Signal.HANGUP, t0 + 30_000)  # over: nothing to report to


def test_a_refresh_racing_an_advance_never_puts_the_clock_back(database_factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The background task's refresh reads the stored clock while an admin advance moves it: the
    advance must win, or the calls it made due stay put (a flaky CI failure on PostgreSQL)."""
    db = database_factory("sqlite", "clock_refresh_race")
    clock = NetworkClock(db, mode="virtual")
    before = clock.now_ms()
    load = clock._load_virtual
    advancing = threading.Thread(target=clock.advance, args=(60_000,))

    def slow_load() -> int:
        stale = load()  # the store as it was when the refresh began
        advancing.start()
        advancing.join(timeout=0.3)  # the advance lands while the refresh is between read and write
        return stale

    monkeypatch.setattr(clock, "_load_virtual", slow_load)
    clock.refresh()
    advancing.join(timeout=10)
    assert not advancing.is_alive()
    assert clock.now_ms() == before + 60_000
    monkeypatch.undo()
    clock.refresh()
    assert clock.now_ms() == before + 60_000


def test_a_scenario_refresh_racing_a_new_scenario_never_puts_the_old_one_back() -> None:
    """The engine's tick reloads the stored scenario while an admin request saves and uses a new one:
    the new one must stay (a flaky CI failure: a call planned by the old rules)."""
    old, new = Scenario(), Scenario()
    network = SimulatedNetwork(5, old)
    using = threading.Thread(target=network.use, args=(new,))

    def slow_load() -> Scenario:
        using.start()
        using.join(timeout=0.3)  # the admin request lands while the refresh is reading the store
        return old  # what the store held when the refresh read it

    network.refresh(slow_load)
    using.join(timeout=10)
    assert not using.is_alive()
    assert network.scenario is new
