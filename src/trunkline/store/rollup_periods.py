"""The periods the call rollups are kept for, and how a bulk query's window splits into them.

Both rollups (``call_counts``, ``call_value_counts``) hold every final call three times: in its hour,
its UTC day and its eight-day block (periods aligned on the epoch). A month-long window is then summed
from three or four blocks, a few days and a few hours at each end, and only the minutes before the
first whole hour and after the last are counted in ``calls``. With days alone a month of a busy account
summed ~12k Duration/Price rows and counted two partial days (~4k index entries) in ``calls``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Insert, Table, bindparam, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from trunkline.domain.calls.bulk_filters import DAY_MS
from trunkline.store.bulk_sql import FilterShape, one_of

HOUR_MS = 3_600_000
BLOCK_MS = 8 * DAY_MS
PERIODS = (BLOCK_MS, DAY_MS, HOUR_MS)
"""Coarsest first; each is a whole multiple of the next."""


def period_start(created_ms: int, period_ms: int) -> int:
    return created_ms - created_ms % period_ms


@dataclass(frozen=True, slots=True)
class Cover:
    """A window as whole rollup periods plus the stretches at its ends that no period fits."""

    periods: tuple[tuple[int, int, int], ...]
    """(period length, first period start, end), end exclusive: at most one run of each length on
    either side of the longest."""
    exact: tuple[tuple[int, int], ...]
    """Inclusive ms ranges to count in ``calls``: at most one at each end of the window."""

    @property
    def rolled_up(self) -> tuple[int, int] | None:
        """The inclusive range the periods cover together (they are contiguous), or None."""
        if not self.periods:
            return None
        return min(start for _, start, _ in self.periods), max(end for _, _, end in self.periods) - 1


def cover(low: int, high: int) -> Cover:
    """Split the inclusive window ``[low, high]`` greedily: the longest periods wholly inside it, then
    shorter ones on either side of them. Calls before 1970 are not rolled up, so a window reaching
    back before the epoch counts that part exactly."""
    periods: list[tuple[int, int, int]] = []
    left: list[tuple[int, int]] = []
    right: list[tuple[int, int]] = []

    def split(start: int, end: int, lengths: tuple[int, ...], exact: list[tuple[int, int]]) -> None:
        if start >= end:
            return
        if not lengths:
            exact.append((start, end - 1))
            return
        length = lengths[0]
        first, last = -(-start // length) * length, end // length * length
        if first >= last:
            split(start, end, lengths[1:], exact)
            return
        split(start, first, lengths[1:], left)
        periods.append((length, first, last))
        split(last, end, lengths[1:], right)

    if high < low:
        return Cover((), ())
    if low < 0:
        left.append((low, min(high, -1)))
        low = 0
    split(low, high + 1, PERIODS, left)
    return Cover(tuple(sorted(periods, reverse=True)), _merged(sorted(left + right)))


def _merged(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and merged[-1][1] + 1 >= start:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def fill_longer_periods(
    conn: Connection,
    table: Table,
    account_id: int | None,
    group: Sequence[str],
    up_to: int = BLOCK_MS,
    sums: Sequence[str] = ("calls",),
) -> None:
    """Derive a rollup's day rows from its hour rows, and its block rows from the day rows, up to periods
    of ``up_to`` (after a rebuild has written the hours; ``None``: every account). ``sums``: the
    columns that add up."""
    for length, source in ((DAY_MS, HOUR_MS), (BLOCK_MS, DAY_MS)):
        if length > up_to:
            break
        # Inlined, not bound: PostgreSQL matches the SELECT list to GROUP BY by expression.
        start = table.c.period_start - table.c.period_start % literal_column(str(length))
        keys = [table.c[name] for name in group]
        condition = [table.c.period_ms == source]
        if account_id is not None:
            condition.append(table.c.account_id == account_id)
        grouped = (
            select(
                table.c.account_id,
                literal_column(str(length)),
                start,
                *keys,
                *(func.sum(table.c[name]) for name in sums),
            )
            .where(*condition)
            .group_by(table.c.account_id, start, *keys)
        )
        conn.execute(
            insert(table).from_select(["account_id", "period_ms", "period_start", *group, *sums], grouped)
        )


def periods_of(hour_start: int) -> tuple[tuple[int, int], ...]:
    """(period length, period start) of every period an hour belongs to."""
    return tuple((length, hour_start - hour_start % length) for length in PERIODS)


def run_sum(table: Table, i: int, shape: FilterShape, *more: ColumnElement) -> ColumnElement:
    """The sum of a rollup's calls in the ``i``-th run of whole periods of a window (bound as
    ``period_<i>_ms``, ``period_<i>_first`` and ``period_<i>_end``, end exclusive) that match the
    status, direction and ExoPhone filters of ``shape`` and ``more``, for a cached count statement."""
    where = [
        table.c.account_id == bindparam("account_id"),
        table.c.period_ms == bindparam(f"period_{i}_ms"),
        table.c.period_start >= bindparam(f"period_{i}_first"),
        table.c.period_start < bindparam(f"period_{i}_end"),
    ]
    if not shape.all_statuses:  # the rollups hold final calls only: all of them need no test
        where.append(one_of(table.c.status, "status", shape.statuses))
    for column in ("direction", "phone_number"):
        if n := shape.given(column):
            where.append(one_of(table.c[column], column, n))
    total = func.coalesce(func.sum(table.c.calls), literal_column("0"))
    return select(total).where(*where, *more).scalar_subquery()


def adding_upsert(
    conn: Connection, table: Table, keys: Sequence[str], sums: Sequence[str] = ("calls",)
) -> Insert:
    """``INSERT`` rows of a rollup; a row whose ``keys`` are there already adds its ``sums`` (by default
    its ``calls``) to it."""
    index = [table.c[name] for name in keys]
    dialect = conn.dialect.name
    if dialect == "sqlite":
        lite = sqlite.insert(table)
        return lite.on_conflict_do_update(
            index_elements=index, set_={name: table.c[name] + lite.excluded[name] for name in sums}
        )
    if dialect == "postgresql":
        pg = postgresql.insert(table)
        return pg.on_conflict_do_update(
            index_elements=index, set_={name: table.c[name] + pg.excluded[name] for name in sums}
        )
    raise NotImplementedError(f"no rollup upsert for the {dialect} dialect")
