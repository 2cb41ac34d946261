"""Rollup of final calls per account, UTC day, status, direction and ExoPhone (bulk list ``Total``).

Filled from the calls already stored, so an upgraded store is consistent at once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# As of this revision; later code must not change what an old migration does.
_FINAL_STATUSES = ("busy", "canceled", "completed", "failed", "no-answer")
_DAY_START = "date_created - (date_created % 86400000)"


def upgrade() -> None:
    op.create_table(
        "call_counts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day_start", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("phone_number", sa.String(length=32), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "day_start", "status", "direction", "phone_number"),
    )
    statuses = ", ".join(f"'{status}'" for status in _FINAL_STATUSES)
    op.execute(
        "INSERT INTO call_counts (account_id, day_start, status, direction, phone_number, calls) "
        f"SELECT account_id, {_DAY_START}, status, direction, phone_number, count(*) FROM calls "
        f"WHERE status IN ({statuses}) AND date_created >= 0 "
        f"GROUP BY account_id, {_DAY_START}, status, direction, phone_number"
    )


def downgrade() -> None:
    op.drop_table("call_counts")
