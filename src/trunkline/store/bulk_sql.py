"""A v1 bulk query as SQL on ``calls``: its shape, its values, and the WHERE clause of a shape.

The list, its cursor probe and its ``Total`` are all run from statements cached per shape
(``statement_cache``), so the translation is split in two: ``shape_of`` says which statement a query
needs, ``values_of`` what to bind into it, under the names ``conditions`` gives its bind parameters.
All three walk the same tables below, which keeps them in step.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, literal_column, tuple_
from sqlalchemy.sql.elements import ColumnElement

from trunkline.domain.calls.bulk_filters import BulkQuery, Range
from trunkline.domain.calls.cursor import Position
from trunkline.domain.calls.model import FINAL_STATUSES
from trunkline.store.schema.calls import calls

LISTS: tuple[tuple[str, str], ...] = (
    ("sid", "sids"),
    ("to_number", "to_numbers"),
    ("from_number", "from_numbers"),
    ("phone_number", "phone_numbers"),
    ("direction", "directions"),
)
"""(column, ``BulkQuery`` field) of the filters taking a list of values; they bind as ``<column>_<i>``."""
RANGES: tuple[tuple[str, str], ...] = (("duration", "duration"), ("price_micros", "price_micros"))
"""(column, ``BulkQuery`` field) of the range filters; values bind as ``<column>_<op>``."""
OPS = ("gte", "eq", "lte")
_COMPARE = {"gte": operator.ge, "eq": operator.eq, "lte": operator.le}
_KEYSET = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_SORT_KEY = tuple_(calls.c.date_created, calls.c.sid)


@dataclass(frozen=True, slots=True)
class FilterShape:
    """What a bulk query's WHERE clause looks like, without its values."""

    statuses: int
    """How many (final) statuses are asked for: every one of them unless Status narrows it."""
    lists: tuple[int, ...]
    """How many values each filter of ``LISTS`` has; 0 when it is not given."""
    ranges: tuple[tuple[str, ...], ...]
    """The operators given for each filter of ``RANGES``."""

    @property
    def all_statuses(self) -> bool:
        return self.statuses == len(FINAL_STATUSES)

    def given(self, column: str) -> int:
        return self.lists[[name for name, _ in LISTS].index(column)]

    @property
    def by_value(self) -> bool:
        """Whether Duration or Price is filtered on (``call_value_counts`` answers the count)."""
        return any(self.ranges)


def statuses_of(query: BulkQuery) -> list[str]:
    """The statuses a list shows: final ones only (ongoing calls are not listed), sorted."""
    return sorted(FINAL_STATUSES.intersection(query.statuses) if query.statuses else FINAL_STATUSES)


def shape_of(query: BulkQuery) -> FilterShape | None:
    """None when the query can match nothing (it asks for ongoing statuses only)."""
    statuses = statuses_of(query)
    if not statuses:
        return None
    return FilterShape(
        statuses=len(statuses),
        lists=tuple(len(getattr(query, field)) for _, field in LISTS),
        ranges=tuple(
            tuple(op for op in OPS if getattr(getattr(query, field), op) is not None) for _, field in RANGES
        ),
    )


def values_of(account_id: int, query: BulkQuery) -> dict[str, Any]:
    """Every value the query's statements bind, by name."""
    values: dict[str, Any] = {
        "account_id": account_id,
        "created_from": query.created_from_ms,
        "created_to": query.created_to_ms,
    }
    for i, status in enumerate(statuses_of(query)):
        values[f"status_{i}"] = status
    for column, field in LISTS:
        for i, value in enumerate(getattr(query, field)):
            values[f"{column}_{i}"] = value
    for column, field in RANGES:
        bounds: Range = getattr(query, field)
        for op in OPS:
            values[f"{column}_{op}"] = getattr(bounds, op)
    return values


def one_of(column: ColumnElement, name: str, n: int) -> ColumnElement:
    """``column`` among the ``n`` values bound as ``<name>_0`` ... (``status`` or a column of ``LISTS``)."""
    if n == 1:
        return column == bindparam(f"{name}_0")
    return column.in_([bindparam(f"{name}_{i}") for i in range(n)])


def conditions(shape: FilterShape, *, dates: bool = True, duration_index: bool = True) -> list[ColumnElement]:
    """The WHERE clause of ``shape``. Without ``dates`` the caller bounds ``date_created`` itself.

    Without ``duration_index``, Duration is compared as ``duration + 0``, which no index serves:
    SQLite rates a range on ``ix_calls_account_duration`` as selective as one on the dates, and may
    then walk every call of the store in that Duration range to count a few minutes at a window's edge.
    """
    where: list[ColumnElement] = [calls.c.account_id == bindparam("account_id")]
    if dates:
        where += [
            calls.c.date_created >= bindparam("created_from"),
            calls.c.date_created <= bindparam("created_to"),
        ]
    where.append(one_of(calls.c.status, "status", shape.statuses))
    for (column, _), n in zip(LISTS, shape.lists, strict=True):
        if n:
            where.append(one_of(calls.c[column], column, n))
    for (column, _), ops in zip(RANGES, shape.ranges, strict=True):
        compared: ColumnElement = calls.c[column]
        if column == "duration" and not duration_index:
            compared = compared + literal_column("0")
        for op in ops:
            where.append(_COMPARE[op](compared, bindparam(f"{column}_{op}")))
    return where


def keyset(op: str) -> ColumnElement:
    """``(date_created, sid) <op> (cursor_ms, cursor_sid)``: the records past a cursor."""
    return _KEYSET[op](_SORT_KEY, tuple_(bindparam("cursor_ms"), bindparam("cursor_sid")))


def past_values(values: dict[str, Any], cursor: Position, *, later: bool) -> dict[str, Any]:
    """``values`` for the records after (``later``) or before ``cursor``. The cursor's date replaces
    the window's bound on that side rather than joining it: SQLite seeks the index on one bound per
    side, and a second, looser one would make it scan from the window's edge."""
    moved = dict(values, cursor_ms=cursor.date_created_ms, cursor_sid=cursor.sid)
    if later:
        moved["created_from"] = max(values["created_from"], cursor.date_created_ms)
    else:
        moved["created_to"] = min(values["created_to"], cursor.date_created_ms)
    return moved
