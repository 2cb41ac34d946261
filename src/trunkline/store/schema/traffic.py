"""Inbound traffic generators."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from trunkline.store.schema.catalog import ROW_ID, metadata

traffic_generators = Table(
    "traffic_generators",
    metadata,
    # Inbound traffic from the simulated network: the spec (JSON), how many calls it placed, and
    # when (network clock) the next one arrives; NULL once it has finished or was stopped.
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("spec", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("next_at", BigInteger),
    Column("placed", Integer, nullable=False, default=0),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_traffic_generators_due", "next_at"),
)
