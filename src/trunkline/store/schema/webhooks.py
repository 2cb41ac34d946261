"""The status-callback outbox and the log of its delivery attempts."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from trunkline.store.schema.catalog import ROW_ID, metadata

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    # The outbox of status callbacks: one row per webhook to deliver, written in the transaction that
    # produced it, so a crash can delay a callback but never lose it. Times are wall-clock epoch ms:
    # retries wait real time even under a virtual network clock.
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("call_id", ROW_ID, ForeignKey("calls.id", ondelete="CASCADE")),
    Column("event", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", BigInteger),
    Column("created_at", BigInteger, nullable=False),
    Column("last_response_status", Integer),
    # The server process (``Server.instance_id``) that claimed the row and holds it until
    # ``next_attempt_at``; NULL when nobody does. A starting server takes back a dead one's leases.
    Column("lease_holder", String(64)),
    Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
    Index("ix_webhook_deliveries_call", "call_id"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    # Every delivery attempt: when, how long, what came back (status and the start of the body) or why not.
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("delivery_id", ROW_ID, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False),
    Column("attempted_at", BigInteger, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("response_status", Integer),
    Column("response_excerpt", Text, nullable=False, default=""),
    Column("error", Text),
    Index("ix_webhook_attempts_delivery", "delivery_id", "id"),
)
