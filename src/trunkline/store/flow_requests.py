"""The outbox of a flow's HTTP requests (Passthru), and the log of what came back.

A request row is written in the engine transaction that reached the applet; the call then waits
(its run has no due time). A worker claims the row with a lease, makes the request, and in one
transaction records the answer and hands it to the call as a ``FLOW_REPLY`` timer. A crash
between the two leaves the row pending: its lease runs out and it is made again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, and_, func, or_, select, update

from trunkline.domain.calls.run_state import CallRun, Timer, TimerKind
from trunkline.store.database import Database
from trunkline.store.schema.call_runs import call_runs
from trunkline.store.schema.flows import flow_requests

PENDING, DONE = "pending", "done"


@dataclass(frozen=True, slots=True)
class NewFlowRequest:
    call_id: int
    applet: str
    url: str
    params: dict[str, str]
    requested_at: int
    timeout_ms: int


@dataclass(frozen=True, slots=True)
class FlowRequest:
    id: int
    call_id: int
    applet: str
    url: str
    params: dict[str, str]
    requested_at: int
    timeout_ms: int
    state: str = PENDING
    response_status: int | None = None
    error: str | None = None
    duration_ms: int | None = None


def enqueue(conn: Connection, rows: Sequence[NewFlowRequest]) -> None:
    if rows:
        conn.execute(
            flow_requests.insert(),
            [
                {
                    "call_id": r.call_id,
                    "applet": r.applet,
                    "url": r.url,
                    "params": orjson.dumps(r.params).decode(),
                    "requested_at": r.requested_at,
                    "timeout_ms": r.timeout_ms,
                    "state": PENDING,
                }
                for r in rows
            ],
        )


def _request(row: Any) -> FlowRequest:
    return FlowRequest(
        id=int(row.id),
        call_id=int(row.call_id),
        applet=row.applet,
        url=row.url,
        params=orjson.loads(row.params),
        requested_at=int(row.requested_at),
        timeout_ms=int(row.timeout_ms),
        state=row.state,
        response_status=row.response_status,
        error=row.error,
        duration_ms=row.duration_ms,
    )


class FlowRequestStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def claim_due(
        self, wall_now: int, limit: int, lease_ms: int, holder: str | None = None
    ) -> list[FlowRequest]:
        """Pending requests nobody holds, leased to ``holder`` until ``wall_now + lease_ms``."""
        free = and_(
            flow_requests.c.state == PENDING,
            or_(flow_requests.c.lease_until.is_(None), flow_requests.c.lease_until <= wall_now),
        )
        with self._db.write() as conn:
            query = select(flow_requests).where(free).order_by(flow_requests.c.id).limit(limit)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            claimed = [_request(row) for row in conn.execute(query)]
            if claimed:
                conn.execute(
                    update(flow_requests)
                    .where(flow_requests.c.id.in_([r.id for r in claimed]))
                    .values(lease_until=wall_now + lease_ms, lease_holder=holder)
                )
        return claimed

    def take_back_leases(self, holders: Sequence[str] | None = None) -> int:
        """Free the pending requests leased to ``holders`` (every lease when ``None``, which also
        frees leases from before they named a holder): their holder is gone, so they are made
        again now rather than when the lease runs out. Returns how many."""
        table = flow_requests
        held = (
            table.c.lease_until.is_not(None) if holders is None else table.c.lease_holder.in_(list(holders))
        )
        with self._db.write() as conn:
            return int(
                conn.execute(
                    update(table)
                    .where(table.c.state == PENDING, held)
                    .values(lease_until=None, lease_holder=None)
                ).rowcount
            )

    def complete(
        self,
        request: FlowRequest,
        *,
        status: int | None,
        error: str | None,
        duration_ms: int,
        reply_at: Callable[[int], int],
    ) -> int | None:
        """Record the answer and hand it to the waiting call; returns when the call goes on
        (network clock), or None if the request was already answered or the call is over."""
        with self._db.write() as conn:
            done = conn.execute(
                update(flow_requests)
                .where(flow_requests.c.id == request.id, flow_requests.c.state == PENDING)
                .values(
                    state=DONE,
                    response_status=status,
                    error=error,
                    duration_ms=duration_ms,
                    lease_holder=None,
                )
            )
            if done.rowcount != 1:
                return None
            query = select(call_runs.c.state).where(call_runs.c.call_id == request.call_id)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            state = conn.execute(query).scalar()
            if state is None:
                return None
            run = CallRun.from_dict(orjson.loads(state))
            if not run.waiting or run.flow is None:
                return None
            at = reply_at(request.requested_at)
            run.flow.waiting = False
            value = str(status) if status is not None else "error"
            run.schedule(Timer(at, TimerKind.FLOW_REPLY, value=value, seq=run.flow.seq))
            conn.execute(
                update(call_runs)
                .where(call_runs.c.call_id == request.call_id)
                .values(next_due_at=run.next_due_at, state=orjson.dumps(run).decode())
            )
        return at

    def pending(self) -> int:
        with self._db.read() as conn:
            count = conn.execute(
                select(func.count()).select_from(flow_requests).where(flow_requests.c.state == PENDING)
            ).scalar()
        return int(count or 0)

    def for_call(self, call_id: int) -> list[FlowRequest]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(flow_requests).where(flow_requests.c.call_id == call_id).order_by(flow_requests.c.id)
            )
            return [_request(row) for row in rows]
