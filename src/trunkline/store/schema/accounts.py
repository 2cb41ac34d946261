"""Accounts, their API credentials, and their ExoPhones."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table

from trunkline.store.schema.catalog import metadata

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sid", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False, default=""),
    Column("created_at", BigInteger, nullable=False),
)

api_credentials = Table(
    "api_credentials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("api_key", String(128), nullable=False, unique=True),
    Column("token_hash", String(200), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

exophones = Table(
    "exophones",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("number", String(32), primary_key=True),
    Column("flow_app_id", String(64)),  # the flow that answers inbound calls to this number
    # The number again when this account alone holds it: the unique index below is what makes a number
    # belong to one account. NULL only for numbers two accounts already shared before migration 0011,
    # which keep working for both (no third account can take them: ``AccountStore`` checks first).
    Column("owned_number", String(32)),
    Index("uq_exophones_owned_number", "owned_number", unique=True),
)
