"""A server killed while a status callback is out comes back and sends it again within seconds,
instead of waiting out the dead process's 60 s lease on the delivery (issue 13, hostile hour 10)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx

from tests.support.calls_api import ADMIN, ANSWER
from tests.support.factories import make_account
from tests.support.receiver import Receiver, Reply, form_fields
from tests.support.served import free_port, serve
from trunkline.store.database import Database


def test_a_callback_claimed_by_a_killed_server_is_sent_soon_after_the_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'leases.db'}"
    db = Database(url)
    db.migrate()
    account = make_account(db)
    db.dispose()
    port, log = free_port(), tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    with Receiver() as receiver:
        # The first attempt is held (longer than the test runs): the server dies with it in flight.
        receiver.reply(Reply(delay_s=120))
        server = serve(url, port, log, TRUNKLINE_WEBHOOK_ALLOW_PRIVATE="true")
        try:
            with httpx.Client(base_url=base, auth=account.auth, timeout=10) as client:
                placed = client.post(
                    f"/v1/Accounts/{account.sid}/Calls/connect.json",
                    data={
                        "From": ANSWER,
                        "To": ANSWER,
                        "CallerId": account.exophones[0],
                        "TimeLimit": "30",
                        "StatusCallback": receiver.url,
                    },
                )
                assert placed.status_code == 200, placed.text
            moved = httpx.post(f"{base}/admin/clock/advance", json={"seconds": 300}, headers=ADMIN)
            assert moved.status_code == 200, moved.text
            [held] = receiver.wait_for(1, timeout=10)
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)

        server = serve(url, port, log, TRUNKLINE_WEBHOOK_ALLOW_PRIVATE="true")
        restarted = time.monotonic()
        try:
            requests = receiver.wait_for(2, timeout=10)
            late_s = time.monotonic() - restarted
            assert late_s < 5, f"the callback came {late_s:.1f} s after the restart"
            assert form_fields(requests[1]) == form_fields(held)
            # ... and recorded as delivered, once: the held attempt died with the process.
            sid = placed.json()["Call"]["Sid"]
            deadline = time.monotonic() + 5
            while True:
                log_ = httpx.get(f"{base}/admin/calls/{sid}/webhooks", headers=ADMIN)
                assert log_.status_code == 200, log_.text
                if '"delivered"' in log_.text or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert '"delivered"' in log_.text, log_.text
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
