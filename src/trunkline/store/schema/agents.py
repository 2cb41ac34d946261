"""CCM agents, and the agent each CCM call was placed for."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from trunkline.store.schema.catalog import ROW_ID, metadata

agents = Table(
    "agents",
    metadata,
    # An account's agents (CCM v2 "users"): a CCM call rings the agent's device first, then the
    # customer. ``contact_uri`` is a number (E.164) or a ``sip:`` URI; ``device_state`` is on, off,
    # busy or unverified.
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("contact_uri", String(128), nullable=False),
    Column("device_state", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    UniqueConstraint("account_id", "contact_uri", name="uq_agents_contact_uri"),
)

agent_calls = Table(
    "agent_calls",
    metadata,
    # Which agent a CCM call rang first, written with the call (a ``CallWrites`` observer). Keeps
    # the user_id the call was placed for even if the agent is later edited or removed, and answers
    # "has this agent a live call?" by joining the agent's calls to their status.
    Column("call_id", ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", Integer, nullable=False),
    Column("call_sid", String(64), nullable=False, unique=True),
    Column("user_id", String(64), nullable=False),
    Index("ix_agent_calls_user", "account_id", "user_id"),
)
