"""The ``call_counts`` rollup: final calls per account, period, status, direction and ExoPhone.

The bulk list's ``Total`` must be exact, and counting a month of a busy account in ``calls`` walks
~170k index entries (30-50 ms on SQLite). The whole periods inside the window (eight-day blocks, UTC
days and hours: ``rollup_periods``) are summed from this table instead (from ``call_value_counts``
when the query filters on Duration or Price), and only the minutes before the first whole hour and
after the last are counted in ``calls``; the result is the same number.

Calls dated before 1970 (negative epoch ms) are never rolled up: SQL's ``%`` truncates toward zero, so
their period would be wrong. ``count`` takes only periods from 1970 on out of the rollup, so such calls
are still counted exactly.

The rollup must move with ``calls``: ``add`` in the transaction that inserts calls, ``rebuild`` (of both
rollups) after bulk loads or any other change made behind the store's back.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Insert, Select, delete, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ColumnElement

from trunkline.domain.calls.bulk_filters import BulkQuery
from trunkline.domain.calls.model import FINAL_STATUSES, Call
from trunkline.store import call_value_counts
from trunkline.store.rollup_periods import HOUR_MS, cover, fill_longer_periods, periods_of
from trunkline.store.schema import call_counts, calls

_GROUP = ("status", "direction", "phone_number")
_PRIMARY_KEY = [call_counts.c[name] for name in ("account_id", "period_ms", "period_start", *_GROUP)]


def rebuild(conn: Connection, account_id: int) -> None:
    """Recompute the account's rollups (this one and ``call_value_counts``) from ``calls`` (one
    ``INSERT ... SELECT ... GROUP BY`` each)."""
    if conn.dialect.name == "postgresql":
        # Calls inserted meanwhile would be missed by the SELECT, or collide with it in their upsert:
        # hold writers off (readers are not blocked) until this transaction commits.
        conn.exec_driver_sql(f"LOCK TABLE {calls.name} IN SHARE ROW EXCLUSIVE MODE")
    conn.execute(delete(call_counts).where(call_counts.c.account_id == account_id))
    # Inlined, not bound: PostgreSQL matches the SELECT list to GROUP BY by expression, parameters included.
    hour_start = calls.c.date_created - calls.c.date_created % literal_column(str(HOUR_MS))
    grouped = (
        select(
            calls.c.account_id,
            literal_column(str(HOUR_MS)),
            hour_start,
            calls.c.status,
            calls.c.direction,
            calls.c.phone_number,
            func.count(),
        )
        .where(
            calls.c.account_id == account_id,
            calls.c.status.in_(sorted(FINAL_STATUSES)),
            calls.c.date_created >= 0,
        )
        .group_by(calls.c.account_id, hour_start, calls.c.status, calls.c.direction, calls.c.phone_number)
    )
    columns = ["account_id", "period_ms", "period_start", *_GROUP, "calls"]
    conn.execute(insert(call_counts).from_select(columns, grouped))
    fill_longer_periods(conn, call_counts, account_id, _GROUP)
    call_value_counts.rebuild(conn, account_id)


def _upsert(conn: Connection) -> Insert:
    dialect = conn.dialect.name
    if dialect == "sqlite":
        lite = sqlite.insert(call_counts)
        return lite.on_conflict_do_update(
            index_elements=_PRIMARY_KEY, set_={"calls": call_counts.c.calls + lite.excluded.calls}
        )
    if dialect == "postgresql":
        pg = postgresql.insert(call_counts)
        return pg.on_conflict_do_update(
            index_elements=_PRIMARY_KEY, set_={"calls": call_counts.c.calls + pg.excluded.calls}
        )
    raise NotImplementedError(f"call_counts has no upsert for the {dialect} dialect")


def add(conn: Connection, account_id: int, calls: Iterable[Call]) -> None:
    """Count newly inserted calls (the final ones among them) in the rollup; one upsert per group.

    Run it in the transaction that inserted them, so ``calls`` and the rollup commit together.
    """
    groups = Counter(
        (period, call.status, call.direction, call.phone_number)
        for call in calls
        if call.status in FINAL_STATUSES and call.date_created >= 0
        for period in periods_of(call.date_created - call.date_created % HOUR_MS)
    )
    if not groups:
        return
    # Sorted, so concurrent inserts lock the rows they share in one order (no deadlocks on PostgreSQL).
    conn.execute(
        _upsert(conn),
        [
            {
                "account_id": account_id,
                "period_ms": period_ms,
                "period_start": period_start,
                "status": status,
                "direction": direction,
                "phone_number": phone_number,
                "calls": n,
            }
            for ((period_ms, period_start), status, direction, phone_number), n in sorted(groups.items())
        ],
    )


def _needs_exact(query: BulkQuery) -> bool:
    """Filters no rollup can express; they are selective enough for the indexes anyway. (Duration and
    Price are answered by ``call_value_counts``.)"""
    return bool(query.sids or query.to_numbers or query.from_numbers)


def _in(column: ColumnElement, values: Sequence[str]) -> ColumnElement:
    return column.in_(values) if len(values) > 1 else column == values[0]


def _count_between(
    exact_conditions: Sequence[ColumnElement], start: int, end: int, *, by_duration: bool = False
) -> Select:
    """``SELECT count(*) FROM calls WHERE <exact_conditions>`` restricted to ``start <= date_created <= end``.

    The window's own bounds on ``date_created`` are dropped when the new ones imply them: SQLite uses
    just one lower and one upper bound of a column to range over an index, the first it meets, so
    with both present an edge of a few hours would walk the whole month. Unless ``by_duration`` (the
    count of a cut Duration bucket, which seeks ``ix_calls_account_duration``), the count ranges over
    the dates.
    """
    kept = [condition for condition in exact_conditions if not _implied(condition, start, end)]
    if not by_duration:
        kept = [_unindexed(condition) for condition in kept]
    return (
        select(func.count())
        .select_from(calls)
        .where(calls.c.date_created >= start, calls.c.date_created <= end, *kept)
    )


def _unindexed(condition: ColumnElement) -> ColumnElement:
    """``condition`` with Duration compared as an expression (``duration + 0``), which no index serves.

    SQLite rates a range on ``ix_calls_account_duration`` as selective as one on the dates, and may
    then walk every call of the store in that Duration range (80 ms) to count one day's edge."""
    if isinstance(condition, BinaryExpression) and condition.left is calls.c.duration:
        return condition.operator(calls.c.duration + 0, condition.right)
    return condition


