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

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, Select, bindparam, delete, func, insert, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from trunkline.domain.calls.bulk_filters import BulkQuery
from trunkline.domain.calls.model import FINAL_STATUSES, Call
from trunkline.store import bulk_sql, call_callers, call_talk_times, call_value_counts
from trunkline.store.bulk_sql import FilterShape, one_of
from trunkline.store.rollup_periods import (
    HOUR_MS,
    adding_upsert,
    cover,
    fill_longer_periods,
    periods_of,
    run_sum,
)
from trunkline.store.schema.call_rollups import call_caller_counts, call_counts
from trunkline.store.schema.calls import calls
from trunkline.store.statement_cache import statements_for

_GROUP = ("status", "direction", "phone_number")
_KEY = ("account_id", "period_ms", "period_start", *_GROUP)


def rebuild(conn: Connection, account_id: int) -> None:
    """Recompute the account's rollups (this one, ``call_value_counts``, ``call_callers`` and
    ``call_talk_times``) from ``calls`` (one ``INSERT ... SELECT ... GROUP BY`` each)."""
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
    call_callers.rebuild(conn, account_id)
    call_talk_times.rebuild(conn, account_id)


def add(conn: Connection, account_id: int, calls: Iterable[Call], *, sign: int = 1) -> None:
    """Count newly inserted calls (the final ones among them) in the rollup; one upsert per group.
    ``sign=-1`` takes calls out again (a synced call whose Status changed: out as it was, in as it is).

    Run it in the transaction that inserted them, so ``calls`` and the rollup commit together. The
    caller rollup (``call_callers``) counts the same calls, so it is kept here too.
    """
    calls = list(calls)
    call_callers.add(conn, account_id, calls, sign=sign)
    groups = Counter(
        (period, call.status, call.direction, call.phone_number)
        for call in calls
        if call.status in FINAL_STATUSES and call.date_created >= 0
        for period in periods_of(call.date_created - call.date_created % HOUR_MS)
    )
    if sign != 1:
        groups = Counter({key: n * sign for key, n in groups.items()})
    if not groups:
        return
    # Sorted, so concurrent inserts lock the rows they share in one order (no deadlocks on PostgreSQL).
    conn.execute(
        adding_upsert(conn, call_counts, _KEY),
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


def _needs_exact(shape: FilterShape) -> bool:
    """Filters no rollup can express; they are selective enough for the indexes anyway. (Duration and
    Price are answered by ``call_value_counts``, a From filter alone by ``call_caller_counts``.)"""
    if shape.given("sid") or shape.given("to_number"):
        return True
    return bool(shape.given("from_number")) and not _by_caller(shape)


def _by_caller(shape: FilterShape) -> bool:
    """A From filter with nothing the caller rollup does not hold (status, direction, ExoPhone,
    Duration, Price). An agent who places a twentieth of a busy account's calls has ~170k of them
    in a month: counting those in ``calls`` took 174-307 ms at 10M calls; the rollup holds a few
    rows a period per caller (``ix_call_caller_counts_caller``)."""
    return (
        bool(shape.given("from_number"))
        and shape.all_statuses
        and not shape.by_value
        and not shape.given("direction")
        and not shape.given("phone_number")
    )


def count(conn: Connection, account_id: int, query: BulkQuery) -> int:
    """The number of calls ``query`` lists: always equal to ``SELECT count(*) FROM calls WHERE
    <bulk_sql.conditions>``.

    The whole periods of the window come from a rollup when the query filters on nothing finer than
    status, direction, ExoPhone, Duration and Price, or on From alone; the minutes at either end, and
    any other query, are counted in ``calls``. Either way it is one statement, so every part is read
    from the same snapshot, cached per shape (``statement_cache``): the shape of a window's cover
    varies little.
    """
    shape = bulk_sql.shape_of(query)
    if shape is None:
        return 0
    values = bulk_sql.values_of(account_id, query)
    statements = statements_for(conn.dialect)
    window = cover(query.created_from_ms, query.created_to_ms)
    if _needs_exact(shape) or not window.periods:
        exact = statements.get(
            ("count.exact", shape),
            lambda: select(func.count()).select_from(calls).where(*bulk_sql.conditions(shape)),
        )
        return int(exact.scalar(conn, values))
    for i, (length, first, end) in enumerate(window.periods):
        values.update({f"period_{i}_ms": length, f"period_{i}_first": first, f"period_{i}_end": end})
    for i, (start, end) in enumerate(window.exact):
        values.update({f"edge_{i}_from": start, f"edge_{i}_to": end})
    by_value: call_value_counts.ValueShape | None = None
    if shape.by_value:
        planned = call_value_counts.plan(query)
        if planned is None:
            return 0
        by_value, more = planned
        values.update(more)
        rolled = window.rolled_up
        assert rolled is not None  # the window has whole periods here
        values["rolled_from"], values["rolled_to"] = rolled
    periods, edges = len(window.periods), len(window.exact)
    statement = statements.get(
        ("count", shape, by_value, periods, edges), lambda: _count_statement(shape, by_value, periods, edges)
    )
    # PostgreSQL sums BIGINT as NUMERIC (a Decimal here).
    return int(statement.scalar(conn, values))


def _count_statement(
    shape: FilterShape, by_value: call_value_counts.ValueShape | None, periods: int, edges: int
) -> Select:
    if _by_caller(shape):
        caller = one_of(call_caller_counts.c.from_number, "from_number", shape.given("from_number"))
        parts = [run_sum(call_caller_counts, i, shape, caller) for i in range(periods)]
    elif by_value is None:
        parts = [run_sum(call_counts, i, shape) for i in range(periods)]
    else:
        parts = [call_value_counts.period_sum(shape, by_value, i) for i in range(periods)]
        # A cut Duration bucket is counted in calls over the stretch the periods cover.
        parts += [
            _count_in_calls(shape, "rolled", cut, duration_index=True)
            for cut in call_value_counts.cut_conditions(by_value)
        ]
    parts += [_count_in_calls(shape, f"edge_{i}") for i in range(edges)]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return select(total)


def _count_in_calls(
    shape: FilterShape, stretch: str, *extra: ColumnElement, duration_index: bool = False
) -> ColumnElement:
    """``SELECT count(*) FROM calls`` of the query's calls between ``<stretch>_from`` and ``<stretch>_to``.

    These date bounds replace the window's own rather than joining them: SQLite ranges over an index
    on just one lower and one upper bound of a column, the first it meets, so with both present an edge
    of a few minutes would walk the whole month. The count ranges over the dates, unless
    ``duration_index`` (the count of a cut Duration bucket, which seeks ``ix_calls_account_duration``).
    """
    return (
        select(func.count())
        .select_from(calls)
        .where(
            calls.c.date_created >= bindparam(f"{stretch}_from"),
            calls.c.date_created <= bindparam(f"{stretch}_to"),
            *bulk_sql.conditions(shape, dates=False, duration_index=duration_index),
            *extra,
        )
        .scalar_subquery()
    )
