"""The Overview's figures counted directly in ``calls`` (no rollup), to compare the service with."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from trunkline.domain.calls.model import FINAL_STATUSES
from trunkline.domain.overview import Overview, Window
from trunkline.store.schema.calls import calls


@dataclass(frozen=True)
class Figures:
    bars: list[dict[str, int]]
    by_status: dict[str, int]
    talk: dict[str, tuple[int, int]]
    callers: Counter[str]


def direct(conn: Connection, account_id: int, win: Window) -> Figures:
    in_window = (
        calls.c.account_id == account_id,
        calls.c.status.in_(sorted(FINAL_STATUSES)),
        calls.c.date_created >= win.start_ms,
        calls.c.date_created < win.end_ms,
    )
    bars: list[dict[str, int]] = [{} for _ in win.bar_starts]
    by_status: Counter[str] = Counter()
    talk: dict[str, tuple[int, int]] = {}
    callers: Counter[str] = Counter()
    rows = conn.execute(
        select(calls.c.date_created, calls.c.status, calls.c.duration, calls.c.from_number).where(*in_window)
    )
    for created, status, duration, caller in rows:
        bar = bars[(created - win.start_ms) // win.step_ms]
        bar[status] = bar.get(status, 0) + 1
        by_status[status] += 1
        callers[caller] += 1
        if duration is not None:
            n, seconds = talk.get(status, (0, 0))
            talk[status] = (n + 1, seconds + duration)
    total = conn.execute(select(func.count()).select_from(calls).where(*in_window)).scalar_one()
    assert total == sum(by_status.values())
    return Figures(bars, dict(by_status), talk, callers)


def assert_matches(overview: Overview, figures: Figures, callers: int = 10) -> None:
    """Every figure of the Overview equals the direct count; the callers are the busiest ones, in order
    (ties broken by number)."""
    assert [bar.start_ms for bar in overview.bars] == overview.window.bar_starts
    assert [bar.by_status for bar in overview.bars] == figures.bars
    assert overview.by_status == figures.by_status
    assert overview.talk == figures.talk
    expected = sorted(figures.callers.items(), key=lambda item: (-item[1], item[0]))[:callers]
    assert overview.callers == expected
