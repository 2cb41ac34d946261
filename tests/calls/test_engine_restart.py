"""Kill the server in the middle of calls, move the clock while it is down, start it again: every
call resumes and ends exactly as it would have, and no event happens twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.support.calls_api import ADMIN, ANSWER, BUSY, MACHINE, NEVER, STAYS
from tests.support.factories import make_account
from tests.support.live_server import ADMIN_TOKEN
from trunkline.engine.clock import advance_stored
from trunkline.store.database import Database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TRUNKLINE_DATABASE_URL": url,
        "TRUNKLINE_DEMO_ACCOUNT": "false",
        "TRUNKLINE_CLOCK": "virtual",
        "TRUNKLINE_SETTLE_DELAY_SECONDS": "0",
        "TRUNKLINE_ADMIN_TOKEN": ADMIN_TOKEN,
        "TRUNKLINE_RATE_LIMIT_PER_MINUTE": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "trunkline.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/admin/clock", headers=ADMIN, timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


def test_calls_survive_a_kill_and_timers_that_expired_meanwhile_fire(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    db = Database(url)
    db.migrate()
    account = make_account(db)
    port = _free_port()
    log = tmp_path / "server.log"
    plan = [(ANSWER, ANSWER, "completed"), (ANSWER, BUSY, "busy"), (NEVER, ANSWER, "no-answer"),
            (ANSWER, MACHINE, "completed"), (STAYS, STAYS, "completed")] * 6  # fmt: skip
    server = _start(url, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, auth=account.auth, timeout=10) as client:
            sids = []
            for from_number, to_number, _ in plan:
                response = client.post(
                    f"/v1/Accounts/{account.sid}/Calls/connect.json",
                    data={
                        "From": from_number,
                        "To": to_number,
                        "CallerId": account.exophones[0],
                        "TimeLimit": "100",
                    },  # fmt: skip
                )
                assert response.status_code == 200, response.text
                sids.append(response.json()["Call"])
            # Into the middle of the calls: legs ringing and answered, nothing ended yet.
            moved = httpx.post(f"{base}/admin/clock/advance", json={"seconds": 3}, headers=ADMIN)
            assert moved.status_code == 200, moved.text
            middle = client.get(f"/v1/Accounts/{account.sid}/Calls/{sids[0]['Sid']}.json?details=true").json()
            assert middle["Call"]["Status"] == "in-progress"
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)

    # While the server is down, the clock moves on past every call's end (the CLI does this too).
    advance_stored(db, 600_000)

    server = _start(url, port, log)
    try:
        with httpx.Client(base_url=base, auth=account.auth, timeout=10) as client:
            deadline = time.monotonic() + 20
            while True:
                done = [
                    client.get(f"/v1/Accounts/{account.sid}/Calls/{call['Sid']}.json?details=true").json()[
                        "Call"
                    ]
                    for call in sids
                ]
                if all(call["Duration"] is not None for call in done) or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            for call, (_, _, status) in zip(done, plan, strict=True):
                assert call["Status"] == status, call
            # Ended at their own times, not at the time the server came back.
            by_outcome = {(f, t): call for call, (f, t, _) in zip(done, plan, strict=False)}
            assert by_outcome[(ANSWER, ANSWER)]["Duration"] == "62"
            assert by_outcome[(STAYS, STAYS)]["Duration"] == "102"  # TimeLimit 100 s after a 2 s ring
            for placed in sids:
                names = [
                    e["name"]
                    for e in httpx.get(f"{base}/admin/calls/{placed['Sid']}/events", headers=ADMIN).json()[
                        "events"
                    ]
                ]
                repeated = [name for name, n in Counter(names).items() if n > 1]
                assert repeated == [], (placed["Sid"], names)
                assert names[0] == "call.created" and names[-1] == "call.settled"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        db.dispose()
