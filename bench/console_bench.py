"""Server time of the console's Calls page on a large store (target: p50 <= 20 ms at 1M calls).

    PYTHONPATH=src python3 -m bench.console_bench --source /work/benchdata/bench-new.db --account bench

The source store is copied to a temporary directory first (never modified). A server runs in this
process on a free loopback port, with the whole app wrapped in a timer: "server" is the time from
the request reaching the app to the last byte of its answer, "round trip" adds uvicorn, the kernel
and the client. The admin signs in through the form, then each page shape is asked ``--repeat``
times: the first page, a status filter, a number filter, a duration/price range, a date window,
and the second page (keyset cursor).
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from trunkline.api.app import create_app
from trunkline.config import Settings

TOKEN = "console-bench-admin-token"


class Timed:
    """Records how long the wrapped app takes per request path prefix."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/console/calls"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        await self.app(scope, receive, send)
        self.times.append(time.perf_counter() - started)


def _copy(source: Path, into: Path) -> Path:
    target = into / source.name
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


def _serve(app: Any) -> tuple[uvicorn.Server, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("server did not start")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("/work/benchdata/bench-new.db"))
    parser.add_argument("--account", default="bench")
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="console-bench-") as temp:
        print(f"copying {args.source} ...", flush=True)
        store = _copy(args.source, Path(temp))
        settings = Settings(
            database_url=f"sqlite:///{store}",
            admin_token=TOKEN,
            demo_account=False,
            recordings_dir=str(Path(temp) / "rec"),
            clock="virtual",
        )
        app = Timed(create_app(settings))
        server, base = _serve(app)
        try:
            _run(base, app, args.account, args.repeat)
        finally:
            server.should_exit = True


def _run(base: str, app: Timed, account: str, repeat: int) -> None:
    with httpx.Client(base_url=base, timeout=60) as http:
        form = http.get("/console/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        http.post("/console/login", data={"csrf": csrf.group(1), "mode": "admin", "token": TOKEN})
        first = http.get("/console/calls", params={"account": account})
        assert first.status_code == 200, first.text[:500]
        total = re.search(r'id="total">(\d+)', first.text)
        sample = re.search(r'data-label="From">([^<]+)<', first.text)
        older = re.search(r'href="([^"]+)" rel="next"', first.text)
        print(f"account {account}: {total.group(1) if total else '?'} calls listed", flush=True)
        shapes: dict[str, dict[str, str] | str] = {
            "first page": {"account": account},
            "status=completed": {"account": account, "status": "completed"},
            "from number": {"account": account, "from": sample.group(1) if sample else "+919800000000"},
            "duration 10-60 s, price >= 0.5": {
                "account": account,
                "duration_min": "10",
                "duration_max": "60",
                "price_min": "0.5",
            },
            "one day": {"account": account, "date_from": "2026-01-15", "date_to": "2026-01-15"},
            "second page": older.group(1).replace("&amp;", "&") if older else {"account": account},
        }
        every: list[float] = []
        for name, params in shapes.items():
            app.times.clear()
            for _ in range(repeat):
                answer = (
                    http.get(params) if isinstance(params, str) else http.get("/console/calls", params=params)
                )
                assert answer.status_code == 200, answer.text[:300]
            every.extend(app.times)
            print(f"{name:34s} server {_percentiles(app.times)}", flush=True)
        print(f"{'all shapes':34s} server {_percentiles(every)}", flush=True)


if __name__ == "__main__":
    main()
