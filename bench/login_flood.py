"""Valid, uncached logins under a flood of bad ones.

Starts ``trunkline serve`` (SQLite in a temporary folder) on a free port, makes ``--valid`` fresh
credentials through the admin API (none is in the server's cache), then for ``--seconds`` sends
``--rate`` bad logins a second from 127.0.0.1 — half with unknown API keys, half with wrong tokens for
a real key — while it logs in with one fresh credential every 100 ms from 127.0.0.2 (another client
address, as a real user would be). Prints the valid logins' p50/p99/max and what the flood got.

    PYTHONPATH=src python3 bench/login_flood.py --rate 400 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

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


async def main(rate: int, seconds: float, valid: int) -> None:
    port, admin_token = _free_port(), secrets.token_urlsafe(16)
    base, admin = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {admin_token}"}
    with tempfile.TemporaryDirectory() as folder:
        server = _start(folder, port, admin_token)
        try:
            await _wait_ready(base, admin)
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                made = (await http.post("/admin/accounts", json={"sid": "bench"}, headers=admin)).json()
                known_key = made["api_keys"][0]["api_key"]
                fresh = []
                for _ in range(valid):
                    created = await http.post("/admin/accounts/bench/credentials", headers=admin)
                    fresh.append(httpx.BasicAuth(created.json()["api_key"], created.json()["api_token"]))
            path = "/v1/Accounts/bench/Calls.json"
            flood_limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
            user_transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
            async with (
                httpx.AsyncClient(base_url=base, timeout=60, limits=flood_limits) as flood,
                httpx.AsyncClient(base_url=base, timeout=60, transport=user_transport) as user,
            ):
                outcomes: Counter[int | str] = Counter()

                async def bad(i: int) -> None:
                    auth = (
                        httpx.BasicAuth(f"nokey{i}", "x") if i % 2 else httpx.BasicAuth(known_key, f"bad{i}")
                    )
                    try:
                        outcomes[(await flood.get(path, auth=auth)).status_code] += 1
                    except httpx.HTTPError as exc:
                        outcomes[type(exc).__name__] += 1

                async def flood_for(duration: float) -> None:
                    tasks, started, sent = [], time.monotonic(), 0
                    while (elapsed := time.monotonic() - started) < duration:
                        due = int(elapsed * rate)
                        while sent < due:
                            tasks.append(asyncio.create_task(bad(sent)))
                            sent += 1
                        await asyncio.sleep(0.005)
                    await asyncio.gather(*tasks)

                latencies: list[float] = []
                statuses: Counter[int] = Counter()

                async def logins() -> None:
                    await asyncio.sleep(1.0)  # the flood is under way
                    for auth in fresh:
                        started = time.perf_counter()
                        statuses[(await user.get(path, auth=auth)).status_code] += 1
                        latencies.append(time.perf_counter() - started)
                        await asyncio.sleep(0.1)

                await asyncio.gather(flood_for(seconds), logins())
            cuts = statistics.quantiles(latencies, n=100, method="inclusive")
            print(f"flood: {rate}/s for {seconds:.0f} s -> {dict(outcomes)}")
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
    asyncio.run(main(arguments.rate, arguments.seconds, arguments.valid))
