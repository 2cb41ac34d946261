"""Server-rendered bar charts for the Overview: the geometry of a stacked bar chart in plain numbers,
which ``templates/_bar_chart.html`` draws as inline SVG (no chart library, no script).

Colours come from classes (``seg-<status>`` in ``static/pages.css``), so the chart follows the light
or dark theme; the Content-Security-Policy allows no inline style, and none is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from trunkline.domain.overview import DAY_MS, Overview

IST = timezone(timedelta(hours=5, minutes=30), "IST")
WIDTH, HEIGHT = 960, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 28
MAX_LABELS = 8


@dataclass(frozen=True, slots=True)
class Segment:
    status: str
    calls: int
    y: float
    height: float


@dataclass(frozen=True, slots=True)
class BarShape:
    start_ms: int
    label: str
    """The bar's period in IST, for its tooltip and the table."""
    total: int
    x: float
    width: float
    segments: list[Segment]


@dataclass(frozen=True, slots=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True, slots=True)
class XLabel:
    x: float
    text: str


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_bottom: int
    plot_right: int
    bars: list[BarShape]
    ticks: list[Tick]
    labels: list[XLabel]
    statuses: list[str]


def _period_label(start_ms: int, step_ms: int) -> str:
    start = datetime.fromtimestamp(start_ms / 1000, tz=UTC).astimezone(IST)
    if step_ms >= DAY_MS:
        return start.strftime("%d %b %Y")
    end = start + timedelta(milliseconds=step_ms)
    return f"{start:%d %b %H:%M}–{end:%H:%M} IST"


def _axis_label(start_ms: int, step_ms: int, span_ms: int) -> str:
    start = datetime.fromtimestamp(start_ms / 1000, tz=UTC).astimezone(IST)
    if step_ms >= DAY_MS:
        return start.strftime("%d %b")
    return start.strftime("%d %b %H:%M" if span_ms > DAY_MS else "%H:%M")


def _nice_max(value: int) -> int:
    """The axis top: the smallest 1, 2 or 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1
    power = 1
    while True:
        for factor in (1, 2, 5):
            if factor * power >= value:
                return factor * power
        power *= 10


def _tick_step(top: int) -> int:
    """The gap between the y-axis ticks: the smallest 1, 2 or 5 times a power of ten that divides
    ``top`` (a ``_nice_max``) into at most five whole steps. Ticks stay evenly spaced and whole:
    0, 2, 4, 6, 8, 10 and 0, 5, 10, 15, 20, never quarters rounded down to 0, 2, 5, 7, 10."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * power
            if top % step == 0 and top // step <= 5:
                return step
        power *= 10


def bar_chart(overview: Overview) -> BarChart:
    """Stacked bars (one per hour or day, oldest left), segments in ``overview.statuses`` order."""
    statuses = overview.statuses
    step = overview.window.step_ms
    span = overview.window.end_ms - overview.window.start_ms
    top = _nice_max(max((bar.total for bar in overview.bars), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(overview.bars))
    gap = min(2.0, slot * 0.2)
    shapes: list[BarShape] = []
    for i, bar in enumerate(overview.bars):
        x = LEFT + i * slot + gap / 2
        y = float(TOP + plot_h)
        segments = []
        for status in statuses:
            n = bar.by_status.get(status, 0)
            if n:
                h = n / top * plot_h
                y -= h
                segments.append(Segment(status, n, round(y, 2), round(h, 2)))
        label = _period_label(bar.start_ms, step)
        shapes.append(BarShape(bar.start_ms, label, bar.total, round(x, 2), round(slot - gap, 2), segments))
    values = list(range(0, top + 1, _tick_step(top)))
    ticks = [Tick(v, round(TOP + plot_h - plot_h * v / top, 2)) for v in values]
    every = max(1, -(-len(overview.bars) // MAX_LABELS))
    labels = [
        XLabel(round(shape.x + shape.width / 2, 2), _axis_label(shape.start_ms, step, span))
        for i, shape in enumerate(shapes)
        if i % every == 0
    ]
    return BarChart(WIDTH, HEIGHT, LEFT, TOP + plot_h, WIDTH - RIGHT, shapes, ticks, labels, statuses)
