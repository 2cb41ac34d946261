"""Under a burst of concurrent requests the server's threads stay within
``TRUNKLINE_WORKER_THREADS`` (plus its fixed few), rather than growing to anyio's 40, each with a
stack and possibly a database connection (issue 13, hostile hour 8)."""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.factories import make_account, make_call
from tests.support.served import free_port, serve
from trunkline.store.database import Database

WORKERS = 4
FIXED_THREADS = 6
"""The threads that are not the worker pool's: the event loop's, the call writer's, and the
runtime's own (five in all with one worker thread, measured), with one to spare."""
REQUESTS, CONCURRENCY = 600, 48


def _threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no thread count")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_threads_stay_within_the_configured_worker_threads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'threads.db'}"
    db = Database(url)
    db.migrate()
    account = make_account(db)
    account.add_calls(*(make_call(account, minutes_ago=n) for n in range(200)))
    db.dispose()
    port = free_port()
    server = serve(url, port, tmp_path / "server.log", TRUNKLINE_WORKER_THREADS=str(WORKERS))
    most, done = 0, threading.Event()

    def watch() -> None:
        nonlocal most
        while not done.is_set():
            most = max(most, _threads(server.pid))
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        path = f"/v1/Accounts/{account.sid}/Calls.json?PageSize=100"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=account.auth, timeout=30) as client:

            def list_calls(_: int) -> int:
                return client.get(path).status_code

            with ThreadPoolExecutor(CONCURRENCY) as pool:
                statuses = list(pool.map(list_calls, range(REQUESTS)))
        assert set(statuses) == {200}
    finally:
        done.set()
        watcher.join()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    assert most <= WORKERS + FIXED_THREADS, f"{most} threads"
