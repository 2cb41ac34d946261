"""Valid, uncached logins under a flood of bad ones.

Starts ``trunkline serve`` (SQLite in a temporary folder) on a free port, makes ``--valid`` fresh
credentials through the admin API (none is in the server's cache), then for ``--seconds`` sends
``--rate`` bad logins a second from 127.0.0.1 — half with unknown API keys, half with wrong tokens for
a real key — while it logs in with one fresh credential every 100 ms from 127.0.0.2 (another client
address, as a real user would be; the flood runs in a process of its own, so that its event loop
never delays the measured logins). Prints the valid logins' p50/p99/max and what the flood got.

    PYTHONPATH=src python3 bench/login_flood.py --rate 400 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from multiprocessing import Process, Queue

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(folder: str, port: int, admin: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TRUNKLINE_DATABASE_URL": f"sqlite:///{folder}/bench.db",
        "TRUNKLINE_ADMIN_TOKEN": admin,
        "TRUNKLINE_DEMO_ACCOUNT": "false",
        "TRUNKLINE_RECORDINGS_DIR": f"{folder}/recordings",
        "TRUNKLINE_LOG_LEVEL": "warning",
    }
    command = [sys.executable, "-m", "trunkline.cli.main", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _wait_ready(base: str, admin: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(300):
            try:
                if (await http.get("/admin/clock", headers=admin)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not start within 30 s")


def _flood(
    host: str, port: int, path: str, known_key: str, rate: int, seconds: float, out: Queue[dict[str, int]]
) -> None:
    """The flood, in a process of its own so that its event loop never delays the measured logins,
    and on raw keep-alive sockets rather than httpx, so that the attacker's own CPU (on this one
    shared machine) is a small part of what is measured."""
    outcomes: Counter[str] = Counter()

    def request(i: int) -> bytes:
        user, password = (f"nokey{i}", "x") if i % 2 else (known_key, f"bad{i}")
        auth = base64.b64encode(f"{user}:{password}".encode()).decode()
        return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {auth}\r\n\r\n".encode()

    async def run() -> None:
        idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

        async def bad(i: int) -> None:
            try:
                reader, writer = idle.pop() if idle else await asyncio.open_connection(host, port)
                writer.write(request(i))
                head = await reader.readuntil(b"\r\n\r\n")
                status = head.split(b" ", 2)[1].decode()
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                outcomes[status] += 1
                idle.append((reader, writer))
            except (OSError, asyncio.IncompleteReadError) as exc:
                outcomes[type(exc).__name__] += 1

        tasks, started, sent = [], time.monotonic(), 0
        while (elapsed := time.monotonic() - started) < seconds:
            while sent < int(elapsed * rate):
                tasks.append(asyncio.create_task(bad(sent)))
                sent += 1
            await asyncio.sleep(0.005)
        await asyncio.gather(*tasks)
        for _, writer in idle:
            writer.close()

    asyncio.run(run())
    out.put(dict(outcomes))


def main(rate: int, seconds: float, valid: int) -> None:
    port, admin_token = _free_port(), secrets.token_urlsafe(16)
    base, admin = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {admin_token}"}
    with tempfile.TemporaryDirectory() as folder:
        server = _start(folder, port, admin_token)
        try:
            asyncio.run(_wait_ready(base, admin))
            with httpx.Client(base_url=base, timeout=30) as http:
                made = http.post("/admin/accounts", json={"sid": "bench"}, headers=admin).json()
                known_key = made["api_keys"][0]["api_key"]
                fresh = []
                for _ in range(valid):
                    created = http.post("/admin/accounts/bench/credentials", headers=admin).json()
                    fresh.append(httpx.BasicAuth(created["api_key"], created["api_token"]))
            path = "/v1/Accounts/bench/Calls.json"
            results: Queue[dict[str, int]] = Queue()
            flood = Process(target=_flood, args=("127.0.0.1", port, path, known_key, rate, seconds, results))
            flood.start()
            latencies: list[float] = []
            statuses: Counter[int] = Counter()
            # One blocking client from another address, one login at a time: what a real user sees.
            user_transport = httpx.HTTPTransport(local_address="127.0.0.2")
            with httpx.Client(base_url=base, timeout=60, transport=user_transport) as user:
                time.sleep(1.0)  # the flood is under way
                for auth in fresh:
                    started = time.perf_counter()
                    statuses[user.get(path, auth=auth).status_code] += 1
                    latencies.append(time.perf_counter() - started)
                    time.sleep(0.1)
            outcomes = results.get(timeout=seconds + 120)
            flood.join(timeout=30)
            cuts = statistics.quantiles(latencies, n=100, method="inclusive")
            print(f"flood: {rate}/s for {seconds:.0f} s -> {outcomes}")
            print(f"valid uncached logins: {len(latencies)}, statuses {dict(statuses)}")
            p50, p99, worst = cuts[49] * 1000, cuts[98] * 1000, max(latencies) * 1000
            print(f"latency ms: p50 {p50:.1f}  p99 {p99:.1f}  max {worst:.1f}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=400, help="bad logins a second")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the flood lasts")
    parser.add_argument("--valid", type=int, default=50, help="fresh credentials to log in with")
    arguments = parser.parse_args()
    main(arguments.rate, arguments.seconds, arguments.valid)
