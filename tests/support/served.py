"""``trunkline serve`` as a child process on 127.0.0.1 and a free port: for tests that kill it, or
that look at the process from outside (its threads, its memory)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.calls_api import ADMIN
from tests.support.live_server import ADMIN_TOKEN

START_LIMIT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(url: str, port: int, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """Start a server over the store at ``url`` (virtual clock, no demo account, no rate limit;
    ``env`` adds or overrides ``TRUNKLINE_`` variables) and wait until it answers."""
    environment = {
        **os.environ,
        "TRUNKLINE_DATABASE_URL": url,
        "TRUNKLINE_DEMO_ACCOUNT": "false",
        "TRUNKLINE_CLOCK": "virtual",
        "TRUNKLINE_SETTLE_DELAY_SECONDS": "0",
        "TRUNKLINE_ADMIN_TOKEN": ADMIN_TOKEN,
        "TRUNKLINE_RATE_LIMIT_PER_MINUTE": "0",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "trunkline.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_LIMIT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/admin/clock", headers=ADMIN, timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")
