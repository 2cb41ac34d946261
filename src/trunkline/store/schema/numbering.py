"""Reference data about numbers: mobile series (operator, circle) and the DND registry."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, String, Table

from trunkline.store.schema.catalog import metadata

mobile_series = Table(
    "mobile_series",
    metadata,
    Column("prefix", String(8), primary_key=True),
    Column("operator_code", String(4), nullable=False),
    Column("circle_code", String(4), nullable=False),
    Column("source", String(200), nullable=False, default=""),
)

dnd_registry = Table(
    "dnd_registry",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("dnd", Boolean, nullable=False),
    Column("categories", String(100), nullable=False, default=""),
    Column("source", String(200), nullable=False, default=""),
    Column("updated_at", BigInteger, nullable=False),
)
