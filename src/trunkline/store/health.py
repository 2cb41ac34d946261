"""What readiness and the metrics read from the store: cheap questions, each answered from an index.

``/readyz`` and ``/metrics`` are asked every few seconds by every orchestrator and scraper, so none
of these reads may grow with the store: the earliest due times come from the due indexes (``min``
over an index is one probe), calls by status from the coarsest rollup periods (a few rows per
account and eight-day block, not one per call), and the webhook queue from the pending rows only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select

from trunkline.store.database import Database
from trunkline.store.rollup_periods import BLOCK_MS
from trunkline.store.schema.call_rollups import call_counts
from trunkline.store.schema.call_runs import call_runs
from trunkline.store.schema.flows import flow_requests
from trunkline.store.schema.webhooks import webhook_deliveries

_PENDING = "pending"


@dataclass(frozen=True, slots=True)
class DueMarks:
    """The earliest due time of each kind of background work, None when nothing is due.

    The clocks differ: call timers and never-claimed Passthru requests are on the network clock,
    webhook retries and Passthru leases on the wall clock."""

    call_due_at: int | None
    """Network ms: the earliest timer of any live call."""
    webhook_due_at: int | None
    """Wall ms: the earliest pending delivery free to be sent (not held by an earlier one of its call)."""
    passthru_requested_at: int | None
    """Network ms: the earliest Passthru request no worker has claimed yet."""
    passthru_lease_ended_at: int | None
    """Wall ms: the earliest end of a lease on a pending request, if it has ended by ``wall_now``."""


class HealthStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def revision(self) -> str | None:
        """The store's Alembic revision (None before the first migration). Opening a connection
        also proves the database answers."""
        return self._db.revision()

    def due_marks(self, wall_now: int) -> DueMarks:
        table = webhook_deliveries
        earlier = webhook_deliveries.alias("earlier")
        # As ``WebhookStore.claim_due`` sees it: a delivery behind an earlier pending one of its call
        # (which is waiting out a retry) is not overdue, it is in order.
        waits_for_earlier = exists().where(
            earlier.c.call_id == table.c.call_id, earlier.c.id < table.c.id, earlier.c.state == _PENDING
        )
        webhook_due = select(func.min(table.c.next_attempt_at)).where(
            table.c.state == _PENDING,
            table.c.next_attempt_at.is_not(None),
            table.c.next_attempt_at <= wall_now,
            ~waits_for_earlier,
        )
        unclaimed = select(func.min(flow_requests.c.requested_at)).where(
            flow_requests.c.state == _PENDING, flow_requests.c.lease_until.is_(None)
        )
        lapsed = select(func.min(flow_requests.c.lease_until)).where(
            flow_requests.c.state == _PENDING,
            flow_requests.c.lease_until.is_not(None),
            flow_requests.c.lease_until <= wall_now,
        )
        with self._db.read() as conn:
            row = conn.execute(
                select(
                    select(func.min(call_runs.c.next_due_at)).scalar_subquery(),
                    webhook_due.scalar_subquery(),
                    unclaimed.scalar_subquery(),
                    lapsed.scalar_subquery(),
                )
            ).one()
        call_due, webhook, requested, lease_ended = (None if v is None else int(v) for v in row)
        return DueMarks(call_due, webhook, requested, lease_ended)

    def calls_by_status(self) -> dict[str, int]:
        """Final calls by status, summed from the rollup's eight-day blocks (every final call is in
        exactly one), and the live ones (``in-progress`` here: a run with a timer to play)."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(call_counts.c.status, func.sum(call_counts.c.calls))
                .where(call_counts.c.period_ms == BLOCK_MS)
                .group_by(call_counts.c.status)
            ).all()
            live = conn.execute(
                select(func.count()).select_from(call_runs).where(call_runs.c.next_due_at.is_not(None))
            ).scalar_one()
        counts = {str(status): int(n or 0) for status, n in rows}
        counts["live"] = int(live)
        return counts

    def webhook_queue(self, wall_now: int) -> tuple[int, int]:
        """Pending deliveries: (all of them, those due by ``wall_now``). Only pending rows are read
        (the ``(state, next_attempt_at)`` index), never the delivered history."""
        table = webhook_deliveries
        pending = and_(table.c.state == _PENDING, table.c.next_attempt_at.is_not(None))
        due = func.count().filter(table.c.next_attempt_at <= wall_now)
        with self._db.read() as conn:
            total, ready = conn.execute(select(func.count(), due).select_from(table).where(pending)).one()
        return int(total), int(ready or 0)

    def pool_in_use(self) -> int:
        """Connections of this process's pool lent out now (SQLAlchemy's ``checkedout``)."""
        checkedout = getattr(self._db.engine.pool, "checkedout", None)
        return int(checkedout()) if callable(checkedout) else 0
