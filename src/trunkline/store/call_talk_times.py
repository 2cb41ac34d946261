"""The ``call_talk_times`` rollup: per account, period and status, the final calls, how many of them
have a known Duration, and the sum of those Durations.

The console's Overview shows a window's calls per hour or day by status, its answer rate and its mean
talk time. ``call_counts`` has the counts, but split by direction and ExoPhone (thirty days by hour
read ~13k of its rows on the benchmark store); averaging Durations would read every call. This rollup
keeps the three sums per hour, UTC day and eight-day block (``rollup_periods``) with a handful of rows
per hour, so a window of whole hours sums a few thousand rows at most.

A call's Duration is known only once it settles, a moment after it ended; so, like
``call_value_counts``, this rollup is not only added to but moved: ``add`` when calls are inserted
(already over), ``move`` when the engine or a sync changes a stored call (each change as the call's key
before and after: ``key_of``), ``rebuild`` after bulk loads (``call_counts.rebuild`` calls it), ``purge``
with the calls. Live calls and calls dated before 1970 are left out, as in every call rollup.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, delete, func, insert, literal_column, select

from trunkline.domain.calls.model import FINAL_STATUSES, Call
from trunkline.store.rollup_periods import HOUR_MS, adding_upsert, fill_longer_periods, periods_of
from trunkline.store.schema.call_rollups import call_talk_times
from trunkline.store.schema.calls import calls

TalkKey = tuple[int, str, int | None]
"""(hour_start, status, duration or None): where a final call is counted."""
Sums = tuple[int, int, int]
"""(calls, calls with a known Duration, sum of those Durations)."""

_GROUP = ("status",)
_KEY = ("account_id", "period_ms", "period_start", *_GROUP)
_SUMS = ("calls", "timed", "duration_sum")


def key_of(date_created: int, status: str, duration: int | None) -> TalkKey | None:
    """Where a call with these values is counted; None when it is not (live, or before 1970)."""
    if status not in FINAL_STATUSES or date_created < 0:
        return None
    return (date_created - date_created % HOUR_MS, status, duration)


def key_of_call(call: Call) -> TalkKey | None:
    return key_of(call.date_created, call.status, call.duration)


def _apply(conn: Connection, account_id: int, changes: Iterable[tuple[TalkKey, int]]) -> None:
    """Add (sign +1) or take out (-1) each key's call from its hour's, day's and block's rows."""
    rows: dict[tuple[tuple[int, int], str], list[int]] = {}
    for (hour_start, status, duration), sign in changes:
        for period in periods_of(hour_start):
            sums = rows.setdefault((period, status), [0, 0, 0])
            sums[0] += sign
            if duration is not None:
                sums[1] += sign
                sums[2] += sign * duration
    changed = sorted((key, sums) for key, sums in rows.items() if any(sums))
    if not changed:
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
                **dict(zip(_SUMS, sums, strict=True)),
            }
            for ((period_ms, period_start), status), sums in changed
        ],
    )
    if any(sums[0] < 0 for _, sums in changed):
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
            func.count(calls.c.duration),
            func.coalesce(func.sum(calls.c.duration), 0),
        )
        .where(
            calls.c.account_id == account_id,
            calls.c.status.in_(sorted(FINAL_STATUSES)),
            calls.c.date_created >= 0,
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


def series(
    conn: Connection, account_id: int, start: int, end: int, step_ms: int
) -> list[tuple[int, str, Sums]]:
    """(period start, status, sums) of every ``step_ms`` period in ``[start, end)`` that has calls."""
    table = call_talk_times
    query = select(table.c.period_start, table.c.status, *(table.c[name] for name in _SUMS)).where(
        table.c.account_id == account_id,
        table.c.period_ms == step_ms,
        table.c.period_start >= start,
        table.c.period_start < end,
    )
    return [
        (int(at), str(status), (int(n), int(timed), int(seconds)))
        for at, status, n, timed, seconds in conn.execute(query)
    ]
