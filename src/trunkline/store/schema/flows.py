"""Call flows, and the outbox of the HTTP requests (Passthru) their steps make."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from trunkline.store.schema.catalog import ROW_ID, metadata

flows = Table(
    "flows",
    metadata,
    # A call flow (Exotel's "app"): its applets as validated JSON (``domain.flows.definition``).
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("app_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("definition", Text, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

flow_requests = Table(
    "flow_requests",
    metadata,
    # The outbox of HTTP requests a flow makes (Passthru): written with the step that asked for it,
    # done by a worker, and kept as the log of what was asked and what came back.
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("call_id", ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("applet", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("params", Text, nullable=False),
    Column("requested_at", BigInteger, nullable=False),  # network clock
    Column("timeout_ms", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # pending | done
    Column("lease_until", BigInteger),  # wall clock
    Column("lease_holder", String(64)),  # the server process holding the lease; NULL when none
    Column("response_status", Integer),
    Column("error", Text),
    Column("duration_ms", Integer),
    Index("ix_flow_requests_due", "state", "lease_until"),
    Index("ix_flow_requests_call", "call_id"),
)
