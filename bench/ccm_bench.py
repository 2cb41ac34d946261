"""CCM v2 call details throughput against v1 call details, in the same server and the same run.

    PYTHONPATH=src python -m bench.ccm_bench                      # builds var/ccm_bench.db (SQLite)
    PYTHONPATH=src python -m bench.ccm_bench --backend postgres   # a throwaway PostgreSQL cluster
    PYTHONPATH=src python -m bench.ccm_bench --database-url sqlite:///var/bench.db --account bench

A store is seeded with ``--calls`` calls and a few agents whose numbers place calls, so the agent
lookup runs both ways (found by From, not found). One server; wrk (one thread, 32 connections)
alternates v1 ``Calls/<sid>.json`` and CCM ``calls/<sid>`` for ``--rounds`` rounds; the machine
is shared and noisy, so the figure that matters is the ratio of the two medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.common import (
    ROOT,
    account_sids,
    bench_store,
    cpu_seconds,
    free_port,
    server,
    trunkline_server,
    wrk,
)
from trunkline.store.accounts import AccountStore
from trunkline.store.database import Database
from trunkline.store.schema.calls import calls


def _cli(*args: str, url: str) -> None:
    env = {**os.environ, "TRUNKLINE_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "trunkline.cli.main", *args], env=env, cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip


def build_store(url: str, account: str, n_calls: int) -> None:
    _cli("accounts", "create", "--sid", account, "--exophone", "+918047112233", url=url)
    _cli("seed", "--account", account, "--calls", str(n_calls), "--days", "30", "--seed", "7", url=url)
    db = Database(url)
    found = AccountStore(db).get(account)
    assert found is not None
    with db.engine.connect() as conn:
        numbers = conn.execute(
            select(calls.c.from_number)
            .where(calls.c.account_id == found.id, calls.c.direction == "outbound-api")
            .distinct()
            .limit(20)
        ).scalars()
        agent_numbers = list(numbers)
    db.dispose()
    for index, number in enumerate(agent_numbers):
        _cli("agents", "add", account, "--name", f"Agent {index}", "--contact-uri", number, url=url)


def measure(url: str, account: str, seconds: int, rounds: int) -> None:
    credential, sids = account_sids(url, account, 20_000)
    sid_file = Path(tempfile.mkstemp(suffix=".txt")[1])
    sid_file.write_text("\n".join(sids) + "\n")
    auth = (credential.api_key, credential.api_token)
    basic = httpx.BasicAuth(*auth)._auth_header  # noqa: SLF001 (one header string for wrk)
    here = Path(__file__).parent
    dialects = {
        "v1": (f"/v1/Accounts/{account}/Calls/", here / "details.lua", ".json"),
        "ccm": (f"/v2/accounts/{account}/calls/", here / "ccm_details.lua", ""),
    }
    rates: dict[str, list[float]] = {name: [] for name in dialects}
    cpu: dict[str, list[float]] = {name: [] for name in dialects}
    port = free_port()
    command, env = trunkline_server(port, url)
    with server(command, port, env, ready_path="/docs") as process:
        for prefix, _, suffix in dialects.values():  # warm the auth cache and the lookups
            assert (
                httpx.get(f"http://127.0.0.1:{port}{prefix}{sids[0]}{suffix}", auth=auth).status_code == 200
            )
        for _ in range(rounds):
            for name, (prefix, script, _) in dialects.items():
                os.environ["SIDS_FILE"], os.environ["DETAILS_PREFIX"] = str(sid_file), prefix
                before = cpu_seconds(process.pid)
                rate = wrk(f"http://127.0.0.1:{port}", seconds=seconds, script=script,
                           headers={"Authorization": basic})  # fmt: skip
                rates[name].append(rate)
                cpu[name].append((cpu_seconds(process.pid) - before) / (rate * seconds) * 1e6)
    sid_file.unlink()
    v1, ccm = statistics.median(rates["v1"]), statistics.median(rates["ccm"])
    print(f"store: {url}  calls sampled: {len(sids)}")
    for name, label in (("v1", "v1 details (.json, fast path)"), ("ccm", "CCM v2 details")):
        runs = ", ".join(f"{r:.0f}" for r in rates[name])
        cpus = ", ".join(f"{c:.0f}" for c in cpu[name])
        print(f"{label:32s} {statistics.median(rates[name]):8.0f} req/s  (runs: {runs}; CPU µs/req: {cpus})")
    print(f"ratio CCM / v1:                  {ccm / v1:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="an already seeded store (skips building one)")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--account", default="ccmbench")
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.database_url:
        measure(args.database_url, args.account, args.seconds, args.rounds)
        return
    with bench_store(args.backend, ROOT / "var" / "ccm_bench.db") as url:
        build_store(url, args.account, args.calls)
        measure(url, args.account, args.seconds, args.rounds)


if __name__ == "__main__":
    main()
