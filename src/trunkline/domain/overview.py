"""The console's Overview of an account's calls over a window: the windows one may choose, and the
figures shown (calls per hour or day by status, answer rate, mean talk time, busiest callers).

Windows are made of whole hours or whole UTC days, ending with the one that holds "now" on the network
clock, so every bar and every figure is read from whole rollup periods and nothing is counted in
``calls`` (``store.overview``). The figures cover final calls only, as the rollups do.
"""

from __future__ import annotations

from dataclasses import dataclass

from trunkline.domain.errors import InvalidParameter

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
STEPS = {"hour": HOUR_MS, "day": DAY_MS}
MAX_BARS = 31 * 24
"""A chart with more bars than this (90 days by hour) is refused: it would be unreadable and slow."""
ANSWERED = "completed"
"""The status of an answered call: the answer rate's numerator and the talk time's calls."""
STATUS_ORDER = ("completed", "no-answer", "busy", "failed", "canceled")


@dataclass(frozen=True, slots=True)
class WindowChoice:
    name: str
    label: str
    span_ms: int
    default_step: str


WINDOWS = {
    w.name: w
    for w in (
        WindowChoice("24h", "Last 24 hours", DAY_MS, "hour"),
        WindowChoice("7d", "Last 7 days", 7 * DAY_MS, "day"),
        WindowChoice("30d", "Last 30 days", 30 * DAY_MS, "day"),
        WindowChoice("90d", "Last 90 days", 90 * DAY_MS, "day"),
    )
}


@dataclass(frozen=True, slots=True)
class Window:
    """``[start_ms, end_ms)`` cut into bars of ``step_ms``; both ends on a step boundary."""

    choice: WindowChoice
    step: str
    start_ms: int
    end_ms: int

    @property
    def step_ms(self) -> int:
        return STEPS[self.step]

    @property
    def bar_starts(self) -> list[int]:
        return list(range(self.start_ms, self.end_ms, self.step_ms))


def window(name: str, step: str | None, now_ms: int) -> Window:
    """The window ``name`` (one of ``WINDOWS``) in bars of ``step`` ("hour" or "day"; None: the
    window's default) ending with the bar that holds ``now_ms``. ``InvalidParameter`` otherwise."""
    choice = WINDOWS.get(name)
    if choice is None:
        raise InvalidParameter(f"window must be one of {', '.join(WINDOWS)}", parameter="window")
    step = step or choice.default_step
    if step not in STEPS:
        raise InvalidParameter(f"step must be one of {', '.join(STEPS)}", parameter="step")
    step_ms = STEPS[step]
    if choice.span_ms // step_ms > MAX_BARS:
        raise InvalidParameter(
            f"{choice.label} by {step} would be more than {MAX_BARS} bars", parameter="step"
        )
    end = now_ms - now_ms % step_ms + step_ms
    start = end - choice.span_ms
    start -= start % step_ms  # a span that is not whole steps widens to the next boundary
    return Window(choice, step, start, end)


@dataclass(frozen=True, slots=True)
class Bar:
    start_ms: int
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True, slots=True)
class Overview:
    window: Window
    bars: list[Bar]
    """One per step of the window, oldest first, empty ones included."""
    by_status: dict[str, int]
    """Final calls in the window per status."""
    talk: dict[str, tuple[int, int]]
    """Per status: (calls with a known Duration, sum of their Durations in seconds)."""
    callers: list[tuple[str, int]]
    """The busiest callers: (From, final calls), most first."""

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def answer_rate(self) -> float | None:
        """Answered calls over final calls (None with no calls)."""
        return self.by_status.get(ANSWERED, 0) / self.total if self.total else None

    @property
    def mean_talk_s(self) -> float | None:
        """The mean Duration of answered calls whose Duration is known (None with none)."""
        n, seconds = self.talk.get(ANSWERED, (0, 0))
        return seconds / n if n else None

    @property
    def statuses(self) -> list[str]:
        """The statuses present, in a stable order for legends and stacks."""
        present = set(self.by_status)
        return [s for s in STATUS_ORDER if s in present] + sorted(present - set(STATUS_ORDER))


def bars_of(win: Window, rows: list[tuple[int, str, int]]) -> list[Bar]:
    """Every bar of the window from (period start, status, calls) rows (missing periods are empty)."""
    found: dict[int, dict[str, int]] = {start: {} for start in win.bar_starts}
    for start, status, n in rows:
        if start in found:
            found[start][status] = found[start].get(status, 0) + n
    return [Bar(start, counts) for start, counts in found.items()]
