"""Reads of call records from a PostgreSQL streaming replica, with a real primary and a real replica
(``pg_basebackup -R``): read-your-writes per account, reads served by the replica when the account
wrote nothing lately, a lagging replica skipped, a stopped replica skipped.

Which server answered is shown two ways: by ``pg_is_in_recovery()`` on the connection the store
picks for the account, and over HTTP by stale data — replay is paused on the replica and a call
is changed on the primary without telling the servers, so only the replica still has the old value.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
from pydantic import ValidationError

from tests.support.calls_api import ANSWER, advance, place
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer, start_server
from tests.support.pg_cluster import PostgresCluster, find_bindir
from trunkline.config import Settings
from trunkline.store.database import Database
from trunkline.store.replicas import CHANNEL, ReplicaRouter

WINDOW_S = 3.0  # the default read_your_writes_seconds
MAX_LAG_S = 1.0


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class Pair:
    """A primary, its replica, and a virtual-clock server reading from the replica."""

    def __init__(self, primary: PostgresCluster, replica: PostgresCluster, live: LiveServer) -> None:
        self.primary, self.replica, self.live = primary, replica, live
        self.primary_sql = psycopg.connect(primary.url("trunkline"), autocommit=True)
        self.replica_sql = psycopg.connect(replica.url("trunkline"), autocommit=True)

    @property
    def router(self) -> ReplicaRouter:
        assert self.live.db.replicas is not None
        return self.live.db.replicas

    def serves_from_replica(self, account: AccountFixture) -> bool:
        """Whether the store's connection for the account's reads is the replica's."""
        with self.live.db.read_records(account.account_id) as conn:
            return bool(conn.exec_driver_sql("SELECT pg_is_in_recovery()").scalar())

    def caught_up(self) -> bool:
        primary = self.primary_sql.execute("SELECT pg_current_wal_lsn()").fetchone()
        replayed = self.replica_sql.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (primary[0] if primary else None,)
        ).fetchone()
        return bool(replayed and replayed[0])

    def settled_on_replica(self, account: AccountFixture) -> None:
        """Wait until the account's writes are on the replica and its reads go there."""
        wait_for(self.caught_up)
        wait_for(lambda: self.router.choose(account.account_id) is not None)

    def set_caller_name_quietly(self, sid: str, value: str, *, notify: int | None = None) -> None:
        """Change a call on the primary as no Trunkline process would: without starting the
        account's window, unless ``notify`` names the account as another process's write does."""
        with self.primary_sql.transaction():
            self.primary_sql.execute("UPDATE calls SET caller_name = %s WHERE sid = %s", (value, sid))
            if notify is not None:
                self.primary_sql.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(notify)))


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not installed")
    primary = PostgresCluster(bindir, durable=True)
    primary.start()
    db = Database(primary.url("trunkline"))
    db.migrate()
    replica = primary.replica()
    try:
        live = start_server(
            db,
            rate_limit_per_minute=0,
            clock="virtual",
            settle_delay_seconds=0,
            read_replica_urls=replica.url("trunkline"),
        )
        yield Pair(primary, replica, live)
        live.stop()
    finally:
        db.dispose()
        replica.stop()
        primary.stop()


@pytest.fixture
def client(pair: Pair) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=pair.live.base_url, timeout=30) as http:
        yield http


@pytest.fixture
def account(pair: Pair) -> AccountFixture:
    return make_account(pair.live.db)


@pytest.fixture
def paused_replay(pair: Pair) -> Iterator[None]:
    """Replay stopped on the replica for the test: the primary's new writes are not there."""
    pair.replica_sql.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        pair.replica_sql.execute("SELECT pg_wal_replay_resume()")
        wait_for(pair.caught_up)


def _details(client: httpx.Client, account: AccountFixture, sid: str) -> httpx.Response:
    return client.get(f"/v1/Accounts/{account.sid}/Calls/{sid}.json", auth=account.auth)


def _listed(client: httpx.Client, account: AccountFixture) -> dict[str, Any]:
    response = client.get(f"/v1/Accounts/{account.sid}/Calls.json", auth=account.auth)
    assert response.status_code == 200, response.text
    return {call["Sid"]: call for call in response.json()["Calls"]}


