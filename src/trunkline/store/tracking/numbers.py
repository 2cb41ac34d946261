"""Tracking numbers: ExoPhones bought into a property, with their configuration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from trunkline.domain.errors import NotFound
from trunkline.domain.tracking.errors import NumberInOtherProperty
from trunkline.domain.tracking.numbers import ACTIVE, TrackingNumber
from trunkline.domain.tracking.properties import Property
from trunkline.store.accounts import claim_exophone
from trunkline.store.database import Database
from trunkline.store.schema.tracking import tracking_numbers, tracking_properties

_NUMBER_QUERY = select(tracking_numbers, tracking_properties.c.sid.label("property_sid")).join(
    tracking_properties, tracking_properties.c.id == tracking_numbers.c.property_id
)


class TrackingNumberStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def buy_number(self, prop: Property, number: str, address_sid: str | None, now_ms: int) -> TrackingNumber:
        """Put ``number`` in ``prop`` (it becomes, or stays, one of the account's ExoPhones). Buying it
        again into the same property is a no-op; into another one, ``NumberInOtherProperty``."""
        with self._db.write() as conn:
            held = self._number(conn, prop.account_id, number)
            if held is not None and held.property_id != prop.id:
                raise NumberInOtherProperty(
                    f"{number} belongs to property {held.property_sid} of this account", parameter="Number"
                )
            if held is None:
                claim_exophone(conn, prop.account_id, number)  # refused when another account holds it
                conn.execute(
                    tracking_numbers.insert().values(
                        account_id=prop.account_id,
                        number=number,
                        property_id=prop.id,
                        status=ACTIVE,
                        address_sid=address_sid,
                        recording="Off",
                        created_at=now_ms,
                        updated_at=now_ms,
                    )
                )
            elif address_sid is not None:
                conn.execute(
                    update(tracking_numbers)
                    .where(
                        tracking_numbers.c.account_id == prop.account_id, tracking_numbers.c.number == number
                    )
                    .values(address_sid=address_sid, updated_at=now_ms)
                )
            bought = self._number(conn, prop.account_id, number)
        assert bought is not None
        return bought

    def number(self, account_id: int, number: str) -> TrackingNumber | None:
        with self._db.read() as conn:
            return self._number(conn, account_id, number)

    def numbers(self, account_id: int, property_id: int | None = None) -> list[TrackingNumber]:
        query = _NUMBER_QUERY.where(tracking_numbers.c.account_id == account_id)
        if property_id is not None:
            query = query.where(tracking_numbers.c.property_id == property_id)
        with self._db.read() as conn:
            return [
                TrackingNumber(**row._mapping)
                for row in conn.execute(query.order_by(tracking_numbers.c.number))
            ]

    @staticmethod
    def _number(conn: Connection, account_id: int, number: str) -> TrackingNumber | None:
        row = conn.execute(
            _NUMBER_QUERY.where(
                tracking_numbers.c.account_id == account_id, tracking_numbers.c.number == number
            )
        ).first()
        return None if row is None else TrackingNumber(**row._mapping)

    def update_number(
        self, account_id: int, number: str, changes: dict[str, Any], now_ms: int
    ) -> TrackingNumber:
        with self._db.write() as conn:
            return self.update_number_in(conn, account_id, number, changes, now_ms)

    def update_number_in(
        self, conn: Connection, account_id: int, number: str, changes: dict[str, Any], now_ms: int
    ) -> TrackingNumber:
        """``update_number`` inside the caller's transaction (with the number's routing)."""
        changed = conn.execute(
            update(tracking_numbers)
            .where(tracking_numbers.c.account_id == account_id, tracking_numbers.c.number == number)
            .values({**changes, "updated_at": now_ms})
        ).rowcount
        if not changed:
            raise NotFound(f"{number} is not a tracking number of this account", parameter="Number")
        found = self._number(conn, account_id, number)
        assert found is not None
        return found
