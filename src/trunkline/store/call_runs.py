"""The engine's durable state: a run per driven call (state machine + timers as JSON) and the calls'
events. Batched: one transaction advances many calls; the call records the runs produce, and the
runs themselves, are written by ``store.call_writes`` (``writes``), the one component that writes calls.

``claim_due`` locks the runs it returns until the caller's transaction ends: on PostgreSQL with
``FOR UPDATE SKIP LOCKED``, so several engine processes never take the same call; on SQLite the
whole transaction holds the write lock (``Database.write``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from trunkline.domain.calls.run_state import CallRun, Timer
from trunkline.store import call_talk_times, call_value_counts
from trunkline.store.call_writes import UPDATE_RUN, CallWrites, ClaimedRun, NewRun, RunUpdate, dump_run
from trunkline.store.database import Database
from trunkline.store.schema.call_runs import call_events, call_runs
from trunkline.store.schema.calls import calls


@dataclass(frozen=True, slots=True)
class StoredEvent:
    at: int
    name: str
    detail: dict[str, Any]


_COUNTED_BY = (
    calls.c.date_created,
    calls.c.status,
    calls.c.direction,
    calls.c.phone_number,
    calls.c.duration,
    calls.c.price_micros,
)
"""The stored values that place a call in ``call_value_counts`` (``key_of``'s arguments, in order)."""


class CallRunStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.writes = CallWrites(db)
        """Where the calls the runs produce are written (``store.call_writes``)."""

    def start_many(self, items: Sequence[NewRun]) -> list[int | None]:
        """Store new calls with their runs, legs and events in one transaction (the connect path
        commits concurrent requests together). Returns each call's row id, or None — and stores
        nothing for it — when its caller id is not one of the account's ExoPhones."""
        with self._db.write() as conn:
            return self.writes.insert(conn, items)

    def insert(self, conn: Connection, items: Sequence[NewRun]) -> list[int | None]:
        """``start_many`` inside the caller's transaction (the engine's traffic generators)."""
        return self.writes.insert(conn, items)

    def claim_due(self, conn: Connection, now_ms: int, limit: int) -> list[ClaimedRun]:
        query = (
            select(call_runs.c.call_id, calls.c.account_id, call_runs.c.state, *_COUNTED_BY)
            .join(calls, calls.c.id == call_runs.c.call_id)
            .where(call_runs.c.next_due_at <= now_ms)
            .order_by(call_runs.c.next_due_at)
            .limit(limit)
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=call_runs)
        claimed = []
        for call_id, account_id, state, *counted_by in conn.execute(query):
            run = CallRun.from_dict(orjson.loads(state))
            counted_as = call_value_counts.key_of(*counted_by)
            created, status, _, _, duration, _ = counted_by
            timed_as = call_talk_times.key_of(created, status, duration)
            claimed.append(ClaimedRun(call_id, account_id, run, run.is_over, counted_as, timed_as))
        return claimed

    def claim(self, conn: Connection, account_id: int, sid: str) -> ClaimedRun | None:
        """One call's run by Sid within an account, locked like ``claim_due`` (waiting for the
        engine if a batch holds it) whether or not it is due: a person acting on it now."""
        query = (
            select(call_runs.c.call_id, calls.c.account_id, call_runs.c.state, *_COUNTED_BY)
            .join(calls, calls.c.id == call_runs.c.call_id)
            .where(calls.c.sid == sid, calls.c.account_id == account_id)
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(of=call_runs)
        row = conn.execute(query).first()
        if row is None:
            return None
        call_id, account, state, *counted_by = row
        run = CallRun.from_dict(orjson.loads(state))
        return ClaimedRun(call_id, account, run, run.is_over, call_value_counts.key_of(*counted_by))

    def save(self, conn: Connection, updates: Sequence[RunUpdate]) -> None:
        """Write back a batch (``CallWrites.save``)."""
        self.writes.save(conn, updates)

    def schedule(self, sid: str, timer: Timer) -> bool:
        """Add a timer to a live call's run (a carrier reporting a signal as it happens); False if no
        such call is being driven."""
        with self._db.write() as conn:
            query = (
                select(call_runs.c.call_id, call_runs.c.state)
                .join(calls, calls.c.id == call_runs.c.call_id)
                .where(calls.c.sid == sid)
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(of=call_runs)
            row = conn.execute(query).first()
            if row is None:
                return False
            run = CallRun.from_dict(orjson.loads(row.state))
            if run.is_over:
                return False  # (a run waiting for a Passthru answer has no due time, but is live)
            run.schedule(timer)
            conn.execute(
                UPDATE_RUN, {"_id": row.call_id, "next_due_at": run.next_due_at, "state": dump_run(run)}
            )
        return True

    def next_due_at(self) -> int | None:
        with self._db.read() as conn:
            value = conn.execute(select(func.min(call_runs.c.next_due_at))).scalar()
        return None if value is None else int(value)

    def find(self, account_id: int | None, sid: str) -> tuple[int, CallRun] | None:
        """A call's run by Sid (within one account, unless ``None``): (call row id, run)."""
        query = select(call_runs.c.call_id, call_runs.c.state).join(calls, calls.c.id == call_runs.c.call_id)
        query = query.where(calls.c.sid == sid)
        if account_id is not None:
            query = query.where(calls.c.account_id == account_id)
        with self._db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return int(row.call_id), CallRun.from_dict(orjson.loads(row.state))

    def events(self, call_id: int) -> list[StoredEvent]:
        query = (
            select(call_events.c.at, call_events.c.name, call_events.c.detail)
            .where(call_events.c.call_id == call_id)
            .order_by(call_events.c.id)
        )
        with self._db.read() as conn:
            return [StoredEvent(at, name, orjson.loads(detail)) for at, name, detail in conn.execute(query)]

    def in_flight(self) -> int:
        with self._db.read() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(call_runs).where(call_runs.c.next_due_at.is_not(None))
                ).scalar_one()
            )
