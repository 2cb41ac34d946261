"""``/healthz`` and ``/readyz`` (issue 16, run it in production): liveness touches nothing; readiness
fails, naming the check, when the database does not answer, when the store is not at this version's
migration head, and when the engine falls behind its due work; and comes back when the cause goes."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text

from tests.conftest import BACKENDS
from tests.support.calls_api import ANSWER, place
from tests.support.factories import make_account
from tests.support.live_server import LiveServer, start_server
from trunkline.engine.clock import advance_stored
from trunkline.logging_setup import JsonFormatter, RequestIdFilter
from trunkline.store.database import schema_head

MAX_LAG_S = 5


@pytest.fixture(scope="module", params=BACKENDS)
def ops_server(request: pytest.FixtureRequest, database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A server of its own (its store's revision and its engine are tampered with), on the virtual
    clock, with a short lag threshold."""
    db = database_factory(request.param, f"readiness_{request.param}")
    live = start_server(
        db,
        rate_limit_per_minute=0,
        clock="virtual",
        settle_delay_seconds=0,
        readiness_max_lag_seconds=MAX_LAG_S,
    )
    yield live
    live.stop()


def _ready(base_url: str) -> tuple[int, dict[str, Any]]:
    answer = httpx.get(f"{base_url}/readyz", timeout=10)
    assert answer.headers["content-type"] == "application/json"
    return answer.status_code, answer.json()


def _wait_ready(base_url: str, timeout_s: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        status, body = _ready(base_url)
        if status == 200 or time.monotonic() > deadline:
            assert status == 200, body
            return body
        time.sleep(0.1)


def test_a_healthy_server_is_live_and_ready(ops_server: LiveServer) -> None:
    live = httpx.get(f"{ops_server.base_url}/healthz", timeout=10)
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    assert live.headers["x-request-id"]
    body = _wait_ready(ops_server.base_url)
    assert body["status"] == "ready" and body["failed"] == []
    assert body["checks"]["migrations"] == {"ok": True, "store": schema_head(), "code": schema_head()}
    assert body["checks"]["engine_lag"]["threshold_seconds"] == MAX_LAG_S
    assert httpx.head(f"{ops_server.base_url}/readyz", timeout=10).status_code == 200
    refused = httpx.post(f"{ops_server.base_url}/healthz", timeout=10)
    assert refused.status_code == 405 and refused.json()["error"]["code"] == "method-not-allowed"


def test_not_ready_while_the_store_is_behind_its_migrations(ops_server: LiveServer) -> None:
    head = schema_head()
    behind = f"{int(head) - 1:04d}"
    with ops_server.db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": behind})
    try:
        status, body = _ready(ops_server.base_url)
        assert status == 503, body
        assert body["status"] == "not ready" and body["failed"] == ["migrations"]
        check = body["checks"]["migrations"]
        assert check["store"] == behind and check["code"] == head
        assert "trunkline migrate" in check["error"]
        assert httpx.get(f"{ops_server.base_url}/healthz", timeout=10).status_code == 200  # alive all along
    finally:
        with ops_server.db.write() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    _wait_ready(ops_server.base_url)


def test_not_ready_while_the_engine_lags_and_ready_again_once_it_catches_up(ops_server: LiveServer) -> None:
    assert ops_server.parts is not None
    account = make_account(ops_server.db)
    engine_stuck = ops_server.parts.engine._batch_lock  # a batch that never ends: the engine stalls
    with httpx.Client(base_url=ops_server.base_url, timeout=30) as client:
        with engine_stuck:
            place(client, account, From=ANSWER, To=ANSWER, TimeLimit="30")
            # The network moves on (as `trunkline clock advance` moves it, from another process).
            advance_stored(ops_server.db, 60_000)
            deadline = time.monotonic() + 10
            while True:
                status, body = _ready(ops_server.base_url)
                if status == 503 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert status == 503, body
            assert body["failed"] == ["engine_lag"]
            lag = body["checks"]["engine_lag"]
            assert lag["seconds"] >= MAX_LAG_S and lag["by_work"]["calls"] == lag["seconds"]
            assert "overdue" in lag["error"]
        _wait_ready(ops_server.base_url)


def test_not_ready_while_the_database_does_not_answer(
    ops_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable() -> str:
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(ops_server.services.health._store, "revision", unreachable)
    # The server's log handler (``logging_setup.configure``), on the logger of the health checks.
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("trunkline.health")
    logger.addHandler(handler)
    try:
        answer = httpx.get(f"{ops_server.base_url}/readyz", timeout=10)
    finally:
        logger.removeHandler(handler)
    status, body = answer.status_code, answer.json()
    # A line logged while the request was served, without naming the request, carries its id.
    [line] = [orjson.loads(text) for text in written.getvalue().splitlines()]
    assert line["level"] == "warning" and "does not answer" in line["msg"]
    assert line["request_id"] == answer.headers["x-request-id"]
    assert status == 503
    assert body["failed"] == ["database", "migrations", "engine_lag"]
    assert "does not answer" in body["checks"]["database"]["error"]
    assert httpx.get(f"{ops_server.base_url}/healthz", timeout=10).status_code == 200  # liveness: no database
    monkeypatch.undo()
    _wait_ready(ops_server.base_url)


def test_health_and_metrics_paths_are_not_in_the_openapi_document(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/healthz", "/readyz", "/metrics"} & set(paths)
