"""Two more call rollups for the console's Overview: ``call_caller_counts`` (final calls per account,
period and caller) for the busiest callers, and ``call_talk_times`` (per account, period and status:
final calls, those with a known Duration, and the sum of those Durations) for the bars by status, the
answer rate and the mean talk time. Both are kept per
hour, UTC day and eight-day block, like ``call_counts``.

Filled from the calls already stored, so an upgraded store is consistent at once: one account and one
eight-day block of ``date_created`` at a time (hours grouped from ``calls``, then the block's days and
the block itself from those hours), so no statement holds more than a block of one account's calls.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# As of this revision; later code must not change what an old migration does.
_FINAL_STATUSES = ("busy", "canceled", "completed", "failed", "no-answer")
_HOUR_MS, _DAY_MS, _BLOCK_MS = 3_600_000, 86_400_000, 8 * 86_400_000
_HOUR_START = f"date_created - (date_created % {_HOUR_MS})"
_FILLS = {
    # table: (its group column in calls, the sums' SQL over calls, extra condition, the sum columns)
    "call_caller_counts": ("from_number", "count(*)", "", ("calls",)),
    "call_talk_times": (
        "status",
        "count(*), count(duration), COALESCE(sum(duration), 0)",
        "",
        ("calls", "timed", "duration_sum"),
    ),
}


def _create() -> None:
    for table, group_type, with_rowid in (
        ("call_caller_counts", ("from_number", sa.String(length=128)), False),
        ("call_talk_times", ("status", sa.String(length=16)), False),
    ):
        columns: list[sa.Column[Any]] = [
            sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("period_ms", sa.BigInteger(), nullable=False),
            sa.Column("period_start", sa.BigInteger(), nullable=False),
            sa.Column(group_type[0], group_type[1], nullable=False),
            sa.Column("calls", sa.BigInteger(), nullable=False),
        ]
        if table == "call_talk_times":
            columns.append(sa.Column("timed", sa.BigInteger(), nullable=False))
            columns.append(sa.Column("duration_sum", sa.BigInteger(), nullable=False))
        op.create_table(
            table,
            *columns,
            sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("account_id", "period_ms", "period_start", group_type[0]),
            sqlite_with_rowid=with_rowid,
        )


def _fill_block(table: str, account_id: int, block: int) -> None:
    group, sums_sql, extra, sums = _FILLS[table]
    statuses = ", ".join(f"'{status}'" for status in _FINAL_STATUSES)
    names = ", ".join(sums)
    op.execute(
        f"INSERT INTO {table} (account_id, period_ms, period_start, {group}, {names}) "
        f"SELECT account_id, {_HOUR_MS}, {_HOUR_START}, {group}, {sums_sql} FROM calls "
        f"WHERE account_id = {account_id} AND date_created >= {block} "
        f"AND date_created < {block + _BLOCK_MS} AND status IN ({statuses}){extra} "
        f"GROUP BY account_id, {_HOUR_START}, {group}"
    )
    totals = ", ".join(f"sum({name})" for name in sums)
    for length, source in ((_DAY_MS, _HOUR_MS), (_BLOCK_MS, _DAY_MS)):
        start = f"period_start - (period_start % {length})"
        op.execute(
            f"INSERT INTO {table} (account_id, period_ms, period_start, {group}, {names}) "
            f"SELECT account_id, {length}, {start}, {group}, {totals} FROM {table} "
            f"WHERE account_id = {account_id} AND period_ms = {source} AND period_start >= {block} "
            f"AND period_start < {block + _BLOCK_MS} GROUP BY account_id, {start}, {group}"
        )


def upgrade() -> None:
    _create()
    bind = op.get_bind()
    spans = bind.execute(
        sa.text(
            "SELECT account_id, min(date_created), max(date_created) FROM calls "
            "WHERE date_created >= 0 GROUP BY account_id ORDER BY account_id"
        )
    ).all()
    for account_id, first, last in spans:
        block = int(first) - int(first) % _BLOCK_MS
        while block <= int(last):
            for table in _FILLS:
                _fill_block(table, int(account_id), block)
            block += _BLOCK_MS


def downgrade() -> None:
    op.drop_table("call_talk_times")
    op.drop_table("call_caller_counts")
