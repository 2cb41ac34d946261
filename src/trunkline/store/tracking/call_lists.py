"""Get Calls' list query on ``tracked_calls``: a page, earliest first, and its TotalCount.

TotalCount and deep ``Results_Skip`` come from the per-day rollup (``tracked_call_counts``): the window
is cut into stretches (the partial days at its ends counted in ``tracked_calls``, every whole UTC day in
between from the rollup), which sum to the exact total and tell a deep skip which day to start its walk
in. Lists filtered on no more than the property, Unique, Disposition and key paths go by
``tracked_call_summary`` instead, per day and then per hour, so a deep skip walks at most an hour of rows.
Key paths together with any other filter are in no rollup; such a list is counted and skipped in
``tracked_calls`` itself.

Every statement is cached per query shape (``statement_cache``): which filters are given and how many
values each has, whether the list is a property's, which ends of the window are bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from trunkline.domain.calls.bulk_filters import DAY_MS
from trunkline.domain.tracking.query import CallsQuery
from trunkline.domain.tracking.tracked_calls import CallsPage, TrackedCall
from trunkline.store.bulk_sql import one_of
from trunkline.store.database import Database
from trunkline.store.rollup_periods import HOUR_MS
from trunkline.store.schema.tracking import (
    tracked_call_counts,
    tracked_call_summary,
    tracked_calls,
    tracking_properties,
)
from trunkline.store.statement_cache import statements_for

_SHOWN = [
    tracking_properties.c.sid if name == "property_sid" else tracked_calls.c[name]
    for name in TrackedCall._fields
]
"""The columns of a ``TrackedCall`` in its field order: rows become objects positionally (building
them from ``Row._mapping`` cost 8 ms a page of 200)."""
_ROWS = select(*_SHOWN).join(tracking_properties, tracking_properties.c.id == tracked_calls.c.property_id)
"""Listed rows with their property's Sid; add a WHERE."""


_LISTS = (
    ("disposition", "dispositions"),
    ("to_number", "to_numbers"),
    ("endpoint", "endpoints"),
    ("attribution_source", "attribution_source"),
    ("attribution_medium", "attribution_medium"),
    ("attribution_campaign", "attribution_campaign"),
    ("attribution_content", "attribution_content"),
)
"""(column, ``CallsQuery`` field) of the list filters; both tables have the column, values bind as
``<column>_<i>``."""


@dataclass(frozen=True, slots=True)
class _Shape:
    by_property: bool
    lists: tuple[int, ...]
    """How many values each filter of ``_LISTS`` has (0: not given)."""
    repeat: bool
    prompts_keys: int

    @property
    def summarised(self) -> bool:
        """Whether ``tracked_call_summary`` can count it: it filters on nothing but the property,
        Unique, Disposition (the first of ``_LISTS``) and key paths."""
        return not any(self.lists[1:])


def _shape_of(property_id: int | None, query: CallsQuery) -> _Shape:
    return _Shape(
        by_property=property_id is not None,
        lists=tuple(len(getattr(query, field)) for _, field in _LISTS),
        repeat=query.repeat is not None,
        prompts_keys=len(query.prompts_keys),
    )


def _values_of(account_id: int, property_id: int | None, query: CallsQuery) -> dict[str, Any]:
    values: dict[str, Any] = {"account_id": account_id, "property_id": property_id}
    for column, field in _LISTS:
        values.update({f"{column}_{i}": value for i, value in enumerate(getattr(query, field))})
    values["is_repeat"] = None if query.repeat is None else int(query.repeat)
    for i, path in enumerate(query.prompts_keys):
        values[f"keys_{i}"], values[f"keys_{i}_under"] = path, path + ",%"
    return values


def _filters(table: Table, shape: _Shape) -> list[ColumnElement[bool]]:
    """The filters of ``shape`` on ``table``, whose columns are named as in ``tracked_calls`` (the
    day rollup has no key paths: it is never asked with them)."""
    where: list[ColumnElement[bool]] = []
    for (column, _), n in zip(_LISTS, shape.lists, strict=True):
        if n:
            where.append(one_of(table.c[column], column, n))
    if shape.repeat:
        where.append(table.c.is_repeat == bindparam("is_repeat"))
    if shape.prompts_keys:  # a key path matches calls whose keys are the path or start with it
        paths = (
            or_(
                table.c.prompts_keys == bindparam(f"keys_{i}"),
                table.c.prompts_keys.like(bindparam(f"keys_{i}_under")),
            )
            for i in range(shape.prompts_keys)
        )
        where.append(or_(*paths))
    return where


