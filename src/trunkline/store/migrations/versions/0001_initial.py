"""Initial store: accounts, credentials, ExoPhones, calls with legs, numbering and DND tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sid"),
    )
    op.create_table(
        "dnd_registry",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("dnd", sa.Boolean(), nullable=False),
        sa.Column("categories", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "mobile_series",
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("operator_code", sa.String(length=4), nullable=False),
        sa.Column("circle_code", sa.String(length=4), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("prefix"),
    )
    op.create_table(
        "api_credentials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("api_key", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("api_key"),
    )
    op.create_index(op.f("ix_api_credentials_account_id"), "api_credentials", ["account_id"], unique=False)
    op.create_table(
        "calls",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("parent_call_sid", sa.String(length=64), nullable=True),
        sa.Column("date_created", sa.BigInteger(), nullable=False),
        sa.Column("date_updated", sa.BigInteger(), nullable=False),
        sa.Column("from_number", sa.String(length=128), nullable=False),
        sa.Column("to_number", sa.String(length=128), nullable=True),
        sa.Column("phone_number", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("start_time", sa.BigInteger(), nullable=True),
        sa.Column("end_time", sa.BigInteger(), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("price_micros", sa.BigInteger(), nullable=True),
        sa.Column("answered_by", sa.String(length=16), nullable=True),
        sa.Column("forwarded_from", sa.String(length=128), nullable=True),
        sa.Column("caller_name", sa.String(length=200), nullable=True),
        sa.Column("recording_path", sa.String(length=300), nullable=True),
        sa.Column("conversation_duration", sa.Integer(), nullable=True),
        sa.Column("custom_field", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sid"),
    )
    op.create_index(
        "ix_calls_account_created",
        "calls",
        ["account_id", "date_created", "sid", "status", "direction", "duration", "price_micros"],
        unique=False,
    )
    op.create_index(
        "ix_calls_account_from", "calls", ["account_id", "from_number", "date_created", "sid"], unique=False
    )
    op.create_index(
        "ix_calls_account_phone", "calls", ["account_id", "phone_number", "date_created", "sid"], unique=False
    )
    op.create_index(
        "ix_calls_account_to", "calls", ["account_id", "to_number", "date_created", "sid"], unique=False
    )
    op.create_table(
        "exophones",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "number"),
    )
    op.create_table(
        "call_legs",
        sa.Column("call_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("leg_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("on_call_duration", sa.Integer(), nullable=False),
        sa.Column("answered_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("call_id", "leg_id"),
    )


def downgrade() -> None:
    op.drop_table("call_legs")
    op.drop_table("exophones")
    op.drop_index("ix_calls_account_to", table_name="calls")
    op.drop_index("ix_calls_account_phone", table_name="calls")
    op.drop_index("ix_calls_account_from", table_name="calls")
    op.drop_index("ix_calls_account_created", table_name="calls")
    op.drop_table("calls")
    op.drop_index(op.f("ix_api_credentials_account_id"), table_name="api_credentials")
    op.drop_table("api_credentials")
    op.drop_table("mobile_series")
    op.drop_table("meta")
    op.drop_table("dnd_registry")
    op.drop_table("accounts")
