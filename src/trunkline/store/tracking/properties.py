"""Call-tracking properties: a website or business line of an account, holding tracking numbers."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from trunkline.domain.tracking.errors import PropertyExists
from trunkline.domain.tracking.properties import Property, check_new_property, new_property_sid
from trunkline.store.database import Database
from trunkline.store.schema.tracking import (
    tracked_call_counts,
    tracked_call_summary,
    tracked_calls,
    tracking_numbers,
    tracking_properties,
)


class PropertyStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create_property(self, account_id: int, name: str, now_ms: int, sid: str | None = None) -> Property:
        check_new_property(name, sid)
        sid = sid or new_property_sid()
        with self._db.write() as conn:
            self._db.note_writes(conn, [account_id])  # Get Calls lists join the properties
            try:
                property_id = conn.execute(
                    tracking_properties.insert()
                    .values(account_id=account_id, sid=sid, name=name, created_at=now_ms)
                    .returning(tracking_properties.c.id)
                ).scalar_one()
            except IntegrityError:
                raise PropertyExists(f"property {sid} already exists", parameter="sid") from None
        return Property(property_id, account_id, sid, name, now_ms)

    def properties(self, account_id: int) -> list[Property]:
        query = select(tracking_properties).where(tracking_properties.c.account_id == account_id)
        with self._db.read() as conn:
            return [
                Property(**row._mapping) for row in conn.execute(query.order_by(tracking_properties.c.id))
            ]

    def property_by_sid(self, sid: str) -> Property | None:
        """A property by Sid, whichever account holds it (the dialect decides 403 or 404)."""
        query = select(tracking_properties).where(tracking_properties.c.sid == sid)
        with self._db.read() as conn:
            row = conn.execute(query).first()
        return None if row is None else Property(**row._mapping)

    def delete_property(self, account_id: int, sid: str) -> bool:
        """Delete a property with its tracking numbers and tracked-call rows (the calls, and the numbers
        as ExoPhones, stay)."""
        with self._db.write() as conn:
            self._db.note_writes(conn, [account_id])
            found = conn.execute(
                select(tracking_properties.c.id).where(
                    tracking_properties.c.account_id == account_id, tracking_properties.c.sid == sid
                )
            ).first()
            if found is None:
                return False
            for rollup in (tracked_call_counts, tracked_call_summary):
                conn.execute(
                    delete(rollup).where(rollup.c.account_id == account_id, rollup.c.property_id == found.id)
                )
            conn.execute(delete(tracked_calls).where(tracked_calls.c.property_id == found.id))
            conn.execute(delete(tracking_numbers).where(tracking_numbers.c.property_id == found.id))
            conn.execute(delete(tracking_properties).where(tracking_properties.c.id == found.id))
        return True
