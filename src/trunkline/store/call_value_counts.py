"""The ``call_value_counts`` rollup: ``call_counts`` split further by Duration (in buckets) and Price.

A bulk list filtered on ``Duration``/``Price`` over a month must still return an exact ``Total``;
counting it in ``calls`` walks every index entry of the window (~170k for a busy account, 38 ms).
This rollup answers the whole days of the window instead, in a few thousand rows:

* **Price** is kept exactly. Prices are whole pulses times a rate, so a day has a few dozen of them,
  and any ``Price`` range is answered by the rollup alone.
* **Duration** is kept in buckets (``bucket_of``): exact below 10 s, then 10 s wide up to 2 min, 30 s
  to 5 min, 1 min to 30 min, 10 min to an hour, an hour beyond. Buckets wholly inside the asked range
  come from the rollup; a bucket the range cuts through (``Duration=gte:45s`` cuts 40–49 s) is counted
  exactly in ``calls`` on ``ix_calls_account_duration``, one index seek per second of the cut part.
  The common filters (10 s, 30 s, 1 min, 2 min, 5 min...) fall on bucket edges and need no such count.
* Calls whose Duration or Price is not known yet (ended, not settled) are kept with ``settled``
  saying which of the two is known (bit 1: Duration, bit 2: Price), so a filter on one never counts
  a call missing it, and a filter on the other still does.

The rollup moves with ``calls``: ``add`` when calls are inserted, ``move`` when the engine changes a
call (it settles, or ends), ``rebuild`` after bulk loads. Like ``call_counts`` it is kept per hour,
day and eight-day block (``rollup_periods``); the minutes at the window's ends are counted in
``calls`` by ``call_counts.count``, as for the plain rollup.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from trunkline.domain.calls.bulk_filters import BulkQuery, Range
from trunkline.domain.calls.model import FINAL_STATUSES, Call
from trunkline.store.bulk_sql import FilterShape, one_of
from trunkline.store.rollup_periods import HOUR_MS, adding_upsert, fill_longer_periods, periods_of, run_sum
from trunkline.store.schema.call_rollups import call_value_counts
from trunkline.store.schema.calls import calls

_TIERS = ((10, 10), (120, 30), (300, 60), (1800, 600), (3600, 3600))
"""(first second, bucket width) from there on; every tier starts on a multiple of its width."""
DURATION_KNOWN, PRICE_KNOWN = 1, 2
MAX_SEEKS = 120
"""Above this many seconds in a cut bucket, its exact count ranges over the index instead of seeking
each second (only the hour-wide buckets are wider, and few calls last that long)."""

Key = tuple[int, str, str, str, int, int, int]
"""(hour_start, status, direction, phone_number, settled, duration_from, price_micros): a call is counted
in the rows of its hour, its day and its block that have the other six values."""

_GROUP = ("status", "direction", "phone_number", "settled", "duration_from", "price_micros")
_KEY = ("account_id", "period_ms", "period_start", *_GROUP)


def _width(duration: int) -> int:
    width = 1
    for start, tier_width in _TIERS:
        if duration < start:
            break
        width = tier_width
    return width


def bucket_of(duration: int) -> int:
    """The first second of the bucket holding ``duration`` (negative durations are exact)."""
    return duration - duration % _width(duration)


def bucket_end(duration: int) -> int:
    """The first second after the bucket holding ``duration``."""
    return bucket_of(duration) + _width(duration)


def key_of(
    date_created: int,
    status: str,
    direction: str,
    phone_number: str,
    duration: int | None,
    price_micros: int | None,
) -> Key | None:
    """Where a call with these values is counted; None for calls the rollup leaves out (live ones and
    those dated before 1970, which ``call_counts.count`` counts in ``calls``)."""
    if status not in FINAL_STATUSES or date_created < 0:
        return None
    settled = (DURATION_KNOWN if duration is not None else 0) | (
        PRICE_KNOWN if price_micros is not None else 0
    )
    return (
        date_created - date_created % HOUR_MS,
        status,
        direction,
        phone_number,
        settled,
        bucket_of(duration) if duration is not None else 0,
        price_micros if price_micros is not None else 0,
    )


def key_of_call(call: Call) -> Key | None:
    return key_of(
        call.date_created, call.status, call.direction, call.phone_number, call.duration, call.price_micros
    )


def _apply(conn: Connection, account_id: int, deltas: Counter[Key]) -> None:
    """Add each key's delta (negative to take calls away) to its rows; rows that reach zero are deleted."""
    rows: Counter[tuple[tuple[int, int], tuple[str, str, str, int, int, int]]] = Counter()
    for key, n in deltas.items():
        if n:
            for period in periods_of(key[0]):
                rows[(period, key[1:])] += n
    changed = {row: n for row, n in rows.items() if n}
    if not changed:
        return
    # Sorted, so concurrent writers lock shared rows in one order (no deadlocks on PostgreSQL).
    conn.execute(
        adding_upsert(conn, call_value_counts, _KEY),
        [
            {
                "account_id": account_id,
                "period_ms": period_ms,
                "period_start": period_start,
                **dict(zip(_GROUP, values, strict=True)),
                "calls": n,
            }
            for ((period_ms, period_start), values), n in sorted(changed.items())
        ],
    )
    emptied = sorted({period for (period, _), n in changed.items() if n < 0})
    if emptied:
        conn.execute(
            delete(call_value_counts).where(
                call_value_counts.c.account_id == account_id,
                tuple_(call_value_counts.c.period_ms, call_value_counts.c.period_start).in_(emptied),
                call_value_counts.c.calls == 0,
            )
        )


