"""In-process cost of one call-details request: no network, an asyncio loop driving the ASGI apps.

    python -m bench.details_inprocess --database-url sqlite:///var/bench.db --account bench
    python -m bench.details_inprocess --database-url sqlite:///var/bench.db --profile  # cProfile, top 25

wrk's figures include uvicorn and the kernel; this isolates what Trunkline itself adds per request,
against the bare Starlette endpoint of ``bench/bare_starlette.py`` measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import time
from typing import Any

import httpx

from bench.bare_starlette import app as bare_app
from bench.common import account_sids
from trunkline.api.app import create_app
from trunkline.config import Settings


def _scope(path: str, authorization: str, query: bytes = b"") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"127.0.0.1"), (b"authorization", authorization.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _drive(app: Any, scopes: list[dict[str, Any]]) -> list[int]:
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for scope in scopes:
        await app(dict(scope), receive, send)
    return statuses


def _per_request_us(app: Any, scopes: list[dict[str, Any]], rounds: int) -> float:
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_drive(app, scopes[:200]))  # warm caches (auth, pages)
        timings = []
        for _ in range(rounds):
            start = time.perf_counter()
            statuses = loop.run_until_complete(_drive(app, scopes))
            timings.append((time.perf_counter() - start) / len(scopes) * 1e6)
            assert set(statuses) == {200}, set(statuses)
        return statistics.median(timings)
    finally:
        loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--account", default="bench")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--xml", action="store_true", help="the XML variant (no .json suffix)")
    parser.add_argument("--query", default="", help="query string, e.g. details=true")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one round")
    args = parser.parse_args()

    credential, sids = account_sids(args.database_url, args.account, args.requests)
    basic = httpx.BasicAuth(credential.api_key, credential.api_token)._auth_header  # noqa: SLF001
    suffix = "" if args.xml else ".json"
    scopes = [
        _scope(f"/v1/Accounts/{args.account}/Calls/{sid}{suffix}", basic, args.query.encode()) for sid in sids
    ]
    app = create_app(Settings(database_url=args.database_url, rate_limit_per_minute=0, demo_account=False))
    bare_scopes = [_scope("/ping", basic)] * len(scopes)

    if args.profile:
        loop = asyncio.new_event_loop()
        loop.run_until_complete(_drive(app, scopes[:200]))
        profiler = cProfile.Profile()
        profiler.enable()
        loop.run_until_complete(_drive(app, scopes))
        profiler.disable()
        loop.close()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    bare = _per_request_us(bare_app, bare_scopes, args.rounds)
    ours = _per_request_us(app, scopes, args.rounds)
    print(f"requests per round: {len(scopes)}  rounds: {args.rounds}  (median µs per request)")
    print(f"bare Starlette /ping: {bare:7.1f} µs")
    print(f"call details:         {ours:7.1f} µs  ({bare / ours:.2f}× bare)")


if __name__ == "__main__":
    main()
