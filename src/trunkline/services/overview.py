"""The console's Overview of an account's calls: bars per hour or day by status, the answer rate, the
mean talk time and the busiest callers of a window ending now on the network clock.

Read from the call rollups (``store.overview``), so a 30-day Overview of an account with a million calls
costs milliseconds; the rollups are written with the calls (``store.call_writes``), so the Overview
equals a count over ``calls`` at any moment.
"""

from __future__ import annotations

from trunkline.domain.overview import Overview, Window, bars_of, window
from trunkline.engine.clock import NetworkClock
from trunkline.services.accounts import AccountService
from trunkline.services.store_runner import StoreRunner
from trunkline.store.database import Database
from trunkline.store.overview import OverviewStore

__all__ = ["Overview", "OverviewService", "Window"]

BUSIEST_CALLERS = 10


class OverviewService:
    def __init__(
        self, runner: StoreRunner, db: Database, accounts: AccountService, clock: NetworkClock
    ) -> None:
        self._runner, self._accounts, self._clock = runner, accounts, clock
        self._store = OverviewStore(db)

    def window(self, name: str, step: str | None, now_ms: int | None = None) -> Window:
        """The window to show (``domain.overview.window``); ``InvalidParameter`` for an unknown one."""
        return window(name, step, self._clock.now_ms() if now_ms is None else now_ms)

    def read(self, account_sid: str, win: Window, callers: int = BUSIEST_CALLERS) -> Overview:
        """The Overview of the account (``NotFound`` if there is none) over ``win``."""
        account_id = self._accounts.get(account_sid).id
        rows = self._store.read(account_id, win.start_ms, win.end_ms, win.step_ms, callers)
        by_status: dict[str, int] = {}
        talk: dict[str, tuple[int, int]] = {}
        for _, status, (n, timed, seconds) in rows.series:
            by_status[status] = by_status.get(status, 0) + n
            if timed:
                had = talk.get(status, (0, 0))
                talk[status] = (had[0] + timed, had[1] + seconds)
        bars = bars_of(win, [(at, status, n) for at, status, (n, _, _) in rows.series])
        return Overview(win, bars, by_status, talk, rows.callers)

    async def overview(
        self, account_sid: str, name: str = "24h", step: str | None = None, now_ms: int | None = None
    ) -> Overview:
        """``read`` of the window ``name`` in the thread pool (a front end's request path)."""
        win = self.window(name, step, now_ms)
        return await self._runner.blocking(self.read, account_sid, win)
