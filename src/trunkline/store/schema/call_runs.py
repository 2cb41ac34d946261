"""The call engine's durable state: a run per driven call, and every transition as an event."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, Table, Text

from trunkline.store.schema.catalog import ROW_ID, metadata

call_runs = Table(
    "call_runs",
    metadata,
    # The engine's durable state of a call it drives: the state machine (JSON, ``domain.calls.run_state``)
    # with its pending timers, and the earliest of them, which the engine polls on. NULL once the call
    # has nothing left to do. The row outlives the call, so the request it was made with stays readable.
    Column("call_id", ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("next_due_at", BigInteger),
    Column("state", Text, nullable=False),
    Index("ix_call_runs_due", "next_due_at"),
)

call_events = Table(
    "call_events",
    metadata,
    # Every transition of a call with its (network clock) time: the admin events feed.
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("call_id", ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("name", String(40), nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_call_events_call", "call_id", "id"),
)
