"""An index on ``call_caller_counts`` by caller first, so the bulk list's ``Total`` of a ``From=``
query sums the caller's few rows of each period instead of counting its calls one by one.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_call_caller_counts_caller",
        "call_caller_counts",
        ["account_id", "from_number", "period_ms", "period_start", "calls"],
    )


def downgrade() -> None:
    op.drop_index("ix_call_caller_counts_caller", table_name="call_caller_counts")
