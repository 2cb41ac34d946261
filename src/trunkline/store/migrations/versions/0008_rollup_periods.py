"""Both call rollups are kept per hour, UTC day and eight-day block (``store.rollup_periods``), so a
month's ``Total`` sums a few blocks, days and hours, and counts in ``calls`` only the minutes at the
window's ends. ``day_start`` becomes (``period_ms``, ``period_start``).

The tables are rebuilt from ``calls``, so an upgraded store is consistent at once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# As of this revision; later code must not change what an old migration does.
_FINAL_STATUSES = ("busy", "canceled", "completed", "failed", "no-answer")
_HOUR_MS, _DAY_MS, _BLOCK_MS = 3_600_000, 86_400_000, 8 * 86_400_000
_HOUR_START = f"date_created - (date_created % {_HOUR_MS})"
_SETTLED = (
    "(CASE WHEN duration IS NULL THEN 0 ELSE 1 END) + (CASE WHEN price_micros IS NULL THEN 0 ELSE 2 END)"
)
_WIDTH = (
    "CASE WHEN duration >= 3600 THEN 3600 WHEN duration >= 1800 THEN 600 WHEN duration >= 300 THEN 60 "
    "WHEN duration >= 120 THEN 30 WHEN duration >= 10 THEN 10 ELSE 1 END"
)
_BUCKET = f"COALESCE(duration - duration % ({_WIDTH}), 0)"
_PRICE = "COALESCE(price_micros, 0)"
_PLAIN = ("status", "direction", "phone_number")
_VALUES = ("status", "direction", "phone_number", "settled", "duration_from", "price_micros")


def _columns(table: str, period: tuple[str, ...]) -> list[sa.Column[Any]]:
    columns: list[sa.Column[Any]] = [
        sa.Column("account_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in period),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("phone_number", sa.String(length=32), nullable=False),
    ]
    if table == "call_value_counts":
        columns += [
            sa.Column("settled", sa.SmallInteger(), nullable=False),
            sa.Column("duration_from", sa.BigInteger(), nullable=False),
            sa.Column("price_micros", sa.BigInteger(), nullable=False),
        ]
    return [*columns, sa.Column("calls", sa.BigInteger(), nullable=False)]


def _create(table: str, group: tuple[str, ...], period: tuple[str, ...]) -> None:
    op.create_table(
        table,
        *_columns(table, period),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", *period, *group),
        sqlite_with_rowid=table != "call_value_counts",
    )


def _fill(table: str, group: tuple[str, ...], keys: str) -> None:
    statuses = ", ".join(f"'{status}'" for status in _FINAL_STATUSES)
    names = ", ".join(group)
    op.execute(
        f"INSERT INTO {table} (account_id, period_ms, period_start, {names}, calls) "
        f"SELECT account_id, {_HOUR_MS}, {_HOUR_START}, {keys}, count(*) FROM calls "
        f"WHERE status IN ({statuses}) AND date_created >= 0 "
        f"GROUP BY account_id, {_HOUR_START}, {keys}"
    )
    for length, source in ((_DAY_MS, _HOUR_MS), (_BLOCK_MS, _DAY_MS)):
        start = f"period_start - (period_start % {length})"
        op.execute(
            f"INSERT INTO {table} (account_id, period_ms, period_start, {names}, calls) "
            f"SELECT account_id, {length}, {start}, {names}, sum(calls) FROM {table} "
            f"WHERE period_ms = {source} GROUP BY account_id, {start}, {names}"
        )


_PLAIN_KEYS = "status, direction, phone_number"
_VALUE_KEYS = f"status, direction, phone_number, {_SETTLED}, {_BUCKET}, {_PRICE}"


def upgrade() -> None:
    for table, group, keys in (
        ("call_counts", _PLAIN, _PLAIN_KEYS),
        ("call_value_counts", _VALUES, _VALUE_KEYS),
    ):
        op.drop_table(table)
        _create(table, group, ("period_ms", "period_start"))
        _fill(table, group, keys)


def downgrade() -> None:
    """Back to one row per UTC day (``day_start``), refilled from ``calls``."""
    statuses = ", ".join(f"'{status}'" for status in _FINAL_STATUSES)
    day_start = f"date_created - (date_created % {_DAY_MS})"
    for table, group, keys in (
        ("call_counts", _PLAIN, _PLAIN_KEYS),
        ("call_value_counts", _VALUES, _VALUE_KEYS),
    ):
        op.drop_table(table)
        _create(table, group, ("day_start",))
        op.execute(
            f"INSERT INTO {table} (account_id, day_start, {', '.join(group)}, calls) "
            f"SELECT account_id, {day_start}, {keys}, count(*) FROM calls "
            f"WHERE status IN ({statuses}) AND date_created >= 0 "
            f"GROUP BY account_id, {day_start}, {keys}"
        )
