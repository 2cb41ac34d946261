"""Reading and writing call records. The bulk-list query is translated to SQL here, and only here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, literal, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from trunkline.domain.calls.bulk_filters import BulkQuery, Range
from trunkline.domain.calls.cursor import Position
from trunkline.domain.calls.model import FINAL_STATUSES, Call, Leg
from trunkline.store import call_counts, call_value_counts, tracking
from trunkline.store.database import Database
from trunkline.store.schema import call_counts as call_counts_table
from trunkline.store.schema import call_legs, calls
from trunkline.store.schema import call_value_counts as call_value_counts_table

_CALL_COLUMNS = (
    calls.c.id,
    calls.c.sid,
    calls.c.date_created,
    calls.c.date_updated,
    calls.c.from_number,
    calls.c.to_number,
    calls.c.phone_number,
    calls.c.status,
    calls.c.direction,
    calls.c.start_time,
    calls.c.end_time,
    calls.c.duration,
    calls.c.price_micros,
    calls.c.parent_call_sid,
    calls.c.answered_by,
    calls.c.forwarded_from,
    calls.c.caller_name,
    calls.c.recording_path,
    calls.c.conversation_duration,
    calls.c.custom_field,
    calls.c.flow_app_id,
    calls.c.ivr_keys,
)
CALL_COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in _CALL_COLUMNS)
"""The columns ``row_to_call`` reads, in order."""
_GET_ONE = select(*_CALL_COLUMNS).where(
    calls.c.account_id == bindparam("account_id"), calls.c.sid == bindparam("sid")
)
_LEGS_OF = (
    select(call_legs)
    .where(call_legs.c.call_id.in_(bindparam("ids", expanding=True)))
    .order_by(call_legs.c.call_id, call_legs.c.leg_id)
)
_LEGS_OF_ONE = (
    select(
        call_legs.c.call_id,
        call_legs.c.leg_id,
        call_legs.c.number,
        call_legs.c.status,
        call_legs.c.on_call_duration,
        call_legs.c.answered_by,
    )
    .where(call_legs.c.call_id == bindparam("call_id"))
    .order_by(call_legs.c.leg_id)
)
_SORT_KEY = tuple_(calls.c.date_created, calls.c.sid)


@dataclass(frozen=True, slots=True)
class CallPage:
    calls: list[Call]
    total: int
    has_previous: bool
    has_next: bool


def row_to_call(row: Sequence[Any], account_sid: str) -> Call:
    """A row of ``_CALL_COLUMNS``, by position (works for SQLAlchemy rows and raw DBAPI tuples)."""
    (
        _,
        sid,
        date_created,
        date_updated,
        from_number,
        to_number,
        phone_number,
        status,
        direction,
        start_time,
        end_time,
        duration,
        price_micros,
        parent_call_sid,
        answered_by,
        forwarded_from,
        caller_name,
        recording_path,
        conversation_duration,
        custom_field,
        flow_app_id,
        ivr_keys,
    ) = row
    return Call(
        sid=sid,
        account_sid=account_sid,
        date_created=date_created,
        date_updated=date_updated,
        from_number=from_number,
        to_number=to_number,
        phone_number=phone_number,
        status=status,
        direction=direction,
        start_time=start_time,
        end_time=end_time,
        duration=duration,
        price_micros=price_micros,
        parent_call_sid=parent_call_sid,
        answered_by=answered_by,
        forwarded_from=forwarded_from,
        caller_name=caller_name,
        recording_path=recording_path,
        conversation_duration=conversation_duration,
        custom_field=custom_field,
        flow_app_id=flow_app_id,
        ivr_keys=ivr_keys,
    )


class _CompiledRead:
    """A Core statement compiled once for the store's dialect, run on a raw DBAPI cursor."""

    def __init__(self, statement: Select, db: Database) -> None:
        compiled = statement.compile(dialect=db.engine.dialect)
        self.sql = str(compiled)
        self.names = list(compiled.positiontup or [])

    def params(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[name] for name in self.names)


