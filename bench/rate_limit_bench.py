"""What the per-account rate limit costs a request: in memory (one process, SQLite) and shared
through PostgreSQL (several processes), measured in process on the limiter itself.

    python -m bench.rate_limit_bench                 # a throwaway PostgreSQL cluster
    python -m bench.rate_limit_bench --database-url postgresql://...

Prints microseconds per request for: the in-memory bucket; the shared bucket with tokens to spare
(a reservation of 20 every 20 requests); the shared bucket at Exotel's 200 a minute, drained and
then refusing (refusals are answered locally until a token refills); and one reservation's round
trip alone.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time
from pathlib import Path

from bench.common import bench_store
from trunkline.api.rate_limit import RateLimiter
from trunkline.domain.errors import RateLimited
from trunkline.services.rate_limits import SharedRateLimit
from trunkline.services.store_runner import StoreRunner
from trunkline.store.database import Database
from trunkline.store.processes import RateBucketStore


async def _spend(limiter: RateLimiter, account: str, count: int) -> tuple[float, int]:
    refused = 0
    started = time.perf_counter()
    for _ in range(count):
        try:
            await limiter.spend(account)
        except RateLimited:
            refused += 1
    return (time.perf_counter() - started) / count * 1e6, refused


def run(database_url: str, count: int) -> None:
    db = Database(database_url)
    db.migrate()
    store = RateBucketStore(db)
    runner = StoreRunner(is_sqlite=False)
    try:
        memory = RateLimiter(10**9)
        us, _ = asyncio.run(_spend(memory, "bench", count))
        print(f"in-memory bucket:                   {us:8.2f} us/request")
        plenty = RateLimiter(10**9, SharedRateLimit(runner, store, 10**9))
        us, _ = asyncio.run(_spend(plenty, secrets.token_hex(4), count))
        print(f"shared bucket, tokens to spare:     {us:8.2f} us/request")
        exotel = RateLimiter(200, SharedRateLimit(runner, store, 200))
        us, refused = asyncio.run(_spend(exotel, secrets.token_hex(4), count))
        served = f"{count - refused} served, {refused} refused"
        print(f"shared bucket at 200/min, drained:  {us:8.2f} us/request ({served})")
        rounds = min(count, 2000)
        started = time.perf_counter()
        for _ in range(rounds):
            store.reserve("bench-roundtrip", 10**9, 10**9 / 60_000, share=0.1, chunk=20)
        us = (time.perf_counter() - started) / rounds * 1e6
        print(f"one reservation (round trip):       {us:8.2f} us")
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL; default: a throwaway cluster")
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args()
    if args.database_url:
        run(args.database_url, args.requests)
        return
    with bench_store("postgres", Path("unused")) as url:
        run(url, args.requests)


if __name__ == "__main__":
    main()
