"""The status-callback outbox (``webhook_deliveries``) and its attempt log (``webhook_attempts``).

``enqueue`` writes inside the caller's transaction: the call engine adds a callback in the same
transaction that changes the call, so a crash can delay a callback but never lose it. A worker then
``claim_due``s a batch, which pushes each row's ``next_attempt_at`` one lease into the future: no
other worker (or process) takes a delivery while it is in flight, and one whose worker died comes
due again when the lease runs out. Delivery is therefore at least once. A lease names its holder
(``lease_holder``, the claiming server's instance id), so that leases a dead process left behind can be
taken back at once (``take_back_leases``) instead of being waited out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Row, exists, func, select

from trunkline.store.database import Database
from trunkline.store.schema.webhooks import webhook_attempts, webhook_deliveries

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """A callback to send; ``payload`` is a flat or nested JSON object, kept in its key order."""

    account_id: int
    call_id: int | None
    event: str
    url: str
    content_type: str
    payload: dict[str, Any]
    created_at_ms: int


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    account_id: int
    call_id: int | None
    event: str
    url: str
    content_type: str
    payload: dict[str, Any]
    state: str
    attempts: int
    """Attempts since the delivery was created or last redelivered."""
    next_attempt_at: int | None
    """Wall-clock epoch ms; ``None`` once delivered or failed."""
    created_at: int
    last_response_status: int | None


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """One attempt: an HTTP status (and the start of the body) when the receiver answered, else an error."""

    attempted_at: int
    duration_ms: int
    response_status: int | None = None
    response_excerpt: str = ""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryLog:
    delivery: Delivery
    attempts: list[AttemptResult]
    """Oldest first, including those made before a redelivery."""


def enqueue(conn: Connection, rows: Sequence[NewDelivery]) -> None:
    """Add deliveries, due at once, in the caller's transaction (one executemany)."""
    if not rows:
        return
    conn.execute(
        webhook_deliveries.insert(),
        [
            {
                "account_id": row.account_id,
                "call_id": row.call_id,
                "event": row.event,
                "url": row.url,
                "content_type": row.content_type,
                "payload": orjson.dumps(row.payload).decode(),
                "state": PENDING,
                "attempts": 0,
                "next_attempt_at": row.created_at_ms,
                "created_at": row.created_at_ms,
            }
            for row in rows
        ],
    )


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(
        id=int(row.id),
        account_id=int(row.account_id),
        call_id=None if row.call_id is None else int(row.call_id),
        event=row.event,
        url=row.url,
        content_type=row.content_type,
        payload=orjson.loads(row.payload),
        state=row.state,
        attempts=int(row.attempts),
        next_attempt_at=None if row.next_attempt_at is None else int(row.next_attempt_at),
        created_at=int(row.created_at),
        last_response_status=row.last_response_status,
    )


_DUE = (webhook_deliveries.c.state == PENDING, webhook_deliveries.c.next_attempt_at.is_not(None))


class WebhookStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def claim_due(self, now_ms: int, limit: int, lease_ms: int, holder: str | None = None) -> list[Delivery]:
        """Take up to ``limit`` due deliveries, oldest due first, leasing them to ``holder`` for ``lease_ms``.

        A delivery waits while an earlier one of its call is pending, so a receiver never sees
        ``terminal`` before ``answered``. On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets concurrent
        claimers pass over each other's rows instead of waiting and then taking them too; on SQLite
        ``Database.write`` holds the write lock from BEGIN, so claims run one after another."""
        table = webhook_deliveries
        earlier = webhook_deliveries.alias("earlier")
        # One call's callbacks go out in order: none is sent while an earlier one of the same call is
        # still pending (in flight or waiting to retry); one that failed for good no longer holds
        # the next back.
        waits_for_earlier = exists().where(
            earlier.c.call_id == table.c.call_id, earlier.c.id < table.c.id, earlier.c.state == PENDING
        )
        query = (
            select(table)
            .where(*_DUE, table.c.next_attempt_at <= now_ms, ~waits_for_earlier)
            .order_by(table.c.next_attempt_at, table.c.id)
            .limit(limit)
        )
        with self._db.write() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = [_delivery(row) for row in conn.execute(query)]
            if rows:
                conn.execute(
                    table.update()
                    .where(table.c.id.in_([row.id for row in rows]))
                    .values(next_attempt_at=now_ms + lease_ms, lease_holder=holder)
                )
        return rows

    def record_attempt(
        self,
        delivery_id: int,
        attempt: AttemptResult,
        *,
        delivered: bool,
        next_attempt_at: int | None,
        failed: bool,
    ) -> None:
        """Log an attempt and move the delivery on: delivered, failed for good, or due again at
        ``next_attempt_at`` — in one transaction, so the count and the log always agree."""
        state = DELIVERED if delivered else FAILED if failed else PENDING
        with self._db.write() as conn:
            conn.execute(
                webhook_attempts.insert().values(
                    delivery_id=delivery_id,
                    attempted_at=attempt.attempted_at,
                    duration_ms=attempt.duration_ms,
                    response_status=attempt.response_status,
                    response_excerpt=attempt.response_excerpt,
                    error=attempt.error,
                )
            )
            conn.execute(
                webhook_deliveries.update()
                .where(webhook_deliveries.c.id == delivery_id)
                .values(
                    attempts=webhook_deliveries.c.attempts + 1,
                    state=state,
                    next_attempt_at=next_attempt_at if state == PENDING else None,
                    last_response_status=attempt.response_status,
                    lease_holder=None,
                )
            )

    def release(self, delivery_ids: Sequence[int], now_ms: int) -> None:
        """Hand back claimed deliveries that were not attempted (a worker stopping), due at once,
        rather than leaving them until their lease runs out."""
        if not delivery_ids:
            return
        table = webhook_deliveries
        with self._db.write() as conn:
            conn.execute(
                table.update()
                .where(table.c.id.in_(list(delivery_ids)), *_DUE)
                .values(next_attempt_at=now_ms, lease_holder=None)
            )

    def take_back_leases(self, now_ms: int, holders: Sequence[str] | None = None) -> int:
        """Make the deliveries leased to ``holders`` (to anyone when ``None``) due at once, unheld:
        their holder is gone, so waiting out its lease would only make the callbacks late. Returns
        how many. A lease from before leases named their holder has none and still runs out."""
        table = webhook_deliveries
        held = (
            table.c.lease_holder.is_not(None) if holders is None else table.c.lease_holder.in_(list(holders))
        )
        with self._db.write() as conn:
            return int(
                conn.execute(
                    table.update().where(*_DUE, held).values(next_attempt_at=now_ms, lease_holder=None)
                ).rowcount
            )

    def next_due_at(self) -> int | None:
        """When the earliest pending delivery (or lease) falls due; ``None`` when none is pending."""
        with self._db.read() as conn:
            value = conn.execute(select(func.min(webhook_deliveries.c.next_attempt_at)).where(*_DUE)).scalar()
        return None if value is None else int(value)

    def get(self, delivery_id: int) -> Delivery | None:
        with self._db.read() as conn:
            query = select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
            row = conn.execute(query).first()
        return None if row is None else _delivery(row)

    def for_call(self, account_id: int | None, call_id: int) -> list[DeliveryLog]:
        """A call's deliveries with their attempts, oldest first (within one account, unless ``None``)."""
        table, attempts = webhook_deliveries, webhook_attempts
        query = select(table).where(table.c.call_id == call_id).order_by(table.c.id)
        if account_id is not None:
            query = query.where(table.c.account_id == account_id)
        with self._db.read() as conn:
            if conn.dialect.name == "postgresql":
                # Both reads from one snapshot, so a delivery's count agrees with its attempts even
                # while one is being recorded (SQLite's transaction already reads one snapshot).
                conn.execution_options(isolation_level="REPEATABLE READ")
            deliveries = [_delivery(row) for row in conn.execute(query)]
            tried: dict[int, list[AttemptResult]] = {d.id: [] for d in deliveries}
            if tried:
                rows = conn.execute(
                    select(attempts)
                    .where(attempts.c.delivery_id.in_(list(tried)))
                    .order_by(attempts.c.delivery_id, attempts.c.id)
                )
                for row in rows:
                    tried[int(row.delivery_id)].append(
                        AttemptResult(
                            attempted_at=int(row.attempted_at),
                            duration_ms=int(row.duration_ms),
                            response_status=row.response_status,
                            response_excerpt=row.response_excerpt,
                            error=row.error,
                        )
                    )
        return [DeliveryLog(d, tried[d.id]) for d in deliveries]

    def redeliver(self, delivery_id: int, now_ms: int) -> bool:
        """Send a delivery again from scratch (a full round of retries); the earlier attempts stay in
        the log. False when there is no such delivery."""
        table = webhook_deliveries
        with self._db.write() as conn:
            changed = conn.execute(
                table.update()
                .where(table.c.id == delivery_id)
                .values(state=PENDING, attempts=0, next_attempt_at=now_ms, lease_holder=None)
            ).rowcount
        return bool(changed)
