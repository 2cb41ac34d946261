"""Stores for export and sync tests: SQLite files a CLI command can be pointed at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trunkline.store.database import Database


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'local.db'}")
    db.migrate()
    yield db
    db.dispose()
