"""Call engine benchmarks (issue 3).

1. Accepted connects per second: wrk POSTs ``Calls/connect.json`` (form body, 32 connections)
   to one server process with a virtual clock, so only accepting is measured; compared, in the
   same run, with a bare Starlette endpoint.
2. Calls driven to their end: ``--in-flight`` calls (default profile: realistic ring and talk
   times, 120 s settling) are placed in process, then the virtual clock advances one network
   second at a time while the engine runs every timer that fell due. The network keeps up with
   real time when a network second costs less than a wall second; the figure printed is how much
   faster than real time the engine ran, at that many calls in flight.

    python bench/engine_bench.py --backend sqlite --in-flight 10000
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import bare_server, free_port, server, trunkline_server, wrk
from trunkline.domain.calls.connect_request import ConnectRequest
from trunkline.domain.calls.pricing import RateTable
from trunkline.engine.calls.engine import CallEngine
from trunkline.engine.calls.service import Caller, CallService
from trunkline.engine.carriers.simulated import SimulatedNetwork
from trunkline.engine.clock import NetworkClock
from trunkline.store.accounts import AccountStore
from trunkline.store.call_runs import CallRunStore
from trunkline.store.database import Database

EXOPHONE = "+918047112233"


def _fresh_database(backend: str, name: str) -> tuple[Database, object]:
    if backend == "sqlite":
        path = Path(tempfile.mkdtemp()) / f"{name}.db"
        db = Database(f"sqlite:///{path}")
        db.migrate()
        return db, None
    from tests.support.pg_cluster import PostgresCluster, find_bindir

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL binaries are needed for --backend postgres")
    cluster = PostgresCluster(bindir)
    cluster.start()
    db = Database(cluster.create_database(name))
    db.migrate()
    return db, cluster


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


def drive(db: Database, in_flight: int) -> None:
    account, _ = AccountStore(db).create("benchdrive", exophone_numbers=[EXOPHONE])
    clock = NetworkClock(db, mode="virtual")
    rates = RateTable({"+91": 0.5, "": 1.2})
    runs = CallRunStore(db)
    engine = CallEngine(
        db, runs, SimulatedNetwork(1), clock, rates, renderers={}, settle_delay_ms=120_000, batch_size=500
    )
    service = CallService(
        runs, engine, rates, default_ring_timeout_s=30, allow_private_callbacks=True
    )
    caller = Caller(account.id, account.sid)
    started = time.perf_counter()
    for i in range(in_flight):
        number = f"+9198{i % 100_000_000:08d}"
        placed = ConnectRequest(from_number=number, caller_id=EXOPHONE, to_number=f"+9197{i:08d}")
        service.connect(caller, placed, dialect="none")
    placing = time.perf_counter() - started
    print(f"placed {in_flight} calls in process: {in_flight / placing:,.0f} connects/s (no HTTP)")
    steps: list[float] = []
    network_s = 0
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        clock.advance(1000)
        engine.drain()
        steps.append(time.perf_counter() - t0)
        network_s += 1
        if network_s % 30 == 0 and runs.in_flight() == 0:
            break
        if network_s > 4 * 3600:
            raise RuntimeError("calls did not end within 4 network hours")
    wall = time.perf_counter() - started
    busiest = sorted(steps)[-max(1, len(steps) // 100)]
    print(f"drove {in_flight} calls to their end (incl. settling): {network_s} network s in {wall:.1f} wall s")
    print(f"  {network_s / wall:,.1f}x faster than real time on average; {in_flight / wall:,.0f} calls/s")
    print(f"  wall time per network second: p50 {statistics.median(steps) * 1000:.1f} ms, "
          f"p99 {busiest * 1000:.1f} ms, max {max(steps) * 1000:.1f} ms "
          f"(under 1000 ms = keeps up with real time)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--in-flight", type=int, default=10_000)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    db, cluster = _fresh_database(args.backend, "engine_bench")
    try:
        print(f"backend: {args.backend}")
        if not args.skip_http:
            bare, accepted = connect_throughput(db, args.seconds)
            print(f"bare Starlette /ping:        {bare:9,.0f} req/s")
            print(f"Calls/connect.json accepted: {accepted:9,.0f} req/s  (ratio {accepted / bare:.2f})")
        drive(db, args.in_flight)
    finally:
        db.dispose()
        if cluster is not None:
            cluster.stop()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
