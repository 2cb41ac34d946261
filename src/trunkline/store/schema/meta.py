"""The key-value table of the store itself (the server's secret, the network clock and scenario)."""

from __future__ import annotations

from sqlalchemy import Column, String, Table, Text

from trunkline.store.schema.catalog import metadata

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
