"""Fone Dynamics Get Calls latency over HTTP: filtered lists (Unique=Repeat and typical filters),
page 1 and a deep Results_Skip, p50 and p99.

    trunkline accounts create --sid fone --api-token benchtoken123 --exophone 08047112233 ... \\
        --database-url sqlite:///var/fone.db
    trunkline seed --account fone --calls 1000000 --days 30 --tracking --database-url sqlite:///var/fone.db
    python -m bench.fone_bench --database-url sqlite:///var/fone.db --account fone --token benchtoken123

One uvicorn worker on 127.0.0.1, one client asking one page at a time (Results_Count=200).
"""

from __future__ import annotations

import argparse

import httpx

from bench.common import free_port, server, trunkline_server
from bench.http_bench import _percentile, _timed

DAY_S = 86_400


def scenarios(first: int, last: int) -> dict[str, dict[str, str]]:
    week_from = str(last - 8 * DAY_S + 12_345)  # not on a day boundary: the partial days are counted exactly
    week_to = str(last - DAY_S + 4_321)
    return {
        "Unique=Repeat": {"Unique": "Repeat"},
        "Unique=Unique": {"Unique": "Unique"},
        "Unique=Repeat,Disposition=Answered": {"Unique": "Repeat", "Disposition": "Answered"},
        "Unique=Repeat,one week": {"Unique": "Repeat", "Date_From": week_from, "Date_To": week_to},
        "Disposition=Busy,NoAnswer,Attribution_Source=google": {
            "Disposition": "Busy,NoAnswer",
            "Attribution_Source": "google",
        },
        "To=<one number>,Unique=Repeat": {"To": "+918047112233", "Unique": "Repeat"},
        "Prompts_keys=1,one week": {"Prompts_keys": "1", "Date_From": week_from},
        "Prompts_keys=1,2;3,Unique=Repeat": {"Prompts_keys": "1,2;3", "Unique": "Repeat"},
        "Prompts_keys=1,To=<one number>,one week (no rollup)": {
            "Prompts_keys": "1",
            "To": "+918047112233",
            "Date_From": week_from,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--account", default="fone")
    parser.add_argument("--token", default="benchtoken123")
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()
    port = free_port()
    command, env = trunkline_server(port, args.database_url)
    base = f"http://127.0.0.1:{port}"
    with (
        server(command, port, env, ready_path="/openapi.json"),
        httpx.Client(base_url=base, auth=(args.account, args.token), timeout=60) as client,
    ):
        url = f"/v2/Accounts/{args.account}/Calls"
        # Untimed: a fresh server's first requests verify the token (scrypt), open the worker threads'
        # connections and fill their page caches (80-140 ms each); the figures are of the steady state.
        for _ in range(10):
            client.get(url, params={"Unique": "Repeat"})
        everything = client.get(url, params={"Results_Count": "1"}).json()
        total = everything["TotalCount"]
        first = int(everything["Calls"][0]["Date_Start"])
        last_page = client.get(url, params={"Results_Count": "1", "Results_Skip": str(total - 1)}).json()
        last = int(last_page["Calls"][0]["Date_Start"])
        print(f"{total:,} tracked calls listed; {args.n} requests per row")
        print(f"{'scenario':58} {'page':>8} {'p50 ms':>8} {'p99 ms':>8} {'TotalCount':>11}")
        for name, params in scenarios(first, last).items():
            matching = client.get(url, params={**params, "Results_Count": "1"}).json()["TotalCount"]
            pages = {"1": "0", "deep": str(max(0, matching - 300))}
            for page, skip in pages.items():
                query = {**params, "Results_Count": "200", "Results_Skip": skip}
                client.get(url, params=query)  # untimed: the first of a shape compiles its statements
                samples = _timed(client, url, query, args.n)
                p50, p99 = _percentile(samples, 50), _percentile(samples, 99)
                print(f"{name:58} {page:>8} {p50:8.2f} {p99:8.2f} {matching:11,}")


if __name__ == "__main__":
    main()
