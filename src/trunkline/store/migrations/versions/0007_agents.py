"""Agents (CCM v2 users): who an account's agent-to-customer calls ring first, with their device;
and which agent each CCM call was placed for (``agent_calls``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_uri", sa.String(length=128), nullable=False),
        sa.Column("device_state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "user_id"),
        sa.UniqueConstraint("account_id", "contact_uri", name="uq_agents_contact_uri"),
    )
    op.create_table(
        "agent_calls",
        sa.Column("call_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("call_id"),
        sa.UniqueConstraint("call_sid"),
    )
    op.create_index("ix_agent_calls_user", "agent_calls", ["account_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_agent_calls_user", table_name="agent_calls")
    op.drop_table("agent_calls")
    op.drop_table("agents")