def _implied(condition: ColumnElement, start: int, end: int) -> bool:
    """Whether ``condition`` is ``date_created >= v`` with ``v <= start``, or ``<= v`` with ``v >= end``."""
    if not isinstance(condition, BinaryExpression) or condition.left is not calls.c.date_created:
        return False
    bound = condition.right
    if not isinstance(bound, BindParameter) or type(bound.value) is not int:
        return False
    if condition.operator is operator.ge:
        return bool(bound.value <= start)
    if condition.operator is operator.le:
        return bool(bound.value >= end)
    return False


def count(
    conn: Connection, account_id: int, query: BulkQuery, exact_conditions: Sequence[ColumnElement]
) -> int:
    """The number of calls matching ``exact_conditions`` (the WHERE clause of ``query`` on ``calls``).

    Always equal to ``SELECT count(*) FROM calls WHERE <exact_conditions>``. The whole periods of the
    window come from a rollup when the query filters on nothing finer than status, direction, ExoPhone,
    Duration and Price; the minutes at either end, and any other query, are counted in ``calls``.
    """
    window = cover(query.created_from_ms, query.created_to_ms)
    if _needs_exact(query) or not window.periods:
        return int(
            conn.execute(select(func.count()).select_from(calls).where(*exact_conditions)).scalar_one()
        )
    statuses = sorted(FINAL_STATUSES.intersection(query.statuses) if query.statuses else FINAL_STATUSES)
    if not statuses:
        return 0
    # One statement, so the ends and the rollup are read from the same snapshot.
    if call_value_counts.answers(query):
        split = call_value_counts.whole_periods(account_id, query, statuses, window.periods)
        if split is None:
            return 0
        parts, cuts = split
        rolled = window.rolled_up
        assert rolled is not None
        parts += [
            _count_between([*exact_conditions, cut], *rolled, by_duration=True).scalar_subquery()
            for cut in cuts
        ]
    else:
        parts = [_rollup_total(account_id, query, statuses, period) for period in window.periods]
    parts += [_count_between(exact_conditions, start, end).scalar_subquery() for start, end in window.exact]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    # PostgreSQL sums BIGINT as NUMERIC (a Decimal here).
    return int(conn.execute(select(total)).scalar_one())


def _rollup_total(
    account_id: int, query: BulkQuery, statuses: Sequence[str], period: tuple[int, int, int]
) -> ColumnElement:
    length, first, end = period
    rollup = [
        call_counts.c.account_id == account_id,
        call_counts.c.period_ms == length,
        call_counts.c.period_start >= first,
        call_counts.c.period_start < end,
    ]
    if FINAL_STATUSES.difference(statuses):  # the rollup holds final calls only: all of them need no test
        rollup.append(_in(call_counts.c.status, statuses))
    if query.directions:
        rollup.append(_in(call_counts.c.direction, query.directions))
    if query.phone_numbers:
        rollup.append(_in(call_counts.c.phone_number, query.phone_numbers))
    return select(func.coalesce(func.sum(call_counts.c.calls), 0)).where(*rollup).scalar_subquery()
