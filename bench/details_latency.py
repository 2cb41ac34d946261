"""Latency of call details for one client asking one call at a time (no concurrency).

    python -m bench.details_latency --database-url sqlite:///var/bench.db --account bench

The throughput benchmark (http_bench) keeps 32 requests in flight; this one shows what a lone
request costs end to end, which batching reads (store/call_lookup.py) cannot help and may add to.
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

from bench.common import account_sids, free_port, server, trunkline_server


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--account", default="bench")
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()

    credential, sids = account_sids(args.database_url, args.account, args.requests)
    port = free_port()
    command, env = trunkline_server(port, args.database_url)
    samples = []
    with server(command, port, env, ready_path="/docs"):
        auth = (credential.api_key, credential.api_token)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=auth) as client:
            prefix = f"/v1/Accounts/{args.account}/Calls/"
            for sid in sids[:300]:  # warm up: auth cache, connections, pages
                client.get(f"{prefix}{sid}.json")
            for sid in sids:
                start = time.perf_counter()
                response = client.get(f"{prefix}{sid}.json")
                samples.append((time.perf_counter() - start) * 1e6)
                assert response.status_code == 200, response.text
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99)]
    print(f"call details, one request at a time: p50 {statistics.median(samples):.0f} µs, p99 {p99:.0f} µs")


if __name__ == "__main__":
    main()