def _calls_where(shape: _Shape, bounds: tuple[bool, bool]) -> list[ColumnElement[bool]]:
    """The listed calls of ``shape`` in ``tracked_calls``, from ``from_ms`` (inclusive) to ``to_ms``
    (exclusive) when ``bounds`` says so."""
    # A property's Sid was checked against the account already; its indexes lead with property_id.
    where = [
        tracked_calls.c.property_id == bindparam("property_id")
        if shape.by_property
        else tracked_calls.c.account_id == bindparam("account_id")
    ]
    where += [*_filters(tracked_calls, shape), tracked_calls.c.disposition.is_not(None)]
    if bounds[0]:
        where.append(tracked_calls.c.date_start >= bindparam("from_ms"))
    if bounds[1]:
        where.append(tracked_calls.c.date_start < bindparam("to_ms"))
    return where


def _count(shape: _Shape, bounds: tuple[bool, bool]) -> Select:
    return select(func.count()).select_from(tracked_calls).where(*_calls_where(shape, bounds))


def _periods(shape: _Shape, bounds: tuple[bool, bool]) -> Select:
    """Matching calls per whole period from ``first`` up to ``end`` (exclusive): the days of
    ``tracked_call_counts``, or when the shape is ``summarised``, the periods of ``period_ms`` of
    ``tracked_call_summary``."""
    if shape.summarised:
        table, start = tracked_call_summary, tracked_call_summary.c.period_start
        where = [
            tracked_call_summary.c.account_id == bindparam("account_id"),
            tracked_call_summary.c.period_ms == bindparam("period_ms"),
        ]
    else:
        table, start = tracked_call_counts, tracked_call_counts.c.day_start
        where = [tracked_call_counts.c.account_id == bindparam("account_id")]
    where += _filters(table, shape)
    if shape.by_property:
        where.append(table.c.property_id == bindparam("property_id"))
    if bounds[0]:
        where.append(start >= bindparam("first"))
    if bounds[1]:
        where.append(start < bindparam("end"))
    return select(start, func.sum(table.c.calls)).where(*where).group_by(start).order_by(start)


def _page(shape: _Shape, bounds: tuple[bool, bool]) -> Select:
    """``count`` rows after skipping ``skip``, in one statement: the ids are found on a covering index
    first, then only their rows are read."""
    ids = (
        select(tracked_calls.c.call_id)
        .where(*_calls_where(shape, bounds))
        .order_by(tracked_calls.c.date_start, tracked_calls.c.call_id)
        .limit(bindparam("count"))
        .offset(bindparam("skip"))
    )
    return _ROWS.where(tracked_calls.c.call_id.in_(ids)).order_by(
        tracked_calls.c.date_start, tracked_calls.c.call_id
    )


@dataclass(frozen=True, slots=True)
class _Stretch:
    """A stretch of the window, [start, end), and how many of the listed calls it holds."""

    start: int
    end: int
    calls: int


class _Lister:
    """One list request's statements, on one connection (so every count reads one snapshot)."""

    def __init__(self, conn: Connection, shape: _Shape, values: dict[str, Any]) -> None:
        self.conn, self.shape, self.values = conn, shape, values
        self.statements = statements_for(conn.dialect)

    def count(self, low: int | None, high: int | None) -> int:
        """Matching calls counted in ``tracked_calls`` from ``low`` up to ``high`` (None: unbounded)."""
        bounds = (low is not None, high is not None)
        shape = self.shape
        counted = self.statements.get(("fone.count", shape, bounds), lambda: _count(shape, bounds))
        return int(counted.scalar(self.conn, {**self.values, "from_ms": low, "to_ms": high}))

    def periods(self, first: int | None, end: int | None, length: int) -> list[_Stretch]:
        """The whole periods from ``first`` to ``end`` that hold matching calls, from a rollup (periods
        of ``length``: days, or hours when the shape is ``summarised``)."""
        bounds, shape = (first is not None, end is not None), self.shape
        statement = self.statements.get(("fone.periods", shape, bounds), lambda: _periods(shape, bounds))
        values = {**self.values, "first": first, "end": end, "period_ms": length}
        rows = statement.rows(self.conn, values)
        return [_Stretch(int(at), int(at) + length, int(n)) for at, n in rows]

    def page(self, start: int | None, end: int | None, count: int, skip: int) -> list[TrackedCall]:
        bounds, shape = (start is not None, end is not None), self.shape
        statement = self.statements.get(("fone.page", shape, bounds), lambda: _page(shape, bounds))
        values = {**self.values, "from_ms": start, "to_ms": end, "count": count, "skip": skip}
        return [TrackedCall._make(row) for row in statement.rows(self.conn, values)]


