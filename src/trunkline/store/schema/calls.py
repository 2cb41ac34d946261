"""Call records and their legs: what every dialect's call lookups and bulk lists read."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table

from trunkline.store.schema.catalog import ROW_ID, metadata

_COVERED = ("status", "direction", "duration", "price_micros")

calls = Table(
    "calls",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("sid", String(64), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("parent_call_sid", String(64)),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Column("from_number", String(128), nullable=False),
    Column("to_number", String(128)),
    Column("phone_number", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("start_time", BigInteger),
    Column("end_time", BigInteger),
    Column("duration", Integer),
    Column("price_micros", BigInteger),
    Column("answered_by", String(16)),
    Column("forwarded_from", String(128)),
    Column("caller_name", String(200)),
    Column("recording_path", String(300)),
    Column("conversation_duration", Integer),
    Column("custom_field", String(128)),
    Column("flow_app_id", String(64)),  # the flow (app_id) the call ran, if any
    Column("ivr_keys", String(64)),  # IVR keys pressed, in order, comma-joined (Fone's Prompts_Keys)
    # The bulk list walks this index in (date_created, sid) order for one account; the trailing
    # columns let it count and filter Status/Direction/Duration/Price without touching the table.
    Index(
        "ix_calls_account_created",
        "account_id",
        "date_created",
        "sid",
        "status",
        "direction",
        "duration",
        "price_micros",
    ),
    # One per number filter, covering the same columns, so counting one customer's calls never
    # reads the table (migration 0003).
    *(
        Index(f"ix_calls_account_{name}", "account_id", column, "date_created", "sid", *_COVERED)
        for name, column in (("to", "to_number"), ("from", "from_number"), ("phone", "phone_number"))
    ),
    # Exact counts of a Duration bucket that a filter cuts through (``store.call_value_counts``): one
    # seek per second, then the window's dates, never reading the table (migration 0006).
    Index(
        "ix_calls_account_duration",
        "account_id",
        "duration",
        "date_created",
        "status",
        "direction",
        "price_micros",
        "phone_number",
    ),
)

call_legs = Table(
    "call_legs",
    metadata,
    Column(
        "call_id",
        ROW_ID,
        ForeignKey("calls.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("leg_id", Integer, primary_key=True),
    Column("number", String(128)),
    Column("status", String(16)),
    Column("on_call_duration", Integer, nullable=False, default=0),
    Column("answered_by", String(16)),
)
