"""Reads at scale with 1, 2 and 4 server processes over one PostgreSQL store.

    python -m bench.scale_reads --account bench10m-123456 [--database-url URL] [--processes 1,2,4]
        [--seconds 10] [--replica-urls URL,...]

The store must hold the account's calls (``bench/load_10m.py`` loads them into the benchmark
cluster, whose URL is the default). For each count N it starts N separate ``trunkline serve``
processes on free loopback ports, over the same store, and measures:

* call-details throughput: one wrk per process at once (one thread each, 32 connections shared
  out), each cycling through 20,000 of the account's Sids; the sum is the system's req/s;
* bulk-list latency for the usual filters and for page 1,000 (walked to by NextPageUri): one wrk
  connection per process at once, each asking again at every answer; the worst process's p50/p99;
* each process's RSS after the runs.

On a 2-core machine the wrk clients, the servers and PostgreSQL share the cores: read the curve
with that in mind (the lead reruns it on a quiet machine). ``--replica-urls`` passes
TRUNKLINE_READ_REPLICA_URLS to the servers.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx

from bench import pg_bench_cluster
from bench.common import account_sids, free_port, rss_mb, server, trunkline_server, wrk, wrk_latency
from bench.http_bench import BULK_SCENARIOS
from trunkline.domain.clock import ms_to_ist, now_ms


def _targets(base: str, account: str, auth: httpx.BasicAuth) -> list[tuple[str, str]]:
    """(name, path and query) of each bulk list measured, page 1,000 last."""
    week = f"gte:{ms_to_ist(now_ms() - 8 * 86_400_000)};lte:{ms_to_ist(now_ms() - 86_400_000)}"
    url = f"/v1/Accounts/{account}/Calls.json"
    targets = []
    with httpx.Client(base_url=base, auth=auth, timeout=120) as client:
        inbound = client.get(url, params={"Direction": "inbound", "PageSize": "1"}).json()["Calls"]
        customer = inbound[0]["From"] if inbound else "+919876543210"
        for name, template in BULK_SCENARIOS.items():
            params = {k: v.format(customer=customer, week=week) for k, v in template.items()}
            request = client.build_request("GET", url, params=params)
            targets.append((f"page 1: {name}", str(request.url.raw_path.decode())))
        next_uri = client.get(url, params={"PageSize": "50"}).json()["Metadata"]["NextPageUri"]
        for _ in range(998):
            if not next_uri:
                raise SystemExit("the store holds fewer than 1,000 pages of 50 calls in 31 days")
            next_uri = client.get(next_uri).json()["Metadata"]["NextPageUri"]
        targets.append(("page 1000: no filter, PageSize=50", next_uri))
    return targets


def run(args: argparse.Namespace, processes: int, sid_file: Path, auth: httpx.BasicAuth) -> None:
    header = {"Authorization": auth._auth_header}  # noqa: SLF001 (one header string for wrk)
    ports = [free_port() for _ in range(processes)]
    with ExitStack() as stack:
        pids = []
        for port in ports:
            command, env = trunkline_server(port, args.database_url)
            env["TRUNKLINE_DEMO_ACCOUNT"] = "false"
            if args.replica_urls:
                env["TRUNKLINE_READ_REPLICA_URLS"] = args.replica_urls
            pids.append(stack.enter_context(server(command, port, env, ready_path="/docs")).pid)
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        targets = _targets(bases[0], args.account, auth)
        connections = max(4, 32 // processes)
        with ThreadPoolExecutor(processes) as pool:
            rates = list(
                pool.map(
                    lambda base: wrk(
                        base,
                        seconds=args.seconds,
                        connections=connections,
                        script=Path(__file__).with_name("details.lua"),
                        headers=header,
                    ),
                    bases,
                )
            )
            print(
                f"{processes} process(es): call details {sum(rates):,.0f} req/s "
                f"(per process: {', '.join(f'{r:,.0f}' for r in rates)}; {connections} connections each)"
            )
            for name, path in targets:
                found = list(
                    pool.map(
                        lambda base, p=path: wrk_latency(
                            base + p, seconds=args.latency_seconds, headers=header
                        ),
                        bases,
                    )
                )
                p50, p99 = max(f[0] for f in found), max(f[1] for f in found)
                print(f"  {name:48s} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
        print(f"  RSS per process: {', '.join(f'{rss_mb(pid):.0f} MiB' for pid in pids)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--account", required=True, help="the account bench/load_10m.py printed")
    parser.add_argument("--database-url", default=pg_bench_cluster.url())
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--seconds", type=int, default=10, help="of each throughput run")
    parser.add_argument("--latency-seconds", type=int, default=3, help="of each list's latency run")
    parser.add_argument("--replica-urls", default="")
    args = parser.parse_args()
    credential, sids = account_sids(args.database_url, args.account, 20_000)
    auth = httpx.BasicAuth(credential.api_key, credential.api_token)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(sids) + "\n")
    sid_file = Path(handle.name)
    os.environ["SIDS_FILE"] = str(sid_file)
    os.environ["DETAILS_PREFIX"] = f"/v1/Accounts/{args.account}/Calls/"
    print(f"store: {args.database_url}  account: {args.account}  Sids cycled: {len(sids):,}")
    try:
        for processes in (int(n) for n in args.processes.split(",")):
            run(args, processes, sid_file, auth)
    finally:
        sid_file.unlink()


if __name__ == "__main__":
    main()
