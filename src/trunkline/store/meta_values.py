"""Small named values kept in the ``meta`` table (the network clock's state, the scenario)."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from trunkline.store.database import Database
from trunkline.store.schema.meta import meta


def read(conn: Connection, key: str, *, for_update: bool = False) -> str | None:
    query = select(meta.c.value).where(meta.c.key == key)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    value = conn.execute(query).scalar()
    return None if value is None else str(value)


def write(conn: Connection, key: str, value: str) -> None:
    """Insert or replace (two statements, which is safe inside ``Database.write``'s transaction on
    SQLite; on PostgreSQL callers that race read the row ``for_update`` first)."""
    changed = conn.execute(update(meta).where(meta.c.key == key).values(value=value)).rowcount
    if not changed:
        conn.execute(meta.insert().values(key=key, value=value))


def get(db: Database, key: str) -> str | None:
    with db.read() as conn:
        return read(conn, key)


def put(db: Database, key: str, value: str) -> None:
    with db.write() as conn:
        write(conn, key, value)