def add(conn: Connection, account_id: int, records: Iterable[Call]) -> None:
    """Count newly inserted calls; run it in the transaction that inserts them."""
    _apply(conn, account_id, Counter(key for key in map(key_of_call, records) if key is not None))


def move(conn: Connection, account_id: int, changes: Iterable[tuple[Key | None, Key | None]]) -> None:
    """Recount calls that changed: each ``(before, after)`` pair moves one call between keys (None: not
    counted). Run it in the transaction that updates them."""
    deltas: Counter[Key] = Counter()
    for before, after in changes:
        if before == after:
            continue
        if before is not None:
            deltas[before] -= 1
        if after is not None:
            deltas[after] += 1
    _apply(conn, account_id, deltas)


def _bucket_sql(duration: ColumnElement) -> ColumnElement:
    width = case(*((duration >= start, width) for start, width in reversed(_TIERS)), else_=1)
    return duration - duration % width


def rebuild(conn: Connection, account_id: int) -> None:
    """Recompute the account's rollup from ``calls`` (one ``INSERT ... SELECT ... GROUP BY``). On
    PostgreSQL the caller holds writers off (``call_counts.rebuild`` locks ``calls`` first)."""
    conn.execute(delete(call_value_counts).where(call_value_counts.c.account_id == account_id))
    hour_start = calls.c.date_created - calls.c.date_created % literal_column(str(HOUR_MS))
    settled = case((calls.c.duration.is_(None), 0), else_=DURATION_KNOWN) + case(
        (calls.c.price_micros.is_(None), 0), else_=PRICE_KNOWN
    )
    bucket = func.coalesce(_bucket_sql(calls.c.duration), 0)
    price = func.coalesce(calls.c.price_micros, 0)
    keys = (hour_start, calls.c.status, calls.c.direction, calls.c.phone_number, settled, bucket, price)
    grouped = (
        select(calls.c.account_id, literal_column(str(HOUR_MS)), *keys, func.count())
        .where(
            calls.c.account_id == account_id,
            calls.c.status.in_(sorted(FINAL_STATUSES)),
            calls.c.date_created >= 0,
        )
        .group_by(calls.c.account_id, *keys)
    )
    conn.execute(
        insert(call_value_counts).from_select(
            ["account_id", "period_ms", "period_start", *_GROUP, "calls"], grouped
        )
    )
    fill_longer_periods(conn, call_value_counts, account_id, _GROUP)


@dataclass(frozen=True, slots=True)
class _Bounds:
    """A Range as inclusive [low, high]; None for an unbounded side."""

    low: int | None
    high: int | None

    @classmethod
    def of(cls, bounds: Range) -> _Bounds:
        lows = [v for v in (bounds.gte, bounds.eq) if v is not None]
        highs = [v for v in (bounds.lte, bounds.eq) if v is not None]
        return cls(max(lows) if lows else None, min(highs) if highs else None)

    @property
    def empty(self) -> bool:
        return self.low is not None and self.high is not None and self.low > self.high


@dataclass(frozen=True, slots=True)
class ValueShape:
    """The shape of a Duration/Price count's statement (see ``statement_cache``), without its values."""

    settled: int
    """How many ``settled`` values qualify (the call must know each value filtered on)."""
    price: tuple[bool, bool]
    """Whether Price has a low and a high bound."""
    buckets: tuple[str, ...]
    """Comparisons of ``duration_from`` selecting the Duration buckets wholly inside the range: ``ge``,
    ``lt``, ``le`` or ``eq`` with a bound, or ``none`` (no whole bucket)."""
    cuts: tuple[int | None, ...]
    """Each cut Duration bucket's part to count in ``calls``: as many seconds to seek one by one, or None
    to range over them."""


