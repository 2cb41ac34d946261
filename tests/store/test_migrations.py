"""The migrations build exactly the schema the code declares, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from trunkline.store.schema.catalog import metadata


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_migrated_schema_matches_declared_tables(database_factory, backend: str) -> None:  # type: ignore[no-untyped-def]
    db = database_factory(backend, f"migrations_{backend}")
    db.migrate()  # a second run is a no-op
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
