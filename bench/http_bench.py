"""Call-details throughput against a bare Starlette endpoint, bulk-list latency, server memory.

    python -m bench.http_bench --database-url sqlite:///var/bench.db --account bench

The store must already hold the account's calls (bench/run_all.py builds it). Both servers run
one uvicorn worker on 127.0.0.1; wrk uses one thread and 32 connections. The machine is shared
and noisy, so the two servers are measured in alternation and compared as a ratio. The server's
CPU time per request (user + system, all its threads) is printed too: it moves less than req/s
when other work takes the cores.

Bulk-list latency is taken twice per scenario, each by one client asking again as soon as an answer
has come: httpx (what a Python integration sees; parsing a 70 kB page costs it ~2 ms) and wrk with
one connection (the server's own latency).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.common import (
    account_sids,
    bare_server,
    cpu_seconds,
    free_port,
    rss_mb,
    server,
    trunkline_server,
    wrk,
    wrk_latency,
)
from trunkline.domain.clock import now_ms
from trunkline.store.database import Database
from trunkline.store.schema.accounts import accounts
from trunkline.store.schema.calls import calls

BULK_SCENARIOS = {
    "no filter (default 31 days)": {},
    "Status=completed,Direction=inbound": {"Status": "completed", "Direction": "inbound"},
    "Duration=gte:60s,Price=gte:1": {"Duration": "gte:60s", "Price": "gte:1"},
    "From=<frequent customer>": {"From": "{customer}"},
    "DateCreated=one week,Status=no-answer,busy": {"DateCreated": "{week}", "Status": "no-answer,busy"},
    "details=true,PageSize=100": {"details": "true", "PageSize": "100"},
}


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def _timed(client: httpx.Client, url: str, params: dict[str, str] | None, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, params=params)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text
    return samples


Latency = tuple[str, float, float, float, float, int]
"""Scenario; p50 and p99 seen by the Python client; p50 and p99 seen by wrk; Total."""


def bulk_latency(
    base: str, account: str, auth: tuple[str, str], customer: str, n: int, wrk_seconds: int
) -> list[Latency]:
    from trunkline.domain.clock import ms_to_ist

    week = f"gte:{ms_to_ist(now_ms() - 8 * 86_400_000)};lte:{ms_to_ist(now_ms() - 86_400_000)}"
    headers = {"Authorization": httpx.BasicAuth(*auth)._auth_header}  # noqa: SLF001
    results = []
    with httpx.Client(base_url=base, auth=auth, timeout=60) as client:
        url = f"/v1/Accounts/{account}/Calls.json"
        targets = []
        for name, template in BULK_SCENARIOS.items():
            params = {k: v.format(customer=customer, week=week) for k, v in template.items()}
            total = client.get(url, params=params).json()["Metadata"]["Total"]
            targets.append((f"page 1: {name}", client.build_request("GET", url, params=params).url, total))
        # Page 1,000 of the unfiltered list: walk there by NextPageUri, then time that page.
        next_uri = client.get(url, params={"PageSize": "50"}).json()["Metadata"]["NextPageUri"]
        for _ in range(998):
            if not next_uri:
                raise SystemExit("the store holds fewer than 1,000 pages of 50 calls in 31 days")
            next_uri = client.get(next_uri).json()["Metadata"]["NextPageUri"]
        targets.append(("page 1000: no filter, PageSize=50", httpx.URL(base + next_uri), 0))
        for name, target, total in targets:
            samples = _timed(client, str(target), None, n)
            p50, p99 = wrk_latency(str(target), seconds=wrk_seconds, headers=headers)
            results.append((name, _percentile(samples, 50), _percentile(samples, 99), p50, p99, total))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--account", default="bench")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--wrk-latency-seconds", type=int, default=4, help="per scenario, one connection")
    parser.add_argument("--skip-bulk", action="store_true", help="only the throughput comparison")
    args = parser.parse_args()

    credential, sids = account_sids(args.database_url, args.account, 20_000)
    db = Database(args.database_url)
    with db.read() as conn:
        customer = conn.execute(
            select(calls.c.from_number)
            .join(accounts, accounts.c.id == calls.c.account_id)
            .where(accounts.c.sid == args.account, calls.c.direction == "inbound")
            .limit(1)
        ).scalar_one()
    db.dispose()
    sid_file = Path(tempfile.mkstemp(suffix=".txt")[1])
    sid_file.write_text("\n".join(sids) + "\n")
    auth = (credential.api_key, credential.api_token)
    os.environ["SIDS_FILE"] = str(sid_file)
    os.environ["DETAILS_PREFIX"] = f"/v1/Accounts/{args.account}/Calls/"
    basic = httpx.BasicAuth(*auth)._auth_header  # noqa: SLF001 (one header string for wrk)

    bare_rates, details_rates, rss = [], [], 0.0
    bare_cpu, details_cpu = [], []
    latency: list[Latency] = []
    for _ in range(args.rounds):
        port = free_port()
        with server(bare_server(port), port, ready_path="/ping") as process:
            before = cpu_seconds(process.pid)
            bare_rates.append(wrk(f"http://127.0.0.1:{port}/ping", seconds=args.seconds))
            bare_cpu.append((cpu_seconds(process.pid) - before) / (bare_rates[-1] * args.seconds) * 1e6)
        port = free_port()
        command, env = trunkline_server(port, args.database_url)
        with server(command, port, env, ready_path="/docs") as process:
            httpx.get(f"http://127.0.0.1:{port}/v1/Accounts/{args.account}/Calls/{sids[0]}.json", auth=auth)
            before = cpu_seconds(process.pid)
            details_rates.append(
                wrk(
                    f"http://127.0.0.1:{port}",
                    seconds=args.seconds,
                    script=Path(__file__).with_name("details.lua"),
                    headers={"Authorization": basic},
                )
            )
            details_cpu.append((cpu_seconds(process.pid) - before) / (details_rates[-1] * args.seconds) * 1e6)
            if not args.skip_bulk:
                latency = bulk_latency(
                    f"http://127.0.0.1:{port}",
                    args.account,
                    auth,
                    customer,
                    args.latency_samples,
                    args.wrk_latency_seconds,
                )
            rss = max(rss, rss_mb(process.pid))
    bare, details = statistics.median(bare_rates), statistics.median(details_rates)
    print(f"store: {args.database_url}  calls sampled: {len(sids)}")
    runs = {
        name: ", ".join(f"{r:.0f}" for r in rates)
        for name, rates in (("bare", bare_rates), ("details", details_rates))
    }
    print(f"bare Starlette /ping:           {bare:9.0f} req/s  (runs: {runs['bare']})")
    print(f"call details (.json, auth, DB): {details:9.0f} req/s  (runs: {runs['details']})")
    print(f"ratio details / bare:           {details / bare:9.2f}")
    cpu = {
        name: ", ".join(f"{c:.0f}" for c in values)
        for name, values in (("bare", bare_cpu), ("details", details_cpu))
    }
    print(f"server CPU µs per request:      bare {cpu['bare']}; details {cpu['details']}")
    print("bulk list latency, ms, one keep-alive connection asking again at each answer:")
    print(f"  {'':48s} {'httpx (Python)':>20s}  {'wrk (C)':>20s}")
    for name, p50, p99, wrk_p50, wrk_p99, total in latency:
        print(
            f"  {name:48s} p50 {p50:5.1f}  p99 {p99:5.1f}    p50 {wrk_p50:5.1f}  p99 {wrk_p99:5.1f}"
            + (f"  Total={total}" if total else "")
        )
    print(f"server RSS after the runs: {rss:.0f} MiB")
    sid_file.unlink()


if __name__ == "__main__":
    main()
