"""Server time of the console's Overview on a store of a million calls:
``PYTHONPATH=src python3 bench/overview_bench.py [--store /work/benchdata/bench-new.db] [--account bench]``.

Copies the SQLite store first (never touches the original), migrates the copy (timing the migration
that fills the caller and talk-time rollups), then times ``OverviewService.read`` — bars by status,
answer rate, mean talk time and the ten busiest callers, all from the rollups — for each window, ending
at the account's latest call, and prints p50/p99 over ``--runs`` runs. For comparison it times once the
same figures counted directly in ``calls`` (what the Overview would cost without the rollups).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from trunkline.engine.clock import NetworkClock
from trunkline.services.accounts import AccountService
from trunkline.services.overview import OverviewService
from trunkline.services.store_runner import StoreRunner
from trunkline.store.accounts import AccountStore
from trunkline.store.database import Database
from trunkline.store.schema.calls import calls

WINDOWS = (("24h", "hour"), ("7d", "day"), ("30d", "day"), ("30d", "hour"), ("90d", "day"))


def _direct(db: Database, account_id: int, start: int, end: int) -> None:
    """The figures straight from ``calls``: per-day statuses, talk time, callers (one pass each)."""
    day = calls.c.date_created - calls.c.date_created % 86_400_000
    where = (calls.c.account_id == account_id, calls.c.date_created >= start, calls.c.date_created < end)
    with db.read() as conn:
        conn.execute(
            select(day, calls.c.status, func.count()).where(*where).group_by(day, calls.c.status)
        ).all()
        conn.execute(
            select(calls.c.status, func.count(calls.c.duration), func.sum(calls.c.duration))
            .where(*where)
            .group_by(calls.c.status)
        ).all()
        conn.execute(
            select(calls.c.from_number, func.count().label("n"))
            .where(*where)
            .group_by(calls.c.from_number)
            .order_by(func.count().desc())
            .limit(10)
        ).all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="/work/benchdata/bench-new.db", help="SQLite store to copy")
    parser.add_argument("--account", default="bench")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trunkline-overview-bench-") as tmp:
        copy = Path(tmp) / "store.db"
        shutil.copyfile(args.store, copy)
        db = Database(f"sqlite:///{copy}")
        started = time.perf_counter()
        db.migrate()
        print(
            "migrate the copy (fills call_caller_counts, call_talk_times): "
            f"{time.perf_counter() - started:.1f} s"
        )
        accounts = AccountService(AccountStore(db))
        service = OverviewService(StoreRunner(is_sqlite=True), db, accounts, NetworkClock(db))
        account_id = accounts.get(args.account).id
        with db.read() as conn:
            total, latest = conn.execute(
                select(func.count(), func.max(calls.c.date_created)).where(calls.c.account_id == account_id)
            ).one()
        print(f"account {args.account}: {total:,} calls; windows end with its latest call")
        for name, step in WINDOWS:
            win = service.window(name, step, int(latest))
            service.read(args.account, win)  # warm the page cache and the statement cache
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                overview = service.read(args.account, win)
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            t0 = time.perf_counter()
            _direct(db, account_id, win.start_ms, win.end_ms)
            direct_ms = (time.perf_counter() - t0) * 1000
            print(
                f"overview {name:>3s} by {step:4s} ({len(overview.bars):3d} bars, "
                f"{overview.total:7,d} calls): "
                f"p50 {statistics.median(times):6.2f} ms  p99 {p99:6.2f} ms  "
                f"(counted in calls instead: {direct_ms:7.1f} ms)",
                flush=True,
            )
        db.dispose()


if __name__ == "__main__":
    main()
