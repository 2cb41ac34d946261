"""Processes that start on one store behind the code's schema at the same moment (two
``trunkline serve`` on one PostgreSQL after an upgrade, a server and a CLI command) all come up:
one migrates, the others wait for it and find nothing left to do. Before, the second ran the same
migrations and failed ("already exists" on PostgreSQL, "database is locked" on SQLite)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.pg_cluster import PostgresCluster
from trunkline.store.database import Database, schema_head

_MIGRATE_AT = """
import sys, time
from trunkline.store.database import Database
db = Database(sys.argv[1])
while time.time() < float(sys.argv[2]):  # every process imported: start together
    time.sleep(0.005)
db.migrate()
db.dispose()
"""


def _race(url: str, processes: int = 3) -> list[str]:
    """Migrate ``url`` from ``processes`` processes at once; the failures' stderr."""
    start_at = str(time.time() + 3)
    started = [
        subprocess.Popen(
            [sys.executable, "-c", _MIGRATE_AT, url, start_at],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        for _ in range(processes)
    ]
    failures = []
    for process in started:
        _, err = process.communicate(timeout=180)
        if process.returncode != 0:
            failures.append(err.strip().splitlines()[-1] if err.strip() else f"exit {process.returncode}")
    return failures


def _at_head(url: str) -> bool:
    db = Database(url)
    try:
        return db.revision() == schema_head()
    finally:
        db.dispose()


def test_processes_migrating_one_fresh_postgresql_store_at_once_all_start(
    pg_cluster: PostgresCluster,
) -> None:
    url = pg_cluster.create_database("migrate_race")
    assert _race(url) == []
    assert _at_head(url)


def test_processes_migrating_one_fresh_sqlite_store_at_once_all_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    assert _race(url) == []
    assert _at_head(url)
