"""The ``call_talk_times`` rollup: per account, period and status, how many final calls have a known
Duration and the sum of those Durations.

The console's Overview shows the mean talk time of a window; averaging a month of a busy account's
``calls`` reads every row of it. This rollup keeps the two sums per hour, UTC day and eight-day block
(``rollup_periods``), so a window of whole hours sums a few rows per status.

A call's Duration is known only once it settles, a moment after it ended; so, like
``call_value_counts``, this rollup is not only added to but moved: ``add`` when calls are inserted
(already over), ``move`` when the engine or a sync changes a stored call (each change as the call's key
before and after: ``key_of``), ``rebuild`` after bulk loads (``call_counts.rebuild`` calls it), ``purge``
with the calls. Live calls and calls dated before 1970 are left out, as in every call rollup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, delete, func, insert, literal_column, select

from trunkline.domain.calls.model import FINAL_STATUSES, Call
from trunkline.store.rollup_periods import HOUR_MS, Cover, adding_upsert, fill_longer_periods, periods_of
from trunkline.store.schema.call_rollups import call_talk_times
from trunkline.store.schema.calls import calls

TalkKey = tuple[int, str, int]
"""(hour_start, status, duration): where a call with a known Duration is counted."""

_GROUP = ("status",)
_KEY = ("account_id", "period_ms", "period_start", *_GROUP)
_SUMS = ("calls", "duration_sum")


def key_of(date_created: int, status: str, duration: int | None) -> TalkKey | None:
    """Where a call with these values is counted; None when it is not (live, not settled, before 1970)."""
    if status not in FINAL_STATUSES or date_created < 0 or duration is None:
        return None
    return (date_created - date_created % HOUR_MS, status, duration)


def key_of_call(call: Call) -> TalkKey | None:
    return key_of(call.date_created, call.status, call.duration)


def _apply(conn: Connection, account_id: int, changes: Iterable[tuple[TalkKey, int]]) -> None:
    """Add (sign +1) or take out (-1) each key's call from its hour's, day's and block's rows."""
    calls_by: Counter[tuple[tuple[int, int], str]] = Counter()
    seconds_by: Counter[tuple[tuple[int, int], str]] = Counter()
    for (hour_start, status, duration), sign in changes:
        for period in periods_of(hour_start):
            calls_by[(period, status)] += sign
            seconds_by[(period, status)] += sign * duration
    rows = sorted(key for key in calls_by.keys() | seconds_by.keys() if calls_by[key] or seconds_by[key])
    if not rows:
        return
    # Sorted, so concurrent writers lock the rows they share in one order (no deadlocks on PostgreSQL).
    conn.execute(
        adding_upsert(conn, call_talk_times, _KEY, _SUMS),
        [
            {
                "account_id": account_id,
                "period_ms": period_ms,
                "period_start": period_start,
                "status": status,
                "calls": calls_by[key],
                "duration_sum": seconds_by[key],
            }
            for key in rows
            for (period_ms, period_start), status in (key,)
        ],
    )
    if any(calls_by[key] < 0 for key in rows):
        conn.execute(
            delete(call_talk_times).where(
                call_talk_times.c.account_id == account_id, call_talk_times.c.calls == 0
            )
        )


def add(conn: Connection, account_id: int, records: Iterable[Call]) -> None:
    """Count newly inserted calls; run it in the transaction that inserts them."""
    _apply(conn, account_id, [(key, 1) for key in map(key_of_call, records) if key is not None])


def move(conn: Connection, account_id: int, changes: Iterable[tuple[TalkKey | None, TalkKey | None]]) -> None:
    """Recount calls that changed: each ``(before, after)`` pair moves one call (None: not counted).
    Run it in the transaction that updates them."""
    deltas: list[tuple[TalkKey, int]] = []
    for before, after in changes:
        if before == after:
            continue
        if before is not None:
            deltas.append((before, -1))
        if after is not None:
            deltas.append((after, 1))
    _apply(conn, account_id, deltas)


def rebuild(conn: Connection, account_id: int) -> None:
    """Recompute the account's rows from ``calls``. On PostgreSQL the caller holds writers off
    (``call_counts.rebuild`` locks ``calls`` first)."""
    purge(conn, account_id)
    hour_start = calls.c.date_created - calls.c.date_created % literal_column(str(HOUR_MS))
    grouped = (
        select(
            calls.c.account_id,
            literal_column(str(HOUR_MS)),
            hour_start,
            calls.c.status,
            func.count(),
            func.sum(calls.c.duration),
        )
        .where(
            calls.c.account_id == account_id,
            calls.c.status.in_(sorted(FINAL_STATUSES)),
            calls.c.date_created >= 0,
            calls.c.duration.is_not(None),
        )
        .group_by(calls.c.account_id, hour_start, calls.c.status)
    )
    columns = ["account_id", "period_ms", "period_start", *_GROUP, *_SUMS]
    conn.execute(insert(call_talk_times).from_select(columns, grouped))
    fill_longer_periods(conn, call_talk_times, account_id, _GROUP, sums=_SUMS)


def purge(conn: Connection, account_id: int | None) -> None:
    """Delete the rows of one account (None: of all), when its calls go."""
    statement = delete(call_talk_times)
    if account_id is not None:
        statement = statement.where(call_talk_times.c.account_id == account_id)
    conn.execute(statement)


def totals(conn: Connection, account_id: int, window: Cover) -> dict[str, tuple[int, int]]:
    """Per status, (calls with a known Duration, sum of their Durations) in the window: the whole
    periods from the rollup, the stretches at its ends counted in ``calls``."""
    table = call_talk_times
    found: dict[str, tuple[int, int]] = {}

    def gather(rows: Iterable[tuple[str, int | None, int | None]]) -> None:
        for status, n, seconds in rows:
            had = found.get(status, (0, 0))
            found[status] = (had[0] + int(n or 0), had[1] + int(seconds or 0))

    for length, first, end in window.periods:
        gather(
            conn.execute(
                select(table.c.status, func.sum(table.c.calls), func.sum(table.c.duration_sum))
                .where(
                    table.c.account_id == account_id,
                    table.c.period_ms == length,
                    table.c.period_start >= first,
                    table.c.period_start < end,
                )
                .group_by(table.c.status)
            )
        )
    for low, high in window.exact:
        gather(
            conn.execute(
                select(calls.c.status, func.count(), func.sum(calls.c.duration))
                .where(
                    calls.c.account_id == account_id,
                    calls.c.status.in_(sorted(FINAL_STATUSES)),
                    calls.c.duration.is_not(None),
                    calls.c.date_created.between(low, high),
                )
                .group_by(calls.c.status)
            )
        )
    return found
