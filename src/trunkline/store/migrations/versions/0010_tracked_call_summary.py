"""``tracked_call_summary``: listed tracked calls per hour and UTC day, property, repeat flag,
disposition and IVR key path, so Get Calls' common lists (Prompts_keys too) sum a few rows for
TotalCount and skip to the hour a deep Results_Skip lands in. Filled from ``tracked_calls``, so an
upgraded store is consistent at once.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# As of this revision; later code must not change what an old migration does.
_HOUR_MS, _DAY_MS = 3_600_000, 86_400_000
_KEYS = "property_id, is_repeat, disposition, prompts_keys"


def upgrade() -> None:
    op.create_table(
        "tracked_call_summary",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("period_ms", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.BigInteger(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("is_repeat", sa.SmallInteger(), nullable=False),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("prompts_keys", sa.String(length=64), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "account_id",
            "period_ms",
            "period_start",
            "property_id",
            "is_repeat",
            "disposition",
            "prompts_keys",
        ),
        sqlite_with_rowid=False,
    )
    hour = f"date_start - (date_start % {_HOUR_MS})"
    op.execute(
        f"INSERT INTO tracked_call_summary (account_id, period_ms, period_start, {_KEYS}, calls) "
        f"SELECT account_id, {_HOUR_MS}, {hour}, property_id, is_repeat, disposition, "
        f"COALESCE(prompts_keys, ''), count(*) FROM tracked_calls WHERE disposition IS NOT NULL "
        f"AND date_start >= 0 GROUP BY account_id, {hour}, property_id, is_repeat, disposition, "
        "COALESCE(prompts_keys, '')"
    )
    day = f"period_start - (period_start % {_DAY_MS})"
    op.execute(
        f"INSERT INTO tracked_call_summary (account_id, period_ms, period_start, {_KEYS}, calls) "
        f"SELECT account_id, {_DAY_MS}, {day}, {_KEYS}, sum(calls) FROM tracked_call_summary "
        f"WHERE period_ms = {_HOUR_MS} GROUP BY account_id, {day}, {_KEYS}"
    )


def downgrade() -> None:
    op.drop_table("tracked_call_summary")
