"""What counting a request costs: ``RequestMetrics.serve`` around an app that does nothing.

    python -m bench.metrics_overhead --requests 200000

The HTTP comparison (bench/http_bench.py, before and after) is the figure that matters, but on a
shared 2-core machine its noise is larger than this cost; this measures the cost alone, in CPU
time, as the median of several rounds: the app called bare, then through ``RequestMetrics.serve``
(route lookup, a histogram observation, a counter increment), and with the access log on but
its logger disabled (the default level when the setting is on is info; this is the check alone).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from typing import Any

from prometheus_client import CollectorRegistry

from trunkline.api.metrics import RequestMetrics
from trunkline.api.request_id import STATUS_KEY


async def _endpoint() -> None:
    """Stands for a route's endpoint (its identity is what the metrics key on)."""


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    scope["endpoint"] = _endpoint
    scope[STATUS_KEY] = 200


async def _round(n: int, metrics: RequestMetrics | None) -> float:
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": "/v1/x", "app": None}
    started = time.process_time()
    if metrics is None:
        for _ in range(n):
            await _app(scope, None, None)
    else:
        for _ in range(n):
            await metrics.serve("exotel_v1", _app, scope, None, None)  # type: ignore[arg-type]
    return (time.process_time() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    logging.getLogger("trunkline.access").setLevel(logging.WARNING)
    counted = RequestMetrics(CollectorRegistry(), log_requests=False)
    logged = RequestMetrics(CollectorRegistry(), log_requests=True)
    figures: dict[str, list[float]] = {"bare": [], "counted": [], "counted, access log off by level": []}
    for _ in range(args.rounds):
        figures["bare"].append(asyncio.run(_round(args.requests, None)))
        figures["counted"].append(asyncio.run(_round(args.requests, counted)))
        figures["counted, access log off by level"].append(asyncio.run(_round(args.requests, logged)))
    bare = statistics.median(figures["bare"])
    print(f"requests per round: {args.requests}, rounds: {args.rounds} (CPU µs per request, median)")
    for name, values in figures.items():
        median = statistics.median(values)
        extra = "" if name == "bare" else f"   (+{median - bare:.2f} µs)"
        print(f"  {name:36s} {median:6.2f} µs{extra}")


if __name__ == "__main__":
    main()
