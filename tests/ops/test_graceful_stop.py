"""SIGTERM stops a server gracefully (issue 16): it refuses new connections at once, finishes the
request in flight, stops its workers, hands back the leases it holds (a status callback and a
Passthru request it was making are due again at once, for another process), and exits 0."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import BACKENDS
from tests.support.calls_api import ADMIN, ANSWER
from tests.support.factories import AccountFixture, make_account
from tests.support.receiver import Receiver, Reply
from tests.support.served import free_port, serve
from trunkline.engine.clock import advance_stored
from trunkline.store.database import Database
from trunkline.store.schema.flows import flow_requests
from trunkline.store.schema.webhooks import webhook_deliveries

CALLER = "+919999910900"  # answers after 2 s and stays on the line


def _store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'graceful.db'}"
    cluster = request.getfixturevalue("pg_cluster")
    return str(cluster.create_database(f"graceful_{tmp_path.name[-12:].lower()}"))


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


def _work_in_flight(client: httpx.Client, account: AccountFixture, callbacks: str, passthru: str) -> None:
    """A call whose status callback, and a call whose flow's Passthru request, are being sent."""
    placed = client.post(
        f"/v1/Accounts/{account.sid}/Calls/connect.json",
        data={
            "From": ANSWER,
            "To": ANSWER,
            "CallerId": account.exophones[0],
            "TimeLimit": "30",
            "StatusCallback": callbacks,
        },
    )
    assert placed.status_code == 200, placed.text
    applets: list[dict[str, Any]] = [
        {
            "id": "check",
            "type": "passthru",
            "url": passthru,
            "timeout_seconds": 30,
            "on_success": "bye",
            "on_failure": "bye",
        },
        {"id": "bye", "type": "hangup"},
    ]
    admin = httpx.Client(base_url=client.base_url, headers=ADMIN, timeout=10)
    flow = admin.put(
        f"/admin/accounts/{account.sid}/flows/check",
        json={"name": "check", "applets": applets},
        headers=ADMIN,
    )
    assert flow.status_code == 200, flow.text
    into_flow = client.post(
        f"/v1/Accounts/{account.sid}/Calls/connect.json",
        data={
            "From": CALLER,
            "CallerId": account.exophones[0],
            "Url": f"http://my.exotel.com/{account.sid}/exoml/start_voice/check",
        },
    )
    assert into_flow.status_code == 200, into_flow.text
    admin.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigterm_finishes_the_request_in_flight_refuses_new_ones_and_hands_back_leases(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _store_url(backend, tmp_path, request)
    db = Database(url)
    db.migrate()
    account = make_account(db)
    port, log = free_port(), tmp_path / "server.log"
    with Receiver() as callbacks, Receiver() as passthru:
        callbacks.reply(Reply(delay_s=120))  # held: still being sent when the stop comes
        passthru.reply(Reply(delay_s=120))
        server = serve(
            url, port, log, TRUNKLINE_WEBHOOK_ALLOW_PRIVATE="true", TRUNKLINE_SHUTDOWN_TIMEOUT_SECONDS="20"
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=account.auth, timeout=10) as client:
                _work_in_flight(client, account, callbacks.url, passthru.url)
            # As `trunkline clock advance` moves it (the admin API's advance would wait for the
            # Passthru answer); the server's engine takes it up within half a second.
            advance_stored(db, 300_000)
            callbacks.wait_for(1, timeout=10)
            passthru.wait_for(1, timeout=10)

            # A request in flight: its headers are in, its body is still arriving.
            body = f"From={ANSWER}&To={ANSWER}&CallerId={account.exophones[0]}&TimeLimit=30".replace(
                "+", "%2B"
            )
            head = (
                f"POST /v1/Accounts/{account.sid}/Calls/connect.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: {account.auth._auth_header}\r\n"  # noqa: SLF001
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            slow = socket.create_connection(("127.0.0.1", port), timeout=30)
            slow.sendall(head.encode() + body[:10].encode())
            time.sleep(0.3)
            server.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            while not _refused(port):
                assert time.monotonic() < deadline, "new connections were still accepted after SIGTERM"
                time.sleep(0.05)
            assert server.poll() is None, "the server exited with a request in flight"
            slow.sendall(body[10:].encode())
            answer = b""
            while not answer.rstrip().endswith(b"}"):
                chunk = slow.recv(65536)
                if not chunk:
                    break
                answer += chunk
            slow.close()
            assert answer.startswith(b"HTTP/1.1 200"), answer[:500]
            assert b'"Call"' in answer
            assert server.wait(timeout=30) == 0, log.read_text()[-2000:]
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=10)

    # What the process held is free: nobody holds it, and it is due now.
    with db.read() as conn:
        deliveries = conn.execute(
            select(
                webhook_deliveries.c.state,
                webhook_deliveries.c.lease_holder,
                webhook_deliveries.c.next_attempt_at,
            )
        ).all()
        requests = conn.execute(
            select(flow_requests.c.state, flow_requests.c.lease_holder, flow_requests.c.lease_until)
        ).all()
    db.dispose()
    pending = [row for row in deliveries if row.state == "pending"]
    assert pending, deliveries
    now_ms = time.time_ns() // 1_000_000
    assert all(row.lease_holder is None and row.next_attempt_at <= now_ms for row in pending), pending
    assert [tuple(row) for row in requests] == [("pending", None, None)], requests
