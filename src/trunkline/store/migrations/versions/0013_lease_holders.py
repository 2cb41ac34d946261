"""``lease_holder`` on the two outboxes that lease rows (``webhook_deliveries``, ``flow_requests``):
which server process holds a claimed row, so that a starting server can take back the leases of a
process that died instead of waiting them out, and so that several processes sharing a store can
later take over the leases of one that stopped. Existing leases have no holder: they run out as
before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhook_deliveries", sa.Column("lease_holder", sa.String(length=64), nullable=True))
    op.add_column("flow_requests", sa.Column("lease_holder", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flow_requests") as batch:
        batch.drop_column("lease_holder")
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_column("lease_holder")
