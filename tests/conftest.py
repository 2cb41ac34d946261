"""Shared fixtures: one live server per store backend (SQLite, PostgreSQL), fresh accounts per test.

Tests isolate themselves by account, which is also what the product promises: accounts never
see each other's data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer, start_server
from tests.support.pg_cluster import PostgresCluster, find_bindir
from trunkline.store.database import Database

BACKENDS = ["sqlite", "postgres"]


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
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        yield http
