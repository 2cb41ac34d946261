"""Rollup of final calls by Duration bucket and Price (``call_value_counts``), and the index that counts
a cut Duration bucket exactly: a bulk list filtered on Duration or Price over a month counts from them.

Filled from the calls already stored, so an upgraded store is consistent at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# As of this revision; later code must not change what an old migration does.
_FINAL_STATUSES = ("busy", "canceled", "completed", "failed", "no-answer")
_DAY_START = "date_created - (date_created % 86400000)"
_SETTLED = (
    "(CASE WHEN duration IS NULL THEN 0 ELSE 1 END) + (CASE WHEN price_micros IS NULL THEN 0 ELSE 2 END)"
)
_WIDTH = (
    "CASE WHEN duration >= 3600 THEN 3600 WHEN duration >= 1800 THEN 600 WHEN duration >= 300 THEN 60 "
    "WHEN duration >= 120 THEN 30 WHEN duration >= 10 THEN 10 ELSE 1 END"
)
_BUCKET = f"COALESCE(duration - duration % ({_WIDTH}), 0)"
_PRICE = "COALESCE(price_micros, 0)"


def upgrade() -> None:
    op.create_table(
        "call_value_counts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day_start", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("phone_number", sa.String(length=32), nullable=False),
        sa.Column("settled", sa.SmallInteger(), nullable=False),
        sa.Column("duration_from", sa.BigInteger(), nullable=False),
        sa.Column("price_micros", sa.BigInteger(), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "account_id",
            "day_start",
            "status",
            "direction",
            "phone_number",
            "settled",
            "duration_from",
            "price_micros",
        ),
        sqlite_with_rowid=False,
    )
    statuses = ", ".join(f"'{status}'" for status in _FINAL_STATUSES)
    keys = f"{_DAY_START}, status, direction, phone_number, {_SETTLED}, {_BUCKET}, {_PRICE}"
    op.execute(
        "INSERT INTO call_value_counts (account_id, day_start, status, direction, phone_number, settled, "
        "duration_from, price_micros, calls) "
        f"SELECT account_id, {keys}, count(*) FROM calls "
        f"WHERE status IN ({statuses}) AND date_created >= 0 "
        f"GROUP BY account_id, {keys}"
    )
    op.create_index(
        "ix_calls_account_duration",
        "calls",
        ["account_id", "duration", "date_created", "status", "direction", "price_micros", "phone_number"],
    )


def downgrade() -> None:
    op.drop_index("ix_calls_account_duration", table_name="calls")
    op.drop_table("call_value_counts")
