"""Shared fixtures, the one place they are defined: one live server per store backend (SQLite,
PostgreSQL), fresh accounts per test.

Tests isolate themselves by account, which is also what the product promises: accounts never
see each other's data. ``client``/``account`` talk to ``server`` (real clock); tests whose calls
must move through their lives ask for ``engine_client``/``engine_account`` instead, which talk to
``engine_server`` (virtual clock).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import settings as hypothesis_settings

from tests.support.calls_api import ADMIN
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer, start_server
from tests.support.openapi_conformance import conformance_check
from tests.support.pg_cluster import PostgresCluster, find_bindir
from tests.support.receiver import Receiver
from trunkline.store.database import Database

BACKENDS = ["sqlite", "postgres"]

hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    # In CI the property tests (and schemathesis) draw the same examples on every run: a landing
    # never fails on a draw that the run before did not make. On a developer's machine they keep
    # exploring; a failure found there prints the blob that replays it.
    hypothesis_settings.load_profile("ci")

SLOW_FIRST = ("tests/cli/", "tests/docs/", "tests/scale/")
"""Folders of the longest tests (each starts `trunkline serve` subprocesses, up to ~40 s a test),
which share nothing with the other tests."""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest tests first. pytest-xdist deals the first tests out to the workers in turn,
    so started first they spread over both workers; collected late, one of them could be the last
    test left while the other worker sits idle. The sort is stable and runs after pytest has
    grouped tests by fixture, so every other test keeps its place."""
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    bindir = find_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries are missing; .ci/run installs the postgresql package")
        pytest.skip("PostgreSQL binaries not installed")
    cluster = PostgresCluster(bindir)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Make a fresh, migrated store of either backend."""
    made: list[Database] = []

    def make(backend: str, name: str) -> Database:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / (name + '.db')}"
        else:
            cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
            url = cluster.create_database(name)
        db = Database(url)
        db.migrate()
        made.append(db)
        return db

    yield make
    for db in made:
        db.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A live server on each backend, rate limit off (tests of the limit start their own)."""
    db = database_factory(request.param, f"api_{request.param}")
    live = start_server(db, rate_limit_per_minute=0)
    yield live
    live.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def engine_server(request: pytest.FixtureRequest, database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A live server on each backend whose network clock is virtual: calls move only when a test
    advances the clock (admin API), so hundreds of full calls run in seconds without sleeping.
    Duration and Price settle at once."""
    db = database_factory(request.param, f"engine_{request.param}")
    live = start_server(db, rate_limit_per_minute=0, clock="virtual", settle_delay_seconds=0)
    yield live
    live.stop()


@pytest.fixture
def account(server: LiveServer) -> AccountFixture:
    return make_account(server.db)


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with checked_client(server.base_url, timeout=30) as http:
        yield http


def checked_client(base_url: str, *, timeout: float) -> httpx.Client:
    """A client of a live server whose every answer is checked against the server's OpenAPI
    document (tests/support/openapi_conformance.py): the one place the suite proves the document."""
    return httpx.Client(
        base_url=base_url, timeout=timeout, event_hooks={"response": [conformance_check(base_url)]}
    )


@pytest.fixture
def engine_account(engine_server: LiveServer) -> AccountFixture:
    return make_account(engine_server.db)


@pytest.fixture
def engine_client(engine_server: LiveServer) -> Iterator[httpx.Client]:
    """A client of the virtual-clock server. It empties the network scenario afterwards: the server
    lives for the whole session, and one test's rules must not decide the next test's calls."""
    with checked_client(engine_server.base_url, timeout=60) as http:
        yield http
        http.put("/admin/scenario", json={"rules": []}, headers=ADMIN)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A live HTTP server on 127.0.0.1 that records what it is sent (status callbacks, Passthru)."""
    with Receiver() as live:
        yield live
