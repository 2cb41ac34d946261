"""The web console's Phone: the numbers a person answers in a browser, and the legs ringing them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table

from trunkline.store.schema.catalog import ROW_ID, metadata

phone_holds = Table(
    "phone_holds",
    metadata,
    # A number an open Phone page answers for its account, until ``expires_at`` (wall ms) unless the
    # page renews it. One row per page (``holder``): the number stays held while any page renews.
    Column("number", String(32), primary_key=True),
    Column("holder", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_phone_holds_account", "account_id"),
)

phone_legs = Table(
    "phone_legs",
    metadata,
    # The live legs a person answers (or placed) in the console, kept in step with their calls by
    # ``store.phone.PhoneLegObserver``: a page lists these instead of searching every call's legs.
    Column("call_id", ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("leg", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("number", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("since", BigInteger, nullable=False),
    Index("ix_phone_legs_account", "account_id"),
)
