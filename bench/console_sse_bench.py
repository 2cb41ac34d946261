"""50 open console event streams, each of which must receive a new call within 1 s; and the memory
each open stream costs (the server's RSS delta over the streams, divided by their number).

    PYTHONPATH=src python3 -m bench.console_sse_bench --streams 50

A ``trunkline serve`` process runs on a fresh SQLite store (real clock) on a free loopback port, so
that the clients' work and memory are not counted as the server's. The streams are opened as the
admin over one account; then one call is placed through the v1 API and each stream's delay until it
reports that call is measured. Bounded: ``--rounds`` calls, 10 s each.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time

import httpx

from bench.common import free_port, rss_mb, server, trunkline_server
from trunkline.services.commands import CommandServices

TOKEN = "console-sse-bench-token"


async def _stream(
    client: httpx.AsyncClient, account: str, seen: dict[str, float], ready: asyncio.Event
) -> None:
    async with client.stream("GET", "/console/events", params={"account": account}) as answer:
        async for line in answer.aiter_lines():
            if line.startswith(": connected"):
                ready.set()
            match = re.search(r'"sid":"([0-9a-f]+)"', line)
            if match and match.group(1) not in seen:
                seen[match.group(1)] = time.perf_counter()


async def _run(
    base: str, server_pid: int, account: str, key: str, token: str, exophone: str, streams: int, rounds: int
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as admin:
        form = await admin.get("/console/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        await admin.post("/console/login", data={"csrf": csrf.group(1), "mode": "admin", "token": TOKEN})
        cookies = admin.cookies
    clients = [httpx.AsyncClient(base_url=base, timeout=None, cookies=cookies) for _ in range(streams)]
    seen: list[dict[str, float]] = [{} for _ in range(streams)]
    readies = [asyncio.Event() for _ in range(streams)]
    before = rss_mb(server_pid) * 1024
    tasks = [
        asyncio.create_task(_stream(c, account, s, r)) for c, s, r in zip(clients, seen, readies, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
    await asyncio.sleep(1)
    after = rss_mb(server_pid) * 1024
    print(
        f"{streams} open streams: server RSS +{after - before:.0f} KiB, "
        f"{(after - before) / streams:.1f} KiB per stream"
    )
    delays: list[float] = []
    async with httpx.AsyncClient(base_url=base, auth=(key, token), timeout=30) as api:
        for _ in range(rounds):
            placed_at = time.perf_counter()
            answer = await api.post(
                f"/v1/Accounts/{account}/Calls/connect.json",
                data={"From": "+919876543210", "CallerId": exophone, "To": "+919812345678"},
            )
            sid = answer.json()["Call"]["Sid"]
            deadline = time.perf_counter() + 10
            while time.perf_counter() < deadline and not all(sid in s for s in seen):
                await asyncio.sleep(0.01)
            delays.extend(s[sid] - placed_at for s in seen if sid in s)
            missed = sum(1 for s in seen if sid not in s)
            if missed:
                print(f"  {missed} streams missed {sid}")
    for task in tasks:
        task.cancel()
    for client in clients:
        await client.aclose()
    ordered = sorted(delays)
    within = sum(1 for d in ordered if d <= 1.0)
    p50 = statistics.median(ordered) * 1000
    print(
        f"delivery delay over {len(ordered)} (stream, call) pairs: p50 {p50:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms; within 1 s: {within}/{len(ordered)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="console-sse-") as temp:
        url = f"sqlite:///{temp}/sse.db"
        services = CommandServices(url, create=True)
        exophone = "+918012340000"
        account, credential = services.accounts.create("ssebench", exophone_numbers=[exophone])
        services.close()
        port = free_port()
        command, env = trunkline_server(port, url)
        env.update(
            TRUNKLINE_ADMIN_TOKEN=TOKEN,
            TRUNKLINE_DEMO_ACCOUNT="false",
            TRUNKLINE_RECORDINGS_DIR=f"{temp}/rec",
        )
        with server(command, port, env, ready_path="/healthz") as process:
            asyncio.run(
                _run(
                    f"http://127.0.0.1:{port}",
                    process.pid,
                    account.sid,
                    credential.api_key,
                    credential.api_token,
                    exophone,
                    args.streams,
                    args.rounds,
                )
            )


if __name__ == "__main__":
    main()
