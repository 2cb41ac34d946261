"""A bounded soak of several server processes on one PostgreSQL, under faults.

    python -m bench.scale_soak                      # 5 minutes, 3 processes
    python -m bench.scale_soak --seconds 90 --processes 2

Steady connects with JSON status callbacks to a local receiver go round-robin to the live server
processes (real clock, sped up); one process is SIGKILLed every ``--kill-every`` seconds and
started again; PostgreSQL is stopped for ``--db-down`` seconds once, in the middle (0: never). Afterwards the
calls are given time to finish, and it prints:

- accepted connects;
- calls that reached a final status (target: all);
- terminal callbacks delivered at least once (target: all), and duplicates (at least once: a
  callback in flight when its process died is sent again);
- calls advanced twice (a transition stored twice; target: 0);
- answers other than 2xx/4xx: 503s (allowed while the database is down), other 5xx, and
  connection errors, those of a process that was being killed counted apart.

Everything runs on 127.0.0.1 and a throwaway cluster; nothing is left behind.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.common import ROOT
from trunkline.domain.calls.model import FINAL_STATUSES
from trunkline.services.commands import CommandServices
from trunkline.store.database import Database
from trunkline.store.schema.call_runs import call_events
from trunkline.store.schema.calls import calls
from trunkline.store.schema.webhooks import webhook_attempts, webhook_deliveries

sys.path.insert(0, str(ROOT))
from tests.support.pg_cluster import PostgresCluster, find_bindir  # noqa: E402
from tests.support.serve_process import ServeProcess, cli_env, free_port, start_serve  # noqa: E402

ANSWER, BUSY = "+919999900001", "+919999900002"


class Callbacks:
    """A local receiver of JSON status callbacks: (CallSid, Status) -> times received."""

    def __init__(self) -> None:
        self.terminal: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    document = json.loads(body)
                    with receiver._lock:
                        receiver.terminal[document["CallSid"]] += 1
                except (ValueError, KeyError):
                    pass
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/status"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Tally:
    accepted: list[str] = field(default_factory=list)
    client_errors: int = 0
    unavailable: int = 0
    other_5xx: int = 0
    connection_errors: int = 0
    killed_process_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Fleet:
    """The server processes, each on its own port; one at a time may be down (being restarted)."""

    def __init__(self, root: Path, count: int, env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.ports = [free_port() for _ in range(count)]
        self.processes: list[ServeProcess | None] = [None] * count
        self.generation = [0] * count
        """Bumped on each kill, so a request sent before it is known to have met a killed process."""
        self._lock = threading.Lock()
        self._closed = False

    def add(self, count: int) -> None:
        for _ in range(count):
            with self._lock:
                self.ports.append(free_port())
                self.processes.append(None)
                self.generation.append(0)
            self.start(len(self.ports) - 1)

    def start(self, n: int) -> None:
        """Start process ``n`` again on its port; on a loaded host a start can take a minute, so a
        failed one is tried again (bounded)."""
        for attempt in range(3):
            workdir = self.root / f"p{n}-{self.generation[n]}-{attempt}"
            workdir.mkdir(parents=True)
            try:
                process = start_serve(workdir, env=cli_env(workdir, **self.env), port=self.ports[n])
            except RuntimeError as exc:
                print(f"process {n} did not start (attempt {attempt + 1}): {str(exc)[:200]}", flush=True)
                continue
            with self._lock:
                if not self._closed:
                    self.processes[n] = process
                    return
            process.stop()  # the soak ended while it started
            return

    def restart_soon(self, n: int) -> threading.Thread:
        """Start process ``n`` again in the background: the load and the next kill go on meanwhile."""
        thread = threading.Thread(target=self.start, args=(n,), daemon=True)
        thread.start()
        return thread

    def kill(self, n: int) -> None:
        with self._lock:
            process, self.processes[n] = self.processes[n], None
            self.generation[n] += 1
        if process is not None:
            process.process.send_signal(signal.SIGKILL)
            process.process.wait(timeout=10)

    def pick(self, counter: int) -> tuple[int, int, str] | None:
        with self._lock:
            live = [(n, p) for n, p in enumerate(self.processes) if p is not None]
            if not live:
                return None
            n, process = live[counter % len(live)]
            return n, self.generation[n], process.base_url

    def running(self, n: int) -> bool:
        """Whether process ``n`` is up (not still starting again after its last kill)."""
        with self._lock:
            return self.processes[n] is not None

    def was_killed(self, n: int, generation: int) -> bool:
        with self._lock:
            return self.generation[n] != generation

    def stop(self) -> None:
        with self._lock:
            self._closed = True
            running, self.processes = list(self.processes), [None] * len(self.processes)
        for process in running:
            if process is not None:
                process.stop()


def run(args: argparse.Namespace) -> None:
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL binaries are needed: apt-get install postgresql")
    cluster = PostgresCluster(bindir)
    url = cluster.start()
    db = Database(url)
    db.migrate()
    account, credential = CommandServices.over(db).accounts.create(
        "soak", exophone_numbers=("+918047000001",)
    )
    auth = (credential.api_key, credential.api_token)
    callbacks = Callbacks()
    env = {
        "TRUNKLINE_DATABASE_URL": url,
        "TRUNKLINE_DEMO_ACCOUNT": "false",
        "TRUNKLINE_ADMIN_TOKEN": "soak-admin",
        "TRUNKLINE_RATE_LIMIT_PER_MINUTE": "0",
        "TRUNKLINE_WEBHOOK_ALLOW_PRIVATE": "true",
        "TRUNKLINE_TIME_SCALE": str(args.time_scale),
        "TRUNKLINE_SETTLE_DELAY_SECONDS": "0",
        "TRUNKLINE_LOG_LEVEL": "warning",
    }
    tally = Tally()
    root = Path(tempfile.mkdtemp(prefix="trunkline-soak-"))
    fleet = Fleet(root, 0, env)
    try:
        fleet.add(args.processes)
        _soak(args, cluster, db, fleet, callbacks, tally, auth)
    finally:
        fleet.stop()
        callbacks.close()
        db.dispose()
        cluster.stop()


def _soak(  # noqa: PLR0915 - one scenario, read top to bottom
    args: argparse.Namespace,
    cluster: PostgresCluster,
    db: Database,
    fleet: Fleet,
    callbacks: Callbacks,
    tally: Tally,
    auth: tuple[str, str],
) -> None:
    stop = threading.Event()
    counter = itertools.count()

    def connect(n_request: int) -> None:
        picked = fleet.pick(n_request)
        if picked is None:
            return
        n, generation, base_url = picked
        data = {
            "CallerId": "+918047000001",
            "From": ANSWER,
            "To": (ANSWER, BUSY)[n_request % 4 == 0],
            "StatusCallback": callbacks.url,
            "StatusCallbackContentType": "application/json",
        }
        try:
            response = httpx.post(
                f"{base_url}/v1/Accounts/soak/Calls/connect.json", data=data, auth=auth, timeout=15
            )
        except httpx.TransportError:
            with tally.lock:
                if fleet.was_killed(n, generation):
                    tally.killed_process_errors += 1
                else:
                    tally.connection_errors += 1
            return
        with tally.lock:
            if response.status_code == 200:
                tally.accepted.append(response.json()["Call"]["Sid"])
            elif response.status_code == 503:
                tally.unavailable += 1
            elif response.status_code >= 500:
                tally.other_5xx += 1
            else:
                tally.client_errors += 1

    def load() -> None:
        interval = 1.0 / args.rate
        with ThreadPoolExecutor(16) as pool:
            next_at = time.monotonic()
            while not stop.is_set():
                pool.submit(connect, next(counter))
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))

    started = time.monotonic()
    loader = threading.Thread(target=load)
    loader.start()
    db_restarted = False
    kills = 0
    restarts: list[threading.Thread] = []
    try:
        next_kill = started + args.kill_every
        while time.monotonic() - started < args.seconds:
            now = time.monotonic()
            if not db_restarted and args.db_down > 0 and now - started >= args.seconds / 2:
                print(f"[{now - started:5.0f} s] stopping PostgreSQL for {args.db_down} s", flush=True)
                cluster.pause()
                time.sleep(args.db_down)
                cluster.resume()
                db_restarted = True
                print(f"[{time.monotonic() - started:5.0f} s] PostgreSQL is back", flush=True)
            if now >= next_kill and fleet.running(kills % args.processes):
                victim = kills % args.processes
                print(f"[{now - started:5.0f} s] SIGKILL process {victim}", flush=True)
                fleet.kill(victim)
                kills += 1
                restarts.append(fleet.restart_soon(victim))
                next_kill += args.kill_every
            time.sleep(0.2)
    finally:
        stop.set()
        loader.join()
        for thread in restarts:
            thread.join(timeout=200)
    print(f"[{time.monotonic() - started:5.0f} s] load stopped; waiting for calls and callbacks", flush=True)
    accepted = set(tally.accepted)
    final = _final_calls(db, accepted)
    deadline = time.monotonic() + args.drain
    while time.monotonic() < deadline:
        final = _final_calls(db, accepted)
        if len(final) == len(accepted) and all(callbacks.terminal[sid] for sid in accepted):
            break
        time.sleep(1)
    time.sleep(2)  # a late second sending, if any
    twice = _advanced_twice(db, accepted)
    delivered = [sid for sid in accepted if callbacks.terminal[sid]]
    duplicated = [sid for sid in accepted if callbacks.terminal[sid] > 1]
    duplicates = len(duplicated)
    why = _why_twice(db, duplicated, callbacks)
    print()
    print(f"soak: {args.seconds} s, {args.processes} processes, {args.rate} connects/s, x{args.time_scale}")
    print(f"  SIGKILLs: {kills}; PostgreSQL restarts: {int(db_restarted)}")
    print(f"  accepted connects:                 {len(accepted)}")
    print(f"  reached a final status:            {len(final)} / {len(accepted)}")
    print(f"  terminal callback delivered:       {len(delivered)} / {len(accepted)}")
    print(f"  terminal callbacks sent twice+:    {duplicates}")
    print(f"    of which the outbox held two rows: {why['two rows']}")
    print(f"    after a failed attempt (retried):   {why['retried']}")
    print(f"    sent but not recorded (in flight):  {why['in flight']}")
    print(f"    two successful attempts recorded:   {why['attempted twice']}")
    print(f"  calls advanced twice:              {twice}")
    print(f"  4xx answers:                       {tally.client_errors}")
    print(f"  503 answers (database down):       {tally.unavailable}")
    print(f"  other 5xx answers:                 {tally.other_5xx}")
    print(f"  connection errors, live process:   {tally.connection_errors}")
    print(f"  connection errors, killed process: {tally.killed_process_errors}")


def _final_calls(db: Database, sids: set[str]) -> set[str]:
    done: set[str] = set()
    listed = sorted(sids)
    with db.read() as conn:
        for start in range(0, len(listed), 1000):
            query = select(calls.c.sid, calls.c.status).where(calls.c.sid.in_(listed[start : start + 1000]))
            done |= {sid for sid, status in conn.execute(query) if status in FINAL_STATUSES}
    return done


def _why_twice(db: Database, sids: list[str], callbacks: Callbacks) -> dict[str, int]:
    """Why each duplicated callback came twice, from the delivery log: two outbox rows for one
    call (enqueued twice: a bug), a retry after an attempt that failed or timed out (the receiver
    answered late: at least once by design), or more POSTs received than attempts recorded (sent,
    then its process died or the database went away before the outcome was stored)."""
    why = {"two rows": 0, "retried": 0, "in flight": 0, "attempted twice": 0}
    if not sids:
        return why
    with db.read() as conn:
        query = (
            select(
                calls.c.sid,
                func.count(func.distinct(webhook_deliveries.c.id)),
                func.count(webhook_attempts.c.id),
                func.count(webhook_attempts.c.error)
                + func.count().filter(webhook_attempts.c.response_status >= 300),
            )
            .join(webhook_deliveries, webhook_deliveries.c.call_id == calls.c.id)
            .outerjoin(webhook_attempts, webhook_attempts.c.delivery_id == webhook_deliveries.c.id)
            .where(calls.c.sid.in_(sids), webhook_deliveries.c.event == "terminal")
            .group_by(calls.c.sid)
        )
        for sid, rows, attempts, failed in conn.execute(query):
            if rows > 1:
                why["two rows"] += 1
            elif failed:
                why["retried"] += 1
            elif callbacks.terminal[sid] > attempts:
                why["in flight"] += 1
            else:
                why["attempted twice"] += 1  # two recorded, successful attempts: a lease overrun
    return why


def _advanced_twice(db: Database, sids: set[str]) -> int:
    """Calls with a transition stored twice (same moment, name and detail)."""
    with db.read() as conn:
        query = (
            select(call_events.c.call_id)
            .join(calls, calls.c.id == call_events.c.call_id)
            .group_by(call_events.c.call_id, call_events.c.at, call_events.c.name, call_events.c.detail)
            .having(func.count() > 1)
        )
        return len(set(conn.execute(query).scalars()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300, help="how long the load runs (default 5 min)")
    parser.add_argument("--processes", type=int, default=3, choices=(2, 3))
    parser.add_argument("--rate", type=float, default=10.0, help="connects per second")
    parser.add_argument("--kill-every", type=float, default=20.0)
    parser.add_argument("--db-down", type=float, default=5.0, help="seconds PostgreSQL stays stopped")
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--drain", type=float, default=120.0, help="at most this long for calls to finish")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT / "src"))
    run(args)


if __name__ == "__main__":
    main()