def test_given_no_recent_write_when_reading_then_the_replica_answers(
    pair: Pair, client: httpx.Client, account: AccountFixture
) -> None:
    call = place(client, account, From="+919876543210", To=ANSWER)
    assert not pair.serves_from_replica(account)  # within the window of its own write
    pair.settled_on_replica(account)
    assert pair.serves_from_replica(account)

    pair.replica_sql.execute("SELECT pg_wal_replay_pause()")
    try:
        pair.set_caller_name_quietly(call["Sid"], "changed on the primary")
        # The replica has not replayed the change, and has not lagged long enough to be skipped.
        assert _details(client, account, call["Sid"]).json()["Call"]["CallerName"] != "changed on the primary"
        # Once it lags over the bound, it is skipped: the primary answers.
        wait_for(lambda: not pair.router.replicas[0].healthy, timeout=MAX_LAG_S + 3)
        assert _details(client, account, call["Sid"]).json()["Call"]["CallerName"] == "changed on the primary"
    finally:
        pair.replica_sql.execute("SELECT pg_wal_replay_resume()")
    pair.settled_on_replica(account)
    assert _details(client, account, call["Sid"]).json()["Call"]["CallerName"] == "changed on the primary"


@pytest.mark.usefixtures("paused_replay")
def test_given_a_call_just_placed_when_read_at_once_then_it_is_found(
    pair: Pair, client: httpx.Client, account: AccountFixture
) -> None:
    call = place(client, account, From="+919876543210", To=ANSWER)
    # Not on the replica (replay paused): only the primary has it.
    assert pair.replica_sql.execute("SELECT 1 FROM calls WHERE sid = %s", (call["Sid"],)).fetchone() is None
    response = _details(client, account, call["Sid"])
    assert response.status_code == 200, response.text
    assert response.json()["Call"]["Sid"] == call["Sid"]


def test_given_a_settled_call_when_listed_at_once_then_the_list_shows_it(
    pair: Pair, client: httpx.Client, account: AccountFixture
) -> None:
    call = place(client, account, From="+919876543210", To=ANSWER)
    pair.settled_on_replica(account)
    pair.replica_sql.execute("SELECT pg_wal_replay_pause()")
    try:
        assert call["Sid"] not in _listed(client, account)  # the list shows finished calls only
        advance(client, 600)  # the engine ends and settles it: a write for the account
        assert _listed(client, account)[call["Sid"]]["Status"] in ("completed", "busy", "no-answer", "failed")
    finally:
        pair.replica_sql.execute("SELECT pg_wal_replay_resume()")
    wait_for(pair.caught_up)


def test_given_another_process_wrote_when_reading_then_the_primary_answers(
    pair: Pair, client: httpx.Client, account: AccountFixture
) -> None:
    call = place(client, account, From="+919876543210", To=ANSWER)
    pair.settled_on_replica(account)
    pair.replica_sql.execute("SELECT pg_wal_replay_pause()")
    try:
        # As a write of another server process: its transaction notifies at commit.
        pair.set_caller_name_quietly(call["Sid"], "written elsewhere", notify=account.account_id)
        wait_for(lambda: pair.router.choose(account.account_id) is None, timeout=1)
        assert _details(client, account, call["Sid"]).json()["Call"]["CallerName"] == "written elsewhere"
    finally:
        pair.replica_sql.execute("SELECT pg_wal_replay_resume()")
    wait_for(pair.caught_up)


def test_given_the_replica_stopped_when_reading_then_the_primary_answers(
    pair: Pair, client: httpx.Client, account: AccountFixture
) -> None:
    call = place(client, account, From="+919876543210", To=ANSWER)
    advance(client, 600)
    pair.settled_on_replica(account)
    pair.replica.pause()
    try:
        # At once, before the background check notices: the read that cannot connect goes to the primary.
        assert _details(client, account, call["Sid"]).status_code == 200
        assert call["Sid"] in _listed(client, account)
        wait_for(lambda: not pair.router.replicas[0].healthy, timeout=3)
        assert not pair.serves_from_replica(account)
        assert _details(client, account, call["Sid"]).status_code == 200
    finally:
        pair.replica.start_again()
        pair.replica_sql = psycopg.connect(pair.replica.url("trunkline"), autocommit=True)
    pair.settled_on_replica(account)
    assert pair.serves_from_replica(account)


def test_a_lag_bound_the_window_does_not_cover_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 1 s less"):
        Settings(read_your_writes_seconds=1.5, replica_max_lag_seconds=1.0)


def test_a_replica_url_that_is_not_postgresql_is_refused_without_its_password() -> None:
    with pytest.raises(ValidationError, match="not a PostgreSQL URL") as raised:
        Settings(read_replica_urls="mysql://user:hunter22@db/trunkline")
    assert "hunter22" not in str(raised.value)
