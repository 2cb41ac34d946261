"""The web console's Phone: ``phone_holds`` (numbers a person answers in a browser, held while a
page renews them) and ``phone_legs`` (the live legs ringing them, kept in step with calls).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "phone_holds",
        sa.Column("number", sa.String(length=32), primary_key=True),
        sa.Column("holder", sa.String(length=64), primary_key=True),
        sa.Column(
            "account_id", sa.Integer(), sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_phone_holds_account", "phone_holds", ["account_id"])
    op.create_table(
        "phone_legs",
        sa.Column("call_id", ROW_ID, sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("leg", sa.Integer(), primary_key=True),
        sa.Column(
            "account_id", sa.Integer(), sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_phone_legs_account", "phone_legs", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_phone_legs_account", table_name="phone_legs")
    op.drop_table("phone_legs")
    op.drop_index("ix_phone_holds_account", table_name="phone_holds")
    op.drop_table("phone_holds")