_BUCKET_COMPARE = {"ge": operator.ge, "lt": operator.lt, "le": operator.le, "eq": operator.eq}


def _duration_split(bounds: _Bounds) -> tuple[list[tuple[str, int]], list[tuple[int, int]]]:
    """Comparisons of ``duration_from`` selecting the buckets wholly inside ``bounds``, and the cut parts
    of the others as inclusive second ranges (at most two) to count exactly in ``calls``."""
    low, high = bounds.low, bounds.high
    whole: list[tuple[str, int]] = []
    cut: list[tuple[int, int]] = []
    if low is not None and high is not None and bucket_of(low) == bucket_of(high):
        if low == bucket_of(low) and high == bucket_end(high) - 1:
            return [("eq", low)], []
        return [("none", 0)], [(low, high)]  # inside one bucket: nothing whole
    if low is not None:
        first = bucket_of(low)
        if low != first:
            cut.append((low, bucket_end(low) - 1))
            first = bucket_end(low)
        whole.append(("ge", first))
    if high is not None:
        last = bucket_of(high)
        if high != bucket_end(high) - 1:
            cut.append((last, high))
            whole.append(("lt", last))
        else:
            whole.append(("le", last))
    return whole, cut


def plan(query: BulkQuery) -> tuple[ValueShape, dict[str, Any]] | None:
    """The shape of ``query``'s count from this rollup, and the values it binds beyond ``bulk_sql``'s
    (``settled_<i>``, ``price_low``/``price_high``, ``bucket_<i>``, ``cut_<i>_<j>`` or ``cut_<i>_low``/
    ``cut_<i>_high``). None when the query can match nothing."""
    duration, price = _Bounds.of(query.duration), _Bounds.of(query.price_micros)
    if duration.empty or price.empty:
        return None
    known = (DURATION_KNOWN if not query.duration.is_empty else 0) | (
        PRICE_KNOWN if not query.price_micros.is_empty else 0
    )
    settled = [s for s in range(4) if s & known == known]
    values: dict[str, Any] = {f"settled_{i}": s for i, s in enumerate(settled)}
    values["price_low"], values["price_high"] = price.low, price.high
    whole, cut = _duration_split(duration) if not query.duration.is_empty else ([], [])
    for i, (_, bound) in enumerate(whole):
        values[f"bucket_{i}"] = bound
    cuts: list[int | None] = []
    for i, (low, high) in enumerate(cut):
        if high - low < MAX_SEEKS:
            cuts.append(high - low + 1)
            values.update({f"cut_{i}_{j}": second for j, second in enumerate(range(low, high + 1))})
        else:
            cuts.append(None)
            values[f"cut_{i}_low"], values[f"cut_{i}_high"] = low, high
    shape = ValueShape(
        settled=len(settled),
        price=(price.low is not None, price.high is not None),
        buckets=tuple(kind for kind, _ in whole),
        cuts=tuple(cuts),
    )
    return shape, values


def period_sum(filters: FilterShape, shape: ValueShape, i: int) -> ColumnElement:
    """The rollup's calls matching the query in the ``i``-th run of whole periods (``run_sum``)."""
    table = call_value_counts
    rollup: list[ColumnElement] = [one_of(table.c.settled, "settled", shape.settled)]
    if shape.price[0]:
        rollup.append(table.c.price_micros >= bindparam("price_low"))
    if shape.price[1]:
        rollup.append(table.c.price_micros <= bindparam("price_high"))
    for j, kind in enumerate(shape.buckets):
        bound: BindParameter[int] = bindparam(f"bucket_{j}")
        rollup.append(false() if kind == "none" else _BUCKET_COMPARE[kind](table.c.duration_from, bound))
    return run_sum(table, i, filters, *rollup)


def cut_conditions(shape: ValueShape) -> list[ColumnElement]:
    """One condition on ``calls`` per cut bucket, whose exact counts add to ``period_sum``'s."""
    conditions: list[ColumnElement] = []
    for i, seconds in enumerate(shape.cuts):
        if seconds is None:
            low: BindParameter[int] = bindparam(f"cut_{i}_low")
            high: BindParameter[int] = bindparam(f"cut_{i}_high")
            conditions.append(and_(calls.c.duration >= low, calls.c.duration <= high))
        else:
            conditions.append(calls.c.duration.in_([bindparam(f"cut_{i}_{j}") for j in range(seconds)]))
    return conditions
