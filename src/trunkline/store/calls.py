"""Reading call records; a bulk list runs the statements ``bulk_sql`` describes. Calls are written by
``store.call_writes``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, bindparam, exists, select
from sqlalchemy.sql.elements import BindParameter

from trunkline.domain.calls.bulk_filters import BulkQuery
from trunkline.domain.calls.cursor import Position
from trunkline.domain.calls.model import Call, Leg
from trunkline.store import bulk_sql, call_counts
from trunkline.store.database import Database
from trunkline.store.schema.calls import call_legs, calls
from trunkline.store.statement_cache import CompiledStatement, statements_for

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
_LEGS = select(
    call_legs.c.call_id,
    call_legs.c.leg_id,
    call_legs.c.number,
    call_legs.c.status,
    call_legs.c.on_call_duration,
    call_legs.c.answered_by,
)
"""A call's id, then the fields of ``Leg`` in order."""
_LEGS_OF_ONE = _LEGS.where(call_legs.c.call_id == bindparam("call_id")).order_by(call_legs.c.leg_id)


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


class CallStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        # Run on a lent sqlite3 connection, past SQLAlchemy (see ``Database.point_read``).
        self._point = CompiledStatement(_GET_ONE, db.engine.dialect) if db.is_sqlite else None
        self._point_legs = CompiledStatement(_LEGS_OF_ONE, db.engine.dialect) if db.is_sqlite else None

    def get(self, account_id: int, account_sid: str, sid: str, with_legs: bool = False) -> Call | None:
        if self._point is not None and self._point_legs is not None:
            with self._db.point_read() as connection:
                row = connection.execute(
                    self._point.sql, self._point.params({"account_id": account_id, "sid": sid})
                ).fetchone()
                if row is None:
                    return None
                call = row_to_call(row, account_sid)
                if with_legs:
                    legs = connection.execute(
                        self._point_legs.sql, self._point_legs.params({"call_id": row[0]})
                    )
                    call.legs = [Leg(*leg[1:]) for leg in legs]
                return call
        with self._db.read_records(account_id) as conn:
            found = conn.execute(_GET_ONE, {"account_id": account_id, "sid": sid}).first()
            if found is None:
                return None
            call = row_to_call(found, account_sid)
            if with_legs:
                self._attach_legs(conn, {found.id: call})
            return call

    def list(self, account_id: int, account_sid: str, query: BulkQuery) -> CallPage:
        """One page of a bulk query, walked by keyset on (DateCreated, Sid) in either direction."""
        shape = bulk_sql.shape_of(query)
        if shape is None:
            return CallPage([], 0, False, False)
        values = bulk_sql.values_of(account_id, query)
        cursor = query.after or query.before
        # Fetch forward in the requested order, or backward from a Before cursor and flip.
        backward = query.before is not None
        ascending = query.descending == backward
        if cursor is None:
            page_sql, page_values = self._page(shape, None, ascending), values
        else:
            page_sql = self._page(shape, ">" if ascending else "<", ascending)
            page_values = bulk_sql.past_values(values, cursor, later=ascending)
        with self._db.read_records(account_id) as conn:
            rows = page_sql.rows(conn, {**page_values, "limit": query.page_size + 1, "offset": 0})
            more = len(rows) > query.page_size
            rows = rows[: query.page_size]
            if backward:
                rows.reverse()
            other_side = cursor is not None and self._any_beyond(conn, shape, values, cursor, ascending)
            total = call_counts.count(conn, account_id, query)
            by_id = {row[0]: row_to_call(row, account_sid) for row in rows}
            if query.details and by_id:
                self._attach_legs(conn, by_id)
        has_previous, has_next = (more, other_side) if backward else (other_side, more)
        return CallPage(list(by_id.values()), total, has_previous, has_next)

    def _page(self, shape: bulk_sql.FilterShape, past: str | None, ascending: bool) -> CompiledStatement:
        def build() -> Select:
            where = bulk_sql.conditions(shape)
            if past is not None:
                where.append(bulk_sql.keyset(past))
            order = (
                (calls.c.date_created.asc(), calls.c.sid.asc())
                if ascending
                else (calls.c.date_created.desc(), calls.c.sid.desc())
            )
            # A bound LIMIT makes SQLite's compiler add an OFFSET of its own, as a literal: bind it too.
            limited = select(*_CALL_COLUMNS).where(*where).order_by(*order).limit(bindparam("limit"))
            return limited.offset(bindparam("offset"))

        return statements_for(self._db.engine.dialect).get(("calls.page", shape, past, ascending), build)

    def _any_beyond(
        self,
        conn: Connection,
        shape: bulk_sql.FilterShape,
        values: dict[str, Any],
        cursor: Position,
        ascending: bool,
    ) -> bool:
        """Whether any record lies on the cursor's other side (it included): is there a page back?"""
        past = "<=" if ascending else ">="

        def build() -> Select:
            where = [*bulk_sql.conditions(shape), bulk_sql.keyset(past)]
            return select(exists().where(*where))

        probe = statements_for(self._db.engine.dialect).get(("calls.beyond", shape, past), build)
        return bool(probe.scalar(conn, bulk_sql.past_values(values, cursor, later=not ascending)))

    @staticmethod
    def _attach_legs(conn: Connection, by_id: dict[int, Call]) -> None:
        n = len(by_id)

        def build() -> Select:
            ids: list[BindParameter[int]] = [bindparam(f"id_{i}") for i in range(n)]
            return _LEGS.where(call_legs.c.call_id.in_(ids)).order_by(call_legs.c.call_id, call_legs.c.leg_id)

        legs = statements_for(conn.dialect).get(("calls.legs", n), build)
        for call_id, *leg in legs.rows(conn, {f"id_{i}": call_id for i, call_id in enumerate(by_id)}):
            by_id[call_id].legs.append(Leg(*leg))
