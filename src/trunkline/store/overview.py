"""The reads behind the console's Overview, all from the call rollups (``call_counts``,
``call_talk_times``, ``call_callers``) so that a month of a busy account costs a few hundred rows.

Everything is read on one ``Database.read()`` connection, so the bars, the totals and the callers
agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from trunkline.store import call_callers, call_talk_times
from trunkline.store.database import Database
from trunkline.store.rollup_periods import cover
from trunkline.store.schema.call_rollups import call_counts


@dataclass(frozen=True, slots=True)
class OverviewRows:
    series: list[tuple[int, str, int]]
    """(period start, status, final calls) for every period of the step in the window that has calls."""
    talk: dict[str, tuple[int, int]]
    callers: list[tuple[str, int]]


def _series(
    conn: Connection, account_id: int, start: int, end: int, step_ms: int
) -> list[tuple[int, str, int]]:
    table = call_counts
    query = (
        select(table.c.period_start, table.c.status, func.sum(table.c.calls))
        .where(
            table.c.account_id == account_id,
            table.c.period_ms == step_ms,
            table.c.period_start >= start,
            table.c.period_start < end,
        )
        .group_by(table.c.period_start, table.c.status)
    )
    # A sync that changed a call's Status leaves its old row at zero (``call_counts.add(sign=-1)``).
    return [(int(at), str(status), int(n)) for at, status, n in conn.execute(query) if n]


class OverviewStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def read(self, account_id: int, start: int, end: int, step_ms: int, callers: int) -> OverviewRows:
        """The rows of ``[start, end)`` (``step_ms`` a rollup period, both ends on its boundaries)."""
        window = cover(start, end - 1)
        with self._db.read() as conn:
            return OverviewRows(
                series=_series(conn, account_id, start, end, step_ms),
                talk=call_talk_times.totals(conn, account_id, window),
                callers=call_callers.busiest(conn, account_id, window, callers),
            )
