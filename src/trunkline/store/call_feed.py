"""The feed of call changes every server process writes: ``call_events`` read by id, newest last.

Each transition of a call is a row of ``call_events`` written in the transaction that changes the
call, so reading the table by id sees calls that *any* process advanced. One read serves every
account (the console's event hub fans the rows out), walking the primary key from a known id.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from trunkline.store.database import Database
from trunkline.store.schema.call_runs import call_events
from trunkline.store.schema.calls import calls


@dataclass(frozen=True, slots=True)
class CallChange:
    """One transition of a call, with what a live list shows of the call now."""

    event_id: int
    account_id: int
    sid: str
    event: str
    at: int
    status: str
    direction: str
    from_number: str
    to_number: str | None
    date_created: int
    start_time: int | None
    duration: int | None


_COLUMNS = (
    call_events.c.id.label("event_id"),
    calls.c.account_id,
    calls.c.sid,
    call_events.c.name.label("event"),
    call_events.c.at,
    calls.c.status,
    calls.c.direction,
    calls.c.from_number,
    calls.c.to_number,
    calls.c.date_created,
    calls.c.start_time,
    calls.c.duration,
)


class CallFeed:
    def __init__(self, db: Database) -> None:
        self._db = db

    def last_id(self) -> int:
        """The newest event's id (0 when there is none): where a new reader starts."""
        with self._db.read() as conn:
            value = conn.execute(select(func.max(call_events.c.id))).scalar()
        return int(value or 0)

    def after(self, event_id: int, limit: int) -> list[CallChange]:
        """Up to ``limit`` events with an id above ``event_id``, oldest first."""
        query = (
            select(*_COLUMNS)
            .join(calls, calls.c.id == call_events.c.call_id)
            .where(call_events.c.id > event_id)
            .order_by(call_events.c.id)
            .limit(limit)
        )
        with self._db.read() as conn:
            return [CallChange(**row._asdict()) for row in conn.execute(query)]
