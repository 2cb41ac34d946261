"""The To/From/PhoneNumber indexes also cover status, direction, duration and price, so that
counting and filtering one number's calls reads only the index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_NUMBER_COLUMNS = (("to", "to_number"), ("from", "from_number"), ("phone", "phone_number"))
_COVERED = ["status", "direction", "duration", "price_micros"]


def upgrade() -> None:
    for name, column in _NUMBER_COLUMNS:
        op.drop_index(f"ix_calls_account_{name}", table_name="calls")
        op.create_index(
            f"ix_calls_account_{name}", "calls", ["account_id", column, "date_created", "sid", *_COVERED]
        )


def downgrade() -> None:
    for name, column in _NUMBER_COLUMNS:
        op.drop_index(f"ix_calls_account_{name}", table_name="calls")
        op.create_index(f"ix_calls_account_{name}", "calls", ["account_id", column, "date_created", "sid"])
