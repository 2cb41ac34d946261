"""Load ten million calls into PostgreSQL, timed: the data of the scale benchmarks.

    python -m bench.load_10m [CALLS] [--days 30] [--database-url URL]

Without ``--database-url`` it loads into the benchmark cluster of ``bench/pg_bench_cluster.py``
(created and started if need be, under ``/work/benchdata/pg10m``; its settings are printed). The
calls are one account's (``bench10m``, made anew each run as ``bench10m-<n>``), spread over the last
DAYS days as ``trunkline seed`` spreads them, loaded by ``store.bulk_load`` (COPY into the empty
table, indexes and rollups built after). Prints the account, a line per million and the total time;
the goal is ten million in at most ten minutes.
"""

from __future__ import annotations

import argparse
import time

from bench import pg_bench_cluster
from trunkline.domain.clock import now_ms
from trunkline.engine.seeding.history import generate_history
from trunkline.store.accounts import AccountStore
from trunkline.store.bulk_load import load_calls
from trunkline.store.database import Database


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("calls", type=int, nargs="?", default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="load into this PostgreSQL store instead of the bench cluster")
    args = parser.parse_args()
    url = args.database_url or pg_bench_cluster.start()
    if not args.database_url:
        print("cluster settings: " + ", ".join(f"{k}={v}" for k, v in pg_bench_cluster.SETTINGS.items()))
    db = Database(url)
    db.migrate()
    sid = f"bench10m-{time.time_ns() % 10**6}"
    account, _ = AccountStore(db).create(sid, exophone_numbers=["+918047112233"])
    records = generate_history(account.exophones, account.sid, args.calls, args.days, args.seed, now_ms())
    started = time.perf_counter()
    done = 0

    def progress(batch: int) -> None:
        nonlocal done
        before, done = done, done + batch
        if done // 1_000_000 > before // 1_000_000:
            print(f"  {done:>12,} calls  {time.perf_counter() - started:7.1f} s", flush=True)

    loaded = load_calls(db, account.id, records, on_batch=progress, batch_size=50_000)
    seconds = time.perf_counter() - started
    db.dispose()
    print(f"store: {url}  account: {sid}")
    print(
        f"loaded {loaded:,} calls in {seconds:.0f} s ({seconds / 60:.1f} min): "
        f"{loaded / seconds:,.0f} calls/s, "
        f"{seconds / loaded * 1e6:.0f} s per million"
    )


if __name__ == "__main__":
    main()
