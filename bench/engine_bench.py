"""Call engine benchmarks (issue 3).

1. Accepted connects per second: wrk POSTs ``Calls/connect.json`` (form body, 32 connections)
   to one server process with a virtual clock, so only accepting is measured; compared, in the
   same run, with a bare Starlette endpoint.
2. Calls driven to their end: calls arrive at ``--rate`` per network second until
   ``--in-flight`` are live at once, on a virtual clock advanced one network second at a time
   while the engine runs every timer that fell due. The network keeps up with real time when a
   network second costs the engine less than a wall second.

    python bench/engine_bench.py --backend sqlite --in-flight 10000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import bare_server, bench_store, free_port, server, trunkline_server, wrk
from trunkline.domain.calls.connect_request import ConnectRequest
from trunkline.domain.calls.pricing import RateTable
from trunkline.engine.calls.engine import CallEngine
from trunkline.engine.calls.service import Caller, CallService
from trunkline.engine.carriers.simulated import SimulatedNetwork
from trunkline.engine.clock import NetworkClock
from trunkline.store.accounts import AccountStore
from trunkline.store.call_runs import CallRunStore
from trunkline.store.database import Database
from trunkline.store.flows import FlowStore

EXOPHONE = "+918047112233"


@contextmanager
def _fresh_database(backend: str, name: str) -> Iterator[Database]:
    with bench_store(backend, Path(tempfile.mkdtemp()) / f"{name}.db") as url:
        db = Database(url)
        try:
            db.migrate()
            yield db
        finally:
            db.dispose()


def connect_throughput(db: Database, seconds: int) -> tuple[float, float]:
    _, credential = AccountStore(db).create("benchconnect", exophone_numbers=[EXOPHONE])
    import httpx

    basic = httpx.BasicAuth(credential.api_key, credential.api_token)._auth_header  # noqa: SLF001
    os.environ["CONNECT_PATH"] = "/v1/Accounts/benchconnect/Calls/connect.json"
    os.environ["EXOPHONE"] = "%2B918047112233"
    port = free_port()
    with server(bare_server(port), port, ready_path="/ping"):
        bare = wrk(f"http://127.0.0.1:{port}/ping", seconds=seconds)
    port = free_port()
    command, env = trunkline_server(port, db.url)
    env |= {"TRUNKLINE_CLOCK": "virtual", "TRUNKLINE_DEMO_ACCOUNT": "false"}
    with server(command, port, env, ready_path="/docs"):
        accepted = wrk(
            f"http://127.0.0.1:{port}",
            seconds=seconds,
            script=Path(__file__).with_name("connect.lua"),
            headers={"Authorization": basic},
        )
    return bare, accepted


def drive(db: Database, in_flight: int, rate: int) -> None:
    """Calls arrive at ``rate`` per network second (default profile: realistic ring and talk
    times, 120 s settling) until ``in_flight`` runs are live at once; then arrivals stop and the
    rest finish. Each network second, the engine runs every timer that fell due; its wall time is
    what must stay under a second for the network to keep up with real time."""
    account, _ = AccountStore(db).create("benchdrive", exophone_numbers=[EXOPHONE])
    clock = NetworkClock(db, mode="virtual")
    rates = RateTable({"+91": 0.5, "": 1.2})
    runs = CallRunStore(db)
    engine = CallEngine(
        db, runs, SimulatedNetwork(1), clock, rates, renderers={}, settle_delay_ms=120_000, batch_size=500
    )
    service = CallService(
        runs, engine, rates, FlowStore(db), default_ring_timeout_s=30, allow_private_callbacks=True
    )
    caller = Caller(account.id, account.sid)
    steps: list[float] = []
    placed = peak = network_s = 0
    placing = 0.0
    started = time.perf_counter()
    while True:
        if peak < in_flight and placed < 3 * in_flight:
            t0 = time.perf_counter()
            for _ in range(rate):
                placed += 1
                call = ConnectRequest(
                    from_number=f"+9198{placed:08d}", caller_id=EXOPHONE, to_number=f"+9197{placed:08d}"
                )
                service.connect(caller, call, dialect="none")
            placing += time.perf_counter() - t0
        clock.advance(1000)
        t0 = time.perf_counter()
        engine.drain()
        steps.append(time.perf_counter() - t0)
        network_s += 1
        if network_s % 10 == 0:
            live = runs.in_flight()
            peak = max(peak, live)
            if live == 0:
                break
        if network_s > 4 * 3600:
            raise RuntimeError("calls did not end within 4 network hours")
    wall = time.perf_counter() - started - placing
    steps.sort()
    print(f"{placed} calls at {rate}/network s; peak {peak} in flight (live or settling)")
    print(f"  placing in process: {placed / placing:,.0f} connects/s (one at a time, no HTTP)")
    print(f"  engine: {network_s} network s in {wall:.1f} wall s = {network_s / wall:,.1f}x real time")
    print(
        f"  engine wall time per network second: p50 {steps[len(steps) // 2] * 1000:.1f} ms, "
        f"p99 {steps[int(len(steps) * 0.99)] * 1000:.1f} ms, max {steps[-1] * 1000:.1f} ms "
        "(under 1000 ms: keeps up with real time)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--in-flight", type=int, default=10_000, help="stop arrivals at this many")
    parser.add_argument("--rate", type=int, default=80, help="calls placed per network second")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    print(f"backend: {args.backend}")
    # Two fresh stores: the calls wrk places must not be in flight during the second part.
    for part in ("connect", "drive"):
        if part == "connect" and args.skip_http:
            continue
        with _fresh_database(args.backend, f"engine_{part}") as db:
            if part == "connect":
                bare, accepted = connect_throughput(db, args.seconds)
                print(f"bare Starlette /ping:        {bare:9,.0f} req/s")
                print(f"Calls/connect.json accepted: {accepted:9,.0f} req/s  (ratio {accepted / bare:.2f})")
            else:
                drive(db, args.in_flight, args.rate)


if __name__ == "__main__":
    main()