def _range(column: ColumnElement, bounds: Range) -> list[ColumnElement]:
    conditions = []
    if bounds.gte is not None:
        conditions.append(column >= bounds.gte)
    if bounds.eq is not None:
        conditions.append(column == bounds.eq)
    if bounds.lte is not None:
        conditions.append(column <= bounds.lte)
    return conditions


def _filters(account_id: int, query: BulkQuery) -> list[ColumnElement] | None:
    """The WHERE clause of a bulk query, or None when it can match nothing (ongoing statuses only)."""
    statuses = sorted(FINAL_STATUSES.intersection(query.statuses) if query.statuses else FINAL_STATUSES)
    if not statuses:
        return None
    conditions: list[ColumnElement] = [
        calls.c.account_id == account_id,
        calls.c.date_created >= query.created_from_ms,
        calls.c.date_created <= query.created_to_ms,
        calls.c.status.in_(statuses),
    ]
    for column, values in (
        (calls.c.sid, query.sids),
        (calls.c.to_number, query.to_numbers),
        (calls.c.from_number, query.from_numbers),
        (calls.c.phone_number, query.phone_numbers),
        (calls.c.direction, query.directions),
    ):
        if values:
            conditions.append(column.in_(values) if len(values) > 1 else column == values[0])
    conditions += _range(calls.c.duration, query.duration)
    conditions += _range(calls.c.price_micros, query.price_micros)
    return conditions


def _key(position: Position) -> ColumnElement:
    return tuple_(literal(position.date_created_ms), literal(position.sid))


def _past(
    account_id: int, query: BulkQuery, cursor: Position, *, later: bool, inclusive: bool
) -> list[ColumnElement] | None:
    """The query's conditions narrowed to records after (``later``) or before the cursor in
    (DateCreated, Sid) order. The cursor's date replaces the window's bound on that side rather
    than joining it: SQLite seeks the index on one bound per side, and a second, looser one would
    make it scan from the window's edge. The row-value comparison then breaks ties on Sid."""
    if later:
        narrowed = replace(query, created_from_ms=max(query.created_from_ms, cursor.date_created_ms))
    else:
        narrowed = replace(query, created_to_ms=min(query.created_to_ms, cursor.date_created_ms))
    conditions = _filters(account_id, narrowed)
    if conditions is None:
        return None
    key = _key(cursor)
    if later:
        return [*conditions, _SORT_KEY >= key if inclusive else _SORT_KEY > key]
    return [*conditions, _SORT_KEY <= key if inclusive else _SORT_KEY < key]


class CallStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._point = _CompiledRead(_GET_ONE, db) if db.is_sqlite else None
        self._point_legs = _CompiledRead(_LEGS_OF_ONE, db) if db.is_sqlite else None

    def get(self, account_id: int, account_sid: str, sid: str, with_legs: bool = False) -> Call | None:
        if self._point is not None and self._point_legs is not None:
            connection = self._db.point_connection()
            row = connection.execute(
                self._point.sql, self._point.params({"account_id": account_id, "sid": sid})
            ).fetchone()
            if row is None:
                return None
            call = row_to_call(row, account_sid)
            if with_legs:
                call.legs = [Leg(*leg[1:]) for leg in connection.execute(self._point_legs.sql, (row[0],))]
            return call
        with self._db.engine.connect() as conn:
            found = conn.execute(_GET_ONE, {"account_id": account_id, "sid": sid}).first()
            if found is None:
                return None
            call = row_to_call(found, account_sid)
            if with_legs:
                self._attach_legs(conn, {found.id: call})
            return call

    def list(self, account_id: int, account_sid: str, query: BulkQuery) -> CallPage:
        """One page of a bulk query, walked by keyset on (DateCreated, Sid) in either direction."""
        conditions = _filters(account_id, query)
        if conditions is None:
            return CallPage([], 0, False, False)
        cursor = query.after or query.before
        # Fetch forward in the requested order, or backward from a Before cursor and flip.
        backward = query.before is not None
        ascending = query.descending == backward
        order = (
            (calls.c.date_created.asc(), calls.c.sid.asc())
            if ascending
            else (calls.c.date_created.desc(), calls.c.sid.desc())
        )
        page_conditions = (
            conditions
            if cursor is None
            else _past(account_id, query, cursor, later=ascending, inclusive=False)
        )
        if page_conditions is None:
            page_conditions = [literal(False)]
        statement = select(*_CALL_COLUMNS).where(*page_conditions).order_by(*order).limit(query.page_size + 1)
        with self._db.engine.connect() as conn:
            rows = list(conn.execute(statement).all())
            more = len(rows) > query.page_size
            rows = rows[: query.page_size]
            if backward:
                rows.reverse()
            beyond = (
                None
                if cursor is None
                else _past(account_id, query, cursor, later=not ascending, inclusive=True)
            )
            other_side = beyond is not None and self._exists(conn, beyond)
            total = call_counts.count(conn, account_id, query, conditions)
            by_id = {row.id: row_to_call(row, account_sid) for row in rows}
            if query.details and by_id:
                self._attach_legs(conn, by_id)
        has_previous, has_next = (more, other_side) if backward else (other_side, more)
        return CallPage(list(by_id.values()), total, has_previous, has_next)

    @staticmethod
    def _exists(conn: Connection, conditions: Sequence[ColumnElement]) -> bool:
        probe: Select = select(literal(1)).select_from(calls).where(*conditions).limit(1)
        return conn.execute(probe).first() is not None

    @staticmethod
    def _attach_legs(conn: Connection, by_id: dict[int, Call]) -> None:
        for leg in conn.execute(_LEGS_OF, {"ids": list(by_id)}):
            by_id[leg.call_id].legs.append(
                Leg(leg.leg_id, leg.number, leg.status, leg.on_call_duration, leg.answered_by)
            )

    def insert(self, account_id: int, records: Iterable[Call]) -> None:
        """Insert finished or live calls with their legs (tests, imports, and later the call engine).

        Every write of calls goes through the store so that the ``call_counts`` rollups stay exact."""
        records = list(records)
        with self._db.engine.begin() as conn:
            for call in records:
                call_id = conn.execute(
                    calls.insert()
                    .values(
                        account_id=account_id,
                        **{c.name: getattr(call, c.name) for c in _CALL_COLUMNS if c.name != "id"},
                    )
                    .returning(calls.c.id)
                ).scalar_one()
                for leg in call.legs:
                    conn.execute(
                        call_legs.insert().values(
                            call_id=call_id,
                            leg_id=leg.leg_id,
                            number=leg.number,
                            status=leg.status,
                            on_call_duration=leg.on_call_duration,
                            answered_by=leg.answered_by,
                        )
                    )
            call_counts.add(conn, account_id, records)
            call_value_counts.add(conn, account_id, records)

    def purge(self, account_id: int | None) -> int:
        """Delete the calls of one account (or of all), with everything hanging off them (legs, runs,
        events, webhook deliveries: ON DELETE CASCADE) and their rollups. Returns how many."""
        with self._db.write() as conn:
            calls_of = delete(calls)
            counts_of = delete(call_counts_table)
            value_counts_of = delete(call_value_counts_table)
            if account_id is not None:
                calls_of = calls_of.where(calls.c.account_id == account_id)
                counts_of = counts_of.where(call_counts_table.c.account_id == account_id)
                value_counts_of = value_counts_of.where(call_value_counts_table.c.account_id == account_id)
            deleted = conn.execute(calls_of).rowcount
            conn.execute(counts_of)
            conn.execute(value_counts_of)
            tracking.purge_rollup(conn, account_id)  # its rows went with the calls (ON DELETE CASCADE)
        return int(deleted)
