"""How fast ``trunkline seed`` fills a fresh SQLite store: ``python bench/seed_speed.py [CALLS]``.

Creates a temporary store and account, then times generating and loading CALLS calls (default one
million) the way the command does, and prints calls/s, the seconds taken and the database's size.
The goal is about a minute or less for a million calls on a 2-core machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from trunkline.domain.clock import now_ms
from trunkline.engine.seeding.history import generate_history
from trunkline.store.accounts import AccountStore
from trunkline.store.bulk_load import load_calls
from trunkline.store.database import Database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("calls", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="load into this store instead of a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trunkline-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        db = Database(args.database_url or f"sqlite:///{path}")
        db.migrate()
        account, _ = AccountStore(db).create(f"bench{time.time_ns()}", exophone_numbers=["+918047112233"])
        records = generate_history(account.exophones, account.sid, args.calls, args.days, args.seed, now_ms())
        started = time.perf_counter()
        loaded = load_calls(db, account.id, records)
        seconds = time.perf_counter() - started
        db.dispose()
        print(f"loaded {loaded:,} calls in {seconds:.1f} s: {loaded / seconds:,.0f} calls/s")
        if not args.database_url:
            size = sum(p.stat().st_size for p in Path(tmp).iterdir())
            print(f"SQLite files: {size / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
