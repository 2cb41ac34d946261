"""A number belongs to one account: ``exophones.owned_number`` with a unique index.

Until now the key of ``exophones`` was ``(account, number)``, so Fone's Purchase Numbers (or the CLI)
could give account A the ExoPhone of account B, and A could then call with it as its CallerId. A
store may already hold such shared numbers: they keep working for both accounts (their
``owned_number`` stays NULL, which a unique index allows) and each is logged here, so an operator can
remove it from the account that should not have it (``trunkline accounts remove-exophone``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

log = logging.getLogger("trunkline.migrations")


def upgrade() -> None:
    with op.batch_alter_table("exophones") as batch:
        batch.add_column(sa.Column("owned_number", sa.String(length=32), nullable=True))
    conn = op.get_bind()
    shared = conn.execute(
        sa.text(
            "SELECT e.number, a.sid FROM exophones e JOIN accounts a ON a.id = e.account_id "
            "WHERE e.number IN (SELECT number FROM exophones GROUP BY number HAVING COUNT(*) > 1) "
            "ORDER BY e.number, a.sid"
        )
    ).all()
    holders: dict[str, list[str]] = {}
    for number, sid in shared:
        holders.setdefault(number, []).append(sid)
    for number, sids in holders.items():
        log.warning(
            "ExoPhone %s is held by %d accounts (%s); each keeps it, no other account can take it",
            number,
            len(sids),
            ", ".join(sids),
        )
    conn.execute(
        sa.text(
            "UPDATE exophones SET owned_number = number WHERE number NOT IN "
            "(SELECT number FROM exophones GROUP BY number HAVING COUNT(*) > 1)"
        )
    )
    op.create_index("uq_exophones_owned_number", "exophones", ["owned_number"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_exophones_owned_number", table_name="exophones")
    with op.batch_alter_table("exophones") as batch:
        batch.drop_column("owned_number")
