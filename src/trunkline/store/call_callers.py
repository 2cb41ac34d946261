"""The ``call_caller_counts`` rollup: final calls per account, period and caller (From).

The console's Overview lists the busiest callers of a window; grouping a month of a busy account's
``calls`` by ``from_number`` reads every row of the month (~170k). This rollup holds, for every hour,
UTC day and eight-day block (``rollup_periods``), how many final calls each caller made, so a window
made of whole hours sums a few blocks, days and hours instead.

It counts exactly the calls ``call_counts`` counts (final, dated from 1970 on) and moves with it:
``call_counts.add`` calls ``add`` and ``call_counts.rebuild`` calls ``rebuild``, so every door that
writes calls (``store.call_writes``, ``store.bulk_load``, seeding) keeps it in step without knowing it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, delete, func, insert, literal_column, or_, select, union_all

from trunkline.domain.calls.model import FINAL_STATUSES, Call
from trunkline.store.rollup_periods import HOUR_MS, Cover, adding_upsert, fill_longer_periods, periods_of
from trunkline.store.schema.call_rollups import call_caller_counts
from trunkline.store.schema.calls import calls

_GROUP = ("from_number",)
_KEY = ("account_id", "period_ms", "period_start", *_GROUP)


def add(conn: Connection, account_id: int, records: Iterable[Call], *, sign: int = 1) -> None:
    """Count newly final calls (``sign=-1`` takes them out again); in the transaction that writes them.
    Rows left at zero are deleted, so a caller whose calls were all taken out leaves no row."""
    groups: Counter[tuple[tuple[int, int], str]] = Counter()
    for call in records:
        if call.status in FINAL_STATUSES and call.date_created >= 0:
            for period in periods_of(call.date_created - call.date_created % HOUR_MS):
                groups[(period, call.from_number)] += sign
    changed = {key: n for key, n in groups.items() if n}
    if not changed:
        return
    # Sorted, so concurrent writers lock the rows they share in one order (no deadlocks on PostgreSQL).
    conn.execute(
        adding_upsert(conn, call_caller_counts, _KEY),
        [
            {
                "account_id": account_id,
                "period_ms": period_ms,
                "period_start": period_start,
                "from_number": caller,
                "calls": n,
            }
            for ((period_ms, period_start), caller), n in sorted(changed.items())
        ],
    )
    if any(n < 0 for n in changed.values()):
        conn.execute(
            delete(call_caller_counts).where(
                call_caller_counts.c.account_id == account_id, call_caller_counts.c.calls == 0
            )
        )


def rebuild(conn: Connection, account_id: int) -> None:
    """Recompute the account's rows from ``calls``. On PostgreSQL the caller holds writers off
    (``call_counts.rebuild`` locks ``calls`` first)."""
    purge(conn, account_id)
    hour_start = calls.c.date_created - calls.c.date_created % literal_column(str(HOUR_MS))
    grouped = (
        select(
            calls.c.account_id, literal_column(str(HOUR_MS)), hour_start, calls.c.from_number, func.count()
        )
        .where(
            calls.c.account_id == account_id,
            calls.c.status.in_(sorted(FINAL_STATUSES)),
            calls.c.date_created >= 0,
        )
        .group_by(calls.c.account_id, hour_start, calls.c.from_number)
    )
    columns = ["account_id", "period_ms", "period_start", *_GROUP, "calls"]
    conn.execute(insert(call_caller_counts).from_select(columns, grouped))
    fill_longer_periods(conn, call_caller_counts, account_id, _GROUP)


def purge(conn: Connection, account_id: int | None) -> None:
    """Delete the rows of one account (None: of all), when its calls go."""
    statement = delete(call_caller_counts)
    if account_id is not None:
        statement = statement.where(call_caller_counts.c.account_id == account_id)
    conn.execute(statement)


def busiest(conn: Connection, account_id: int, window: Cover, limit: int) -> list[tuple[str, int]]:
    """The ``limit`` callers with the most final calls in the window, most first (ties by number):
    the whole periods from the rollup, the stretches at the window's ends counted in ``calls``."""
    table = call_caller_counts
    parts = []
    for length, first, end in window.periods:
        parts.append(
            select(table.c.from_number.label("caller"), table.c.calls.label("n")).where(
                table.c.account_id == account_id,
                table.c.period_ms == length,
                table.c.period_start >= first,
                table.c.period_start < end,
            )
        )
    if window.exact:
        parts.append(
            select(calls.c.from_number.label("caller"), literal_column("1").label("n")).where(
                calls.c.account_id == account_id,
                calls.c.status.in_(sorted(FINAL_STATUSES)),
                or_(*(calls.c.date_created.between(low, high) for low, high in window.exact)),
            )
        )
    if not parts:
        return []
    rows = union_all(*parts).subquery()
    total = func.sum(rows.c.n).label("total")
    query = (
        select(rows.c.caller, total)
        .group_by(rows.c.caller)
        .order_by(total.desc(), rows.c.caller)
        .limit(limit)
    )
    return [(str(caller), int(n)) for caller, n in conn.execute(query)]