class TrackedCallStore:
    """Tracked calls as Get Calls reads them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get_call(self, account_id: int, sid: str) -> TrackedCall | None:
        """A tracked call of the account by Sid, listed or not yet."""
        query = _ROWS.where(tracked_calls.c.call_sid == sid, tracked_calls.c.account_id == account_id)
        with self._db.read_records(account_id) as conn:
            row = conn.execute(query).first()
        return None if row is None else TrackedCall._make(row)

    def list_calls(self, account_id: int, property_id: int | None, query: CallsQuery) -> CallsPage:
        """One page of listed calls, earliest first (ties by call id), and how many match in all."""
        with self._db.read_records(account_id) as conn:
            return list_calls(conn, account_id, property_id, query)


def list_calls(conn: Connection, account_id: int, property_id: int | None, query: CallsQuery) -> CallsPage:
    """One page of listed calls, earliest first (ties by call id), and how many match in all."""
    start, end = query.date_from_ms, query.date_to_ms
    if start is not None and end is not None and end <= start:
        return CallsPage([], 0)
    lister = _Lister(conn, _shape_of(property_id, query), _values_of(account_id, property_id, query))
    if query.prompts_keys and not lister.shape.summarised:
        # Key paths with other filters are in no rollup: count them, and skip by walking the index.
        return CallsPage(lister.page(start, end, query.count, query.skip), lister.count(start, end))
    stretches = _stretches(lister, start, end)
    total, before = sum(stretch.calls for stretch in stretches), 0
    for stretch in stretches:
        if before + stretch.calls > query.skip:
            start, offset = _into(lister, stretch, query.skip - before)
            return CallsPage(lister.page(start, end, query.count, offset), total)
        before += stretch.calls
    return CallsPage([], total)


def _stretches(lister: _Lister, start: int | None, end: int | None) -> list[_Stretch]:
    """The window cut into stretches, in order, with the matching calls of each: the partial days at
    its ends counted in ``tracked_calls``, every whole UTC day in between from a rollup."""
    first_whole = None if start is None else -(-start // DAY_MS) * DAY_MS
    whole_end = None if end is None else end - end % DAY_MS
    stretches: list[_Stretch] = []
    if start is not None and first_whole is not None and start < first_whole:
        head_end = first_whole if end is None else min(end, first_whole)
        stretches.append(_Stretch(start, head_end, lister.count(start, head_end)))
        if end is not None and end <= first_whole:
            return stretches
    stretches += lister.periods(first_whole, whole_end, DAY_MS)
    if (
        end is not None
        and whole_end is not None
        and whole_end < end
        and (start is None or whole_end >= start)
    ):
        stretches.append(_Stretch(whole_end, end, lister.count(whole_end, end)))
    return stretches


def _into(lister: _Lister, stretch: _Stretch, offset: int) -> tuple[int, int]:
    """Where to start walking, and how many rows to skip from there, to pass ``offset`` matching calls
    of ``stretch``. With the summary's hours that walk is at most an hour of rows; else the whole
    stretch (a day) may be walked."""
    if not lister.shape.summarised:
        return stretch.start, offset
    first_hour = -(-stretch.start // HOUR_MS) * HOUR_MS
    last_hour = stretch.end - stretch.end % HOUR_MS
    if first_hour >= last_hour:
        return stretch.start, offset
    if stretch.start < first_hour:
        head = lister.count(stretch.start, first_hour)
        if offset < head:
            return stretch.start, offset
        offset -= head
    for hour in lister.periods(first_hour, last_hour, HOUR_MS):
        if offset < hour.calls:
            return hour.start, offset
        offset -= hour.calls
    return last_hour, offset
