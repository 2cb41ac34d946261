"""The one component that writes calls: every call record, with its legs, run and events, goes in
through ``CallWrites``, which keeps the rollups of calls (``call_counts``, ``call_value_counts``)
and the features that follow calls (``CallObserver``: call tracking, CCM agents) in step in the
same transaction.

Its doors:

- ``insert``: new calls (the connect path's group commit and the engine's traffic generators, both
  through ``CallRunStore``). A call already over when stored is counted in the rollups at once.
- ``save``: the engine's batches (through ``CallRunStore.save``): runs, records, legs, events, the
  rollups of calls that ended or settled, recordings of calls that ended.
- ``upsert_finished``: finished calls copied from elsewhere (``trunkline sync``), matched by Sid:
  new ones inserted and counted, changed ones updated and their rollup rows moved. They have no run
  (nothing is left to play) and, like bulk-loaded calls, are not handed to observers.
- ``purge``: deleting an account's calls with their rollups.
- The second door, for many finished calls at once (seeding, the demo account): ``store.bulk_load``.
  It writes rows with COPY / ``executemany`` past SQLAlchemy (per-row inserts would cost ~0.8 ms a
  call) and rebuilds the rollups from the stored calls afterwards instead of adding to them; features
  that follow calls load their rows in the same batches (``load_calls(along=...)``) and rebuild their
  own rollups after (``rebuild_tracking``). Observers are not called there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, bindparam, delete, select, tuple_

from trunkline.domain.calls.call_record import recording
from trunkline.domain.calls.effects import Event
from trunkline.domain.calls.model import Call, Leg
from trunkline.domain.calls.run_state import CallRun
from trunkline.store import call_callers, call_counts, call_talk_times, call_value_counts, recordings
from trunkline.store.database import Database
from trunkline.store.schema.accounts import exophones
from trunkline.store.schema.call_rollups import call_counts as call_counts_table
from trunkline.store.schema.call_rollups import call_value_counts as call_value_counts_table
from trunkline.store.schema.call_runs import call_events, call_runs
from trunkline.store.schema.calls import call_legs, calls
from trunkline.store.tracking.rollups import purge_rollup as purge_tracked_rollup


@dataclass(slots=True)
class ClaimedRun:
    call_id: int
    account_id: int
    run: CallRun
    was_final: bool
    counted_as: call_value_counts.Key | None = None
    """Where ``call_value_counts`` counts the call as stored when claimed (None: not counted)."""
    timed_as: call_talk_times.TalkKey | None = None
    """Where ``call_talk_times`` counts it as stored when claimed (None: not counted)."""


@dataclass(slots=True)
class RunUpdate:
    """What one batch step changed about one call."""

    claimed: ClaimedRun
    call: Call
    events: list[Event]


@dataclass(frozen=True, slots=True)
class NewRun:
    """A call to store with its run and first events."""

    account_id: int
    call: Call
    run: CallRun
    events: Sequence[Event]


def dump_run(run: CallRun) -> str:
    return orjson.dumps(run).decode()


def _leg_row(call_id: int, leg: Leg) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "leg_id": leg.leg_id,
        "number": leg.number,
        "status": leg.status,
        "on_call_duration": leg.on_call_duration,
        "answered_by": leg.answered_by,
    }


def _call_row(call: Call) -> dict[str, Any]:
    return {
        "date_created": call.date_created,
        "date_updated": call.date_updated,
        "from_number": call.from_number,
        "to_number": call.to_number,
        "phone_number": call.phone_number,
        "status": call.status,
        "direction": call.direction,
        "start_time": call.start_time,
        "end_time": call.end_time,
        "duration": call.duration,
        "price_micros": call.price_micros,
        "answered_by": call.answered_by,
        "recording_path": call.recording_path,
        "conversation_duration": call.conversation_duration,
        "custom_field": call.custom_field,
        "flow_app_id": call.flow_app_id,
        "ivr_keys": call.ivr_keys,
    }


def _ended_recorded(update: RunUpdate) -> bool:
    return (
        not update.claimed.was_final and update.claimed.run.is_over and update.call.recording_path is not None
    )


def _recording_row(update: RunUpdate) -> recordings.NewRecording:
    run = update.claimed.run
    spec = recording(run)
    assert spec is not None
    return recordings.NewRecording(
        account_id=update.claimed.account_id,
        call_id=update.claimed.call_id,
        path=spec.path,
        kind=spec.kind,
        channels=spec.channels,
        format=spec.format,
        duration_ms=spec.duration_ms,
        created_at=run.ended_at or run.updated_at,
    )


def _update_call_statement() -> Any:
    names = [
        "date_updated",
        "status",
        "start_time",
        "end_time",
        "duration",
        "price_micros",
        "answered_by",
        "recording_path",
        "conversation_duration",
        "ivr_keys",
    ]
    return calls.update().where(calls.c.id == bindparam("_id")).values({n: bindparam(n) for n in names})


# Built once: constructing a statement costs more than running it on the connect path.
_INSERT_CALLS = calls.insert().returning(calls.c.id, sort_by_parameter_order=True)
_INSERT_RUN = call_runs.insert()
_INSERT_EVENT = call_events.insert()
_INSERT_LEG = call_legs.insert()
UPDATE_RUN = (
    call_runs.update()
    .where(call_runs.c.call_id == bindparam("_id"))
    .values(next_due_at=bindparam("next_due_at"), state=bindparam("state"))
)


class CallObserver(Protocol):
    """A feature that keeps rows of its own in step with calls, in the transaction that writes them
    (call tracking keeps its per-call attribution this way)."""

    def inserted(self, conn: Connection, stored: Sequence[tuple[int, NewRun]]) -> None:
        """New calls were stored: (call row id, what was stored)."""

    def saved(self, conn: Connection, updates: Sequence[RunUpdate]) -> None:
        """The engine advanced these calls (their records are already written)."""


@dataclass(frozen=True, slots=True)
class Upserted:
    inserted: int
    updated: int
    unchanged: int
    refused: int
    """Calls whose Sid another account of this store holds already (Sids are unique store-wide)."""


_COMPARED = ("parent_call_sid", "forwarded_from", "caller_name")
"""Fields of a synced call ``_call_row`` leaves out (the engine never changes them); compared too."""


def _synced_row(call: Call) -> dict[str, Any]:
    return {**_call_row(call), **{name: getattr(call, name) for name in _COMPARED}}


class CallWrites:
    """Writes calls (see the module docstring); ``observers`` are called inside every transaction
    that stores or advances calls."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._update_call = _update_call_statement()
        self.observers: list[CallObserver] = []

    def insert(self, conn: Connection, items: Sequence[NewRun]) -> list[int | None]:
        """Store new calls with their runs, legs and events in the caller's transaction. Returns each
        call's row id, or None — and stores nothing for it — when its caller id is not one of the
        account's ExoPhones."""
        if not items:
            return []
        pairs = sorted({(item.account_id, item.call.phone_number) for item in items})
        known = {
            (row.account_id, row.number)
            for row in conn.execute(
                select(exophones.c.account_id, exophones.c.number).where(
                    tuple_(exophones.c.account_id, exophones.c.number).in_(pairs)
                )
            )
        }
        accepted = [item for item in items if (item.account_id, item.call.phone_number) in known]
        if not accepted:
            return [None] * len(items)
        self._db.note_writes(conn, (item.account_id for item in accepted))
        rows = [{"account_id": i.account_id, "sid": i.call.sid, **_call_row(i.call)} for i in accepted]
        ids = [int(row_id) for row_id in conn.execute(_INSERT_CALLS, rows).scalars()]
        conn.execute(
            _INSERT_RUN,
            [
                {"call_id": call_id, "next_due_at": i.run.next_due_at, "state": dump_run(i.run)}
                for call_id, i in zip(ids, accepted, strict=True)
            ],
        )
        legs = [
            _leg_row(call_id, leg) for call_id, i in zip(ids, accepted, strict=True) for leg in i.call.legs
        ]
        if legs:
            conn.execute(_INSERT_LEG, legs)
        self._insert_events(
            conn, [(call_id, e) for call_id, i in zip(ids, accepted, strict=True) for e in i.events]
        )
        # A call can be over before it is first stored (busy at once, a refused number): count it now;
        # ``save`` counts only calls that end after they were stored.
        by_account: dict[int, list[Call]] = defaultdict(list)
        for item in accepted:
            by_account[item.account_id].append(item.call)
        for account_id, records in sorted(by_account.items()):
            call_counts.add(conn, account_id, records)
            call_value_counts.add(conn, account_id, records)
            call_talk_times.add(conn, account_id, records)
        for observer in self.observers:
            observer.inserted(conn, list(zip(ids, accepted, strict=True)))
        by_sid = {i.call.sid: call_id for call_id, i in zip(ids, accepted, strict=True)}
        return [by_sid.get(item.call.sid) for item in items]

    def save(self, conn: Connection, updates: Sequence[RunUpdate]) -> None:
        """Write back a batch: runs, call records, legs, events, and the rollups of the calls that ended or
        settled."""
        if not updates:
            return
        ids = [update.claimed.call_id for update in updates]
        self._db.note_writes(conn, (update.claimed.account_id for update in updates))
        conn.execute(
            UPDATE_RUN,
            [
                {
                    "_id": u.claimed.call_id,
                    "next_due_at": u.claimed.run.next_due_at,
                    "state": dump_run(u.claimed.run),
                }
                for u in updates
            ],
        )
        conn.execute(self._update_call, [{"_id": u.claimed.call_id, **_call_row(u.call)} for u in updates])
        conn.execute(delete(call_legs).where(call_legs.c.call_id.in_(ids)))
        legs = [_leg_row(u.claimed.call_id, leg) for u in updates for leg in u.call.legs]
        if legs:
            conn.execute(_INSERT_LEG, legs)
        self._insert_events(conn, [(u.claimed.call_id, event) for u in updates for event in u.events])
        finished: dict[int, list[Call]] = defaultdict(list)
        moved: dict[int, list[tuple[call_value_counts.Key | None, call_value_counts.Key | None]]]
        moved = defaultdict(list)
        timed: dict[int, list[tuple[call_talk_times.TalkKey | None, call_talk_times.TalkKey | None]]]
        timed = defaultdict(list)
        for u in updates:
            if not u.claimed.was_final and u.claimed.run.is_over:
                finished[u.claimed.account_id].append(u.call)
            # Duration and Price settle after the call has ended, so this rollup moves more often.
            counted_as = call_value_counts.key_of_call(u.call)
            if counted_as != u.claimed.counted_as:
                moved[u.claimed.account_id].append((u.claimed.counted_as, counted_as))
            timed_as = call_talk_times.key_of_call(u.call)
            if timed_as != u.claimed.timed_as:
                timed[u.claimed.account_id].append((u.claimed.timed_as, timed_as))
        for account_id, records in sorted(finished.items()):
            call_counts.add(conn, account_id, records)
        for account_id, changes in sorted(moved.items()):
            call_value_counts.move(conn, account_id, changes)
        for account_id, talk_changes in sorted(timed.items()):
            call_talk_times.move(conn, account_id, talk_changes)
        recordings.insert(conn, [_recording_row(u) for u in updates if _ended_recorded(u)])
        for observer in self.observers:
            observer.saved(conn, updates)

    @staticmethod
    def _insert_events(conn: Connection, events: Sequence[tuple[int, Event]]) -> None:
        if events:
            conn.execute(
                _INSERT_EVENT,
                [
                    {
                        "call_id": call_id,
                        "at": e.at,
                        "name": e.name,
                        "detail": orjson.dumps(e.detail).decode(),
                    }
                    for call_id, e in events
                ],
            )

    def upsert_finished(self, conn: Connection, account_id: int, records: Sequence[Call]) -> Upserted:
        """Store finished calls by Sid in the caller's transaction: insert the new, update the changed
        (legs replaced), leave the same alone, and keep both rollups in step."""
        if not records:
            return Upserted(0, 0, 0, 0)
        self._db.note_writes(conn, [account_id])
        by_sid = {call.sid: call for call in records}
        columns = [calls.c[name] for name in ("id", "account_id", "sid", *_synced_row(records[0]))]
        stored = {
            row.sid: row for row in conn.execute(select(*columns).where(calls.c.sid.in_(sorted(by_sid))))
        }
        new = [call for sid, call in by_sid.items() if sid not in stored]
        refused = sum(1 for row in stored.values() if row.account_id != account_id)
        changed: list[tuple[int, Call, Call]] = []
        unchanged = 0
        for sid, row in stored.items():
            if row.account_id != account_id:
                continue
            call = by_sid[sid]
            wanted = _synced_row(call)
            if all(getattr(row, name) == value for name, value in wanted.items()):
                unchanged += 1
            else:
                kept = {k: v for k, v in row._mapping.items() if k not in ("id", "account_id", "sid")}
                was = Call(sid=sid, account_sid=call.account_sid, **kept)
                changed.append((row.id, was, call))
        if new:
            rows = [{"account_id": account_id, "sid": c.sid, **_synced_row(c)} for c in new]
            ids = [int(row_id) for row_id in conn.execute(_INSERT_CALLS, rows).scalars()]
            legs = [_leg_row(call_id, leg) for call_id, c in zip(ids, new, strict=True) for leg in c.legs]
            if legs:
                conn.execute(_INSERT_LEG, legs)
            call_counts.add(conn, account_id, new)
            call_value_counts.add(conn, account_id, new)
            call_talk_times.add(conn, account_id, new)
        if changed:
            update = calls.update().where(calls.c.id == bindparam("_id"))
            conn.execute(
                update.values({name: bindparam(name) for name in _synced_row(changed[0][2])}),
                [{"_id": call_id, **_synced_row(call)} for call_id, _, call in changed],
            )
            conn.execute(delete(call_legs).where(call_legs.c.call_id.in_([c[0] for c in changed])))
            legs = [_leg_row(call_id, leg) for call_id, _, call in changed for leg in call.legs]
            if legs:
                conn.execute(_INSERT_LEG, legs)
            call_counts.add(conn, account_id, [was for _, was, _ in changed], sign=-1)
            call_counts.add(conn, account_id, [call for _, _, call in changed])
            call_value_counts.move(
                conn,
                account_id,
                [
                    (call_value_counts.key_of_call(was), call_value_counts.key_of_call(call))
                    for _, was, call in changed
                ],
            )
            call_talk_times.move(
                conn,
                account_id,
                [
                    (call_talk_times.key_of_call(was), call_talk_times.key_of_call(call))
                    for _, was, call in changed
                ],
            )
        return Upserted(len(new), len(changed), unchanged, refused)

    def purge(self, account_id: int | None) -> int:
        """Delete the calls of one account (or of all), with everything hanging off them (legs, runs,
        events, webhook deliveries, tracked calls: ON DELETE CASCADE) and their rollups. Returns how
        many."""
        with self._db.write() as conn:
            self._db.note_writes(conn, [account_id])
            calls_of = delete(calls)
            counts_of = delete(call_counts_table)
            value_counts_of = delete(call_value_counts_table)
            if account_id is not None:
                calls_of = calls_of.where(calls.c.account_id == account_id)
                counts_of = counts_of.where(call_counts_table.c.account_id == account_id)
                value_counts_of = value_counts_of.where(call_value_counts_table.c.account_id == account_id)
            deleted = conn.execute(calls_of).rowcount
            conn.execute(counts_of)
            conn.execute(value_counts_of)
            call_callers.purge(conn, account_id)
            call_talk_times.purge(conn, account_id)
            purge_tracked_rollup(conn, account_id)  # its rows went with the calls (ON DELETE CASCADE)
        return int(deleted)
