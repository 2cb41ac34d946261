"""The Calls page's filter form, read into the same ``BulkQuery`` the v1 bulk list runs.

The form speaks people's terms (a date-time picker in IST, rupees, seconds) rather than v1's
operator strings, but asks the store exactly what v1 would: the same statuses, directions,
numbers (any format, made E.164), Duration and Price ranges, keyset cursors signed by the same
codec. v1's 31-day window and 6-month age limits protect Exotel's API; the console has no such
rule and searches the whole store when no date is given (the store answers totals from rollups).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from trunkline.domain.calls.bulk_filters import BulkQuery, Range
from trunkline.domain.calls.cursor import CursorCodec, InvalidCursor, Position
from trunkline.domain.calls.model import FINAL_STATUSES, PRICE_SCALE, CallStatus, Direction
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164

PAGE_SIZE = 50
MAX_NUMBERS = 5
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
STATUSES = tuple(s.value for s in CallStatus if s.value in FINAL_STATUSES)
"""The statuses the list can show: like v1's bulk list, finished calls only (the Live page has the rest)."""
DIRECTIONS = tuple(d.value for d in Direction)
FORM_FIELDS = ("from", "to", "date_from", "date_to", "duration_min", "duration_max", "price_min", "price_max")
"""The text fields of the form (with ``status`` and ``direction``, which repeat): what a page link keeps."""


class FilterError(ValueError):
    """A filter the person typed cannot be read; the message names the field."""


@dataclass
class CallFilters:
    """The form as typed (shown back in the form) and as a query."""

    values: dict[str, str] = field(default_factory=dict)
    statuses: list[str] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)

    def query_string(self, **extra: str) -> str:
        """The filters (and ``extra``, such as a cursor) as a URL query, for links and the live list."""
        pairs = [(k, v) for k, v in self.values.items() if v]
        pairs += [("status", s) for s in self.statuses] + [("direction", d) for d in self.directions]
        pairs += [(k, v) for k, v in extra.items() if v]
        return urlencode(pairs)


def read_filters(params: Mapping[str, str], multi: Mapping[str, list[str]]) -> CallFilters:
    values = {name: params.get(name, "").strip()[:200] for name in FORM_FIELDS}
    return CallFilters(
        values={k: v for k, v in values.items() if v},
        statuses=[s for s in multi.get("status", []) if s in STATUSES],
        directions=[d for d in multi.get("direction", []) if d in DIRECTIONS],
    )


def to_query(
    filters: CallFilters, *, now_ms: int, codec: CursorCodec, after: str | None, before: str | None
) -> BulkQuery:
    """The ``BulkQuery`` of the form; ``FilterError`` names what cannot be read."""
    v = filters.values
    low = _instant(v.get("date_from"), "From date", end=False)
    high = _instant(v.get("date_to"), "To date", end=True)
    if low is not None and high is not None and low > high:
        raise FilterError("From date is later than To date.")
    return BulkQuery(
        created_from_ms=low if low is not None else 0,
        created_to_ms=high if high is not None else now_ms // 1000 * 1000 + 999 + 366 * 86_400_000,
        date_created_given=low is not None or high is not None,
        from_numbers=_numbers(v.get("from"), "From"),
        to_numbers=_numbers(v.get("to"), "To"),
        statuses=tuple(filters.statuses),
        directions=tuple(filters.directions),
        duration=_range(v.get("duration_min"), v.get("duration_max"), "Duration", _seconds),
        price_micros=_range(v.get("price_min"), v.get("price_max"), "Price", _micros),
        page_size=PAGE_SIZE,
        descending=True,
        after=_cursor(after, codec),
        before=_cursor(before, codec) if after is None else None,
    )


def _instant(text: str | None, label: str, *, end: bool) -> int | None:
    """``YYYY-MM-DDTHH:MM`` (a datetime-local field) or a bare date, in IST, as epoch ms."""
    if not text:
        return None
    try:
        if len(text) == 10:
            day = dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=IST)
            return int(day.timestamp() * 1000) + (86_400_000 - 1 if end else 0)
        moment = dt.datetime.fromisoformat(text).replace(tzinfo=IST)
    except ValueError as exc:
        raise FilterError(f"{label} is not a date and time (YYYY-MM-DD HH:MM, IST).") from exc
    return int(moment.timestamp() * 1000) + (59_999 if end and moment.second == 0 else 0)


def _numbers(text: str | None, label: str) -> tuple[str, ...]:
    if not text:
        return ()
    raw = [part.strip() for part in text.split(",") if part.strip()]
    if len(raw) > MAX_NUMBERS:
        raise FilterError(f"{label}: at most {MAX_NUMBERS} numbers.")
    try:
        return tuple(to_e164(number) for number in raw)
    except UnparseableNumber as exc:
        raise FilterError(f"{label}: {exc}") from exc


def _seconds(text: str, label: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise FilterError(f"{label} is a whole number of seconds.")
    return int(text)


def _micros(text: str, label: str) -> int:
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise FilterError(f"{label} is an amount such as 0.50.") from exc
    if not amount.is_finite() or amount < 0 or amount > 10**9:
        raise FilterError(f"{label} is an amount such as 0.50.")
    return int((amount * PRICE_SCALE).to_integral_value())


def _range(low: str | None, high: str | None, label: str, parse: Callable[[str, str], int]) -> Range:
    gte = parse(low, f"{label} from") if low else None
    lte = parse(high, f"{label} to") if high else None
    if gte is not None and lte is not None and gte > lte:
        raise FilterError(f"{label}: the lower bound is above the upper one.")
    return Range(gte=gte, lte=lte)


def _cursor(token: str | None, codec: CursorCodec) -> Position | None:
    if not token:
        return None
    try:
        return codec.decode(token[:200])
    except InvalidCursor as exc:
        raise FilterError("The page link is not valid any more: start from the first page.") from exc
