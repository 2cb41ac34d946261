"""Reads of call records from PostgreSQL streaming replicas, with read-your-writes per account.

Call records are read far more than they are written, so the reads of call records (details, bulk
lists, Get Calls, CCM details and legs) may go to a replica while every write, and everything read
inside a write transaction, goes to the primary. ``ReplicaRouter.choose`` picks the source of one
read; it never does I/O, so the choice costs nothing on the request path.

**Read-your-writes, per account, by a window.** For ``window_s`` after a write of an account's call
records, that account's reads go to the primary. A window, not a comparison of LSNs: the LSN of a
transaction's commit record is not known inside the transaction (``pg_current_wal_insert_lsn()``
before COMMIT is short of it), so an LSN rule would need a query on the primary after every commit
and one on a replica before each read; the window needs neither, and a replica that lags more than
the window is skipped anyway (``max_lag_s`` is below it by default).

**Across processes.** The writing process marks the account itself before it commits, so its own
reads never miss; every write transaction also sends ``NOTIFY trunkline_writes '<account ids>'``,
which PostgreSQL delivers to every listening process at commit — before the writer has answered
its client — and each process listens on the primary from its background thread. While that
listener is not connected (start, primary restart), and for one window after it reconnects, every
read goes to the primary: the notifications of that gap are lost.

**Health, off the request path.** Every ``interval_s`` the background thread samples the primary's
``pg_current_wal_lsn()`` and each replica's ``pg_last_wal_replay_lsn()``. A replica's lag is how long
ago the primary first stood past the position the replica has replayed (0 when it has replayed the
last sample); one that is unreachable, not in recovery (promoted) or lagging more than ``max_lag_s``
is skipped until a later check finds it well. A read that cannot connect to a replica marks it down
and is answered by the primary.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

log = logging.getLogger("trunkline.store.replicas")

CHANNEL = "trunkline_writes"
"""The NOTIFY channel of writes of call records; the payload is account ids, or ``*`` for all."""
_MAX_IDS = 500
"""More accounts in one transaction than this are sent as ``*`` (a payload holds 8,000 bytes)."""
_CONNECT_TIMEOUT_S = 2
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', :accounts)")


def conninfo_of(url: str) -> str:
    """A libpq connection string from a SQLAlchemy URL (``postgresql+psycopg://``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def lsn_value(lsn: str | None) -> int | None:
    """``'16/B374D848'`` as a number, for comparisons."""
    if lsn is None:
        return None
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


@dataclass(eq=False)
class Replica:
    """One replica: its pool (autocommit, like the primary's reads) and what the last check found."""

    url: str
    engine: Engine
    conninfo: str
    healthy: bool = False
    lag_s: float | None = None
    reason: str = "not checked yet"
    _checker: psycopg.Connection[Any] | None = field(default=None, repr=False)

    def mark_down(self, reason: str) -> None:
        if self.healthy:
            log.warning("read replica %s skipped: %s", shown(self.url), reason)
        self.healthy, self.reason = False, reason


class ReplicaRouter:
    """Chooses where each read of an account's call records runs (see the module docstring)."""

    def __init__(
        self,
        primary_url: str,
        replica_urls: Iterable[str],
        *,
        window_s: float,
        max_lag_s: float,
        interval_s: float = 1.0,
    ) -> None:
        self._primary = conninfo_of(primary_url)
        self.replicas = [
            Replica(
                url,
                create_engine(
                    url,
                    pool_size=10,
                    max_overflow=10,
                    pool_use_lifo=True,
                    pool_pre_ping=True,  # a replica restarted meanwhile: a fresh connection, not an error
                    connect_args={"connect_timeout": _CONNECT_TIMEOUT_S},
                ).execution_options(isolation_level="AUTOCOMMIT"),
                conninfo_of(url),
            )
            for url in replica_urls
        ]
        self.window_s, self.max_lag_s, self.interval_s = window_s, max_lag_s, interval_s
        self._written: dict[int, float] = {}
        """Account id → monotonic time of its last write heard of (own or notified)."""
        self._all_until = math.inf
        """Until then every read goes to the primary: no listener yet, or a gap in what it heard."""
        self._turn = itertools.count()
        self._samples: deque[tuple[float, int]] = deque()
        """(monotonic time, primary WAL position) of recent checks, oldest first."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: psycopg.Connection[Any] | None = None

    # --- the request path: no I/O ---

    def choose(self, account_id: int) -> Replica | None:
        """A healthy replica for a read of the account's records, or None for the primary."""
        now = time.monotonic()
        if now < self._all_until:
            return None
        written = self._written.get(account_id)
        if written is not None and now - written < self.window_s:
            return None
        healthy = [replica for replica in self.replicas if replica.healthy]
        if not healthy:
            return None
        return healthy[next(self._turn) % len(healthy)]

    def note_writes(self, conn: Connection, account_ids: Iterable[int | None]) -> None:
        """In a write transaction of call records: mark the accounts here, and tell every other
        process at commit (NOTIFY). ``None`` among the ids means every account."""
        ids = set(account_ids)
        if not ids:
            return
        self._mark(ids, time.monotonic())
        payload = "*" if None in ids or len(ids) > _MAX_IDS else ",".join(str(i) for i in sorted(ids))  # type: ignore[type-var]
        conn.execute(_NOTIFY, {"accounts": payload})

    def _mark(self, ids: set[int | None], at: float) -> None:
        if None in ids:
            self._all_until = max(self._all_until, at + self.window_s)
            return
        for account_id in ids:
            self._written[account_id] = at  # type: ignore[index]

    # --- the background thread ---

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="trunkline-replicas", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for replica in self.replicas:
            _close(replica._checker)
            replica._checker = None
            replica.engine.dispose()
        _close(self._listener)
        self._listener = None

    def _run(self) -> None:
        next_check = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            try:
                if now >= next_check:
                    next_check = now + self.interval_s
                    self._check()
                self._listen(max(0.0, next_check - time.monotonic()))
            except Exception:  # noqa: BLE001 - the thread must outlive any one failure
                log.exception("replica check failed; reading from the primary until the next one")
                self._lost_listener(RuntimeError("check failed"))
                self._stop.wait(self.interval_s)

    def _listen(self, timeout: float) -> None:
        """Hear notified writes for up to ``timeout`` seconds."""
        if self._listener is None:
            self._stop.wait(timeout)
            return
        try:
            for notice in self._listener.notifies(timeout=timeout):
                self._heard(notice.payload)
        except psycopg.Error as exc:
            self._lost_listener(exc)

    def _heard(self, payload: str) -> None:
        at = time.monotonic()
        if payload == "*":
            self._mark({None}, at)
            return
        ids: set[int | None] = {int(part) for part in payload.split(",") if part.isdigit()}
        self._mark(ids, at)

    def _lost_listener(self, exc: Exception) -> None:
        log.warning("lost the write notifications from the primary, reading from it: %s", exc)
        _close(self._listener)
        self._listener = None
        self._all_until = math.inf

    def _check(self) -> None:
        """Reconnect the listener if need be, sample the primary's position, check each replica."""
        now = time.monotonic()
        if self._listener is None:
            try:
                self._listener = psycopg.Connection.connect(
                    self._primary, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_S
                )
                self._listener.execute(f"LISTEN {CHANNEL}")
                # What was written before LISTEN took effect was not heard: one window on the primary.
                self._all_until = time.monotonic() + self.window_s
            except psycopg.Error as exc:
                log.warning("cannot listen for writes on the primary: %s", exc)
                self._lost_listener(exc)
        if self._listener is not None:
            try:
                row = self._listener.execute("SELECT pg_current_wal_lsn()::text").fetchone()
                position = lsn_value(row[0] if row else None)
                if position is not None:
                    self._samples.append((now, position))
            except psycopg.Error as exc:
                self._lost_listener(exc)
        horizon = now - max(self.max_lag_s, self.window_s) - 2 * self.interval_s
        while len(self._samples) > 1 and self._samples[0][0] < horizon:
            self._samples.popleft()
        for replica in self.replicas:
            self._check_replica(replica, now)
        # A copy made in one step: request threads add accounts meanwhile.
        old = [a for a, at in list(self._written.items()) if now - at >= self.window_s]
        for account_id in old:
            self._written.pop(account_id, None)

    def _check_replica(self, replica: Replica, now: float) -> None:
        try:
            if replica._checker is None or replica._checker.closed:
                replica._checker = psycopg.Connection.connect(
                    replica.conninfo, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_S
                )
            row = replica._checker.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text"
            ).fetchone()
        except psycopg.Error as exc:
            _close(replica._checker)
            replica._checker = None
            replica.lag_s = None
            replica.mark_down(f"unreachable ({first_line(exc)})")
            return
        in_recovery, replayed = (row[0], lsn_value(row[1])) if row else (False, None)
        if not in_recovery or replayed is None:
            replica.lag_s = None
            replica.mark_down("not a streaming replica (not in recovery)")
            return
        replica.lag_s = self._lag(replayed, now)
        if replica.lag_s is None:
            replica.mark_down("the primary's position is unknown")
        elif replica.lag_s > self.max_lag_s:
            replica.mark_down(f"replay lag {replica.lag_s:.1f} s over {self.max_lag_s} s")
        elif not replica.healthy:
            log.info("read replica %s in use (lag %.1f s)", shown(replica.url), replica.lag_s)
            replica.healthy, replica.reason = True, "ok"

    def _lag(self, replayed: int, now: float) -> float | None:
        """How long ago the primary first stood past ``replayed``; 0 if it has not since the last sample."""
        if not self._samples:
            return None
        for at, position in self._samples:
            if position > replayed:
                return now - at
        return 0.0

    def status(self) -> list[dict[str, Any]]:
        """Each replica as the last check found it (URL without its password)."""
        return [
            {"url": shown(r.url), "healthy": r.healthy, "lag_s": r.lag_s, "reason": r.reason}
            for r in self.replicas
        ]


def _close(connection: psycopg.Connection[Any] | None) -> None:
    if connection is not None:
        with contextlib.suppress(psycopg.Error):
            connection.close()


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
