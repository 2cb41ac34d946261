"""Flows, inbound traffic and recordings: flow definitions per account, the flow an ExoPhone
answers with, traffic generators, the outbox of Passthru requests, and one row per recording.
Calls gain the flow they ran and the IVR keys pressed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("flow_app_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("ivr_keys", sa.String(length=64), nullable=True))
    with op.batch_alter_table("exophones") as batch:
        batch.add_column(sa.Column("flow_app_id", sa.String(length=64), nullable=True))
    op.create_table(
        "flows",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "app_id"),
    )
    op.create_table(
        "traffic_generators",
        sa.Column("id", _ROW_ID, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("next_at", sa.BigInteger(), nullable=True),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_traffic_generators_due", "traffic_generators", ["next_at"])
    op.create_table(
        "flow_requests",
        sa.Column("id", _ROW_ID, autoincrement=True, nullable=False),
        sa.Column("call_id", _ROW_ID, nullable=False),
        sa.Column("applet", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.BigInteger(), nullable=False),
        sa.Column("timeout_ms", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_flow_requests_due", "flow_requests", ["state", "lease_until"])
    op.create_index("ix_flow_requests_call", "flow_requests", ["call_id"])
    op.create_table(
        "recordings",
        sa.Column("id", _ROW_ID, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("call_id", _ROW_ID, nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channels", sa.String(length=8), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("path", name="uq_recordings_path"),
    )
    op.create_index("ix_recordings_call", "recordings", ["call_id"])


def downgrade() -> None:
    op.drop_table("recordings")
    op.drop_table("flow_requests")
    op.drop_table("traffic_generators")
    op.drop_table("flows")
    with op.batch_alter_table("exophones") as batch:
        batch.drop_column("flow_app_id")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("ivr_keys")
        batch.drop_column("flow_app_id")
