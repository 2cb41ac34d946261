"""The Overview chart's y axis: whole, evenly spaced ticks from 0 to the top, whatever the tallest
bar. Quarters of the top rounded down once drew 0, 2, 5, 7, 10."""

from __future__ import annotations

import pytest

from trunkline.api.console.charts import bar_chart
from trunkline.domain.overview import Bar, Overview, window

NOW_MS = 1_780_000_000_000


def _ticks(tallest: int) -> list[int]:
    day = window("7d", "day", NOW_MS)
    bars = [Bar(start, {"completed": tallest if i == 0 else 0}) for i, start in enumerate(day.bar_starts)]
    overview = Overview(day, bars, {"completed": tallest}, {}, [])
    return [tick.value for tick in bar_chart(overview).ticks]


@pytest.mark.parametrize(
    ("tallest", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (2, [0, 1, 2]),
        (4, [0, 1, 2, 3, 4, 5]),
        (7, [0, 2, 4, 6, 8, 10]),
        (13, [0, 5, 10, 15, 20]),
        (45, [0, 10, 20, 30, 40, 50]),
        (180, [0, 50, 100, 150, 200]),
        (100_001, [0, 50_000, 100_000, 150_000, 200_000]),
    ],
)
def test_ticks_are_whole_and_evenly_spaced(tallest: int, ticks: list[int]) -> None:
    assert _ticks(tallest) == ticks


def test_tick_positions_are_evenly_spaced_down_the_plot() -> None:
    day = window("7d", "day", NOW_MS)
    bars = [Bar(start, {"completed": 7}) for start in day.bar_starts]
    chart = bar_chart(Overview(day, bars, {"completed": 49}, {}, []))
    ys = [tick.y for tick in chart.ticks]
    gaps = {round(a - b, 1) for a, b in zip(ys, ys[1:], strict=False)}
    assert len(gaps) == 1 and ys[0] == chart.plot_bottom
