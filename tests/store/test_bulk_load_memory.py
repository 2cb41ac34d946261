"""A PostgreSQL load builds its indexes with at least 256 MiB of ``maintenance_work_mem``, and never
with less than the server is configured with (a 10M-call load sorts in 1 GB: BENCHMARKS.md)."""

from __future__ import annotations

import pytest

from trunkline.store.bulk_load import _raise_maintenance_memory
from trunkline.store.database import Database


@pytest.mark.parametrize(("configured", "during_load"), [("64MB", "256MB"), ("1GB", "1GB")])
def test_index_builds_keep_the_larger_memory(
    database_factory,
    configured: str,
    during_load: str,  # type: ignore[no-untyped-def]
) -> None:
    db: Database = database_factory("postgres", f"load_memory_{configured.lower()}")
    raw = db.engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        cur.execute(f"SET maintenance_work_mem = '{configured}'")
        _raise_maintenance_memory(cur)
        cur.execute("SHOW maintenance_work_mem")
        assert cur.fetchone()[0] == during_load
        raw.driver_connection.rollback()
    finally:
        raw.close()
