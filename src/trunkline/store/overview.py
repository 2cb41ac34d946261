"""The reads behind the console's Overview, all from the call rollups: the bars, totals, answer rate and
talk time from ``call_talk_times`` (a few rows per hour or day), the busiest callers from
``call_callers`` over the window's whole blocks, days and hours. A month of a busy account costs a few
thousand rows.

Everything is read on one ``Database.read()`` connection, so the bars and the callers agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from trunkline.store import call_callers, call_talk_times
from trunkline.store.call_talk_times import Sums
from trunkline.store.database import Database
from trunkline.store.rollup_periods import cover


@dataclass(frozen=True, slots=True)
class OverviewRows:
    series: list[tuple[int, str, Sums]]
    """(period start, status, (calls, calls with a known Duration, their Durations' sum)) for every
    period of the step in the window that has calls."""
    callers: list[tuple[str, int]]


class OverviewStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def read(self, account_id: int, start: int, end: int, step_ms: int, callers: int) -> OverviewRows:
        """The rows of ``[start, end)`` (``step_ms`` a rollup period, both ends on its boundaries)."""
        with self._db.read() as conn:
            return OverviewRows(
                series=call_talk_times.series(conn, account_id, start, end, step_ms),
                callers=call_callers.busiest(conn, account_id, cover(start, end - 1), callers),
            )
