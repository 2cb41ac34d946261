"""Writers of one process queue for SQLite's write lock instead of racing for it.

SQLite's busy handler gives up after ``busy_timeout``; before the write gate, a writer that waited
longer than that behind another writer of the same server failed with "database is locked", which
a request answered as a 500 (seen under load in the memory soak)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from trunkline.store import database as database_module
from trunkline.store.database import Database
from trunkline.store.schema.meta import meta


def test_a_writer_waits_behind_a_long_write_of_the_same_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    db = Database(f"sqlite:///{tmp_path / 'queue.db'}")
    db.migrate()
    holding, errors = threading.Event(), []

    def long_write() -> None:
        with db.write() as conn:
            conn.execute(meta.insert().values(key="first", value="1"))
            holding.set()
            time.sleep(0.6)  # six times the busy timeout

    def second_write() -> None:
        try:
            with db.write() as conn:
                conn.execute(meta.insert().values(key="second", value="2"))
        except Exception as exc:  # noqa: BLE001 - the failure is what the test reports
            errors.append(exc)

    first = threading.Thread(target=long_write)
    first.start()
    assert holding.wait(5)
    second = threading.Thread(target=second_write)
    second.start()
    first.join(10)
    second.join(10)
    assert errors == []
    with db.read() as conn:
        keys = set(conn.execute(select(meta.c.key).where(meta.c.key.in_(["first", "second"]))).scalars())
    assert keys == {"first", "second"}
    db.dispose()
