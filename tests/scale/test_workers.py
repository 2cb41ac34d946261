"""``trunkline serve --workers N``: refused on SQLite with one line; on PostgreSQL N processes on
one port, each registered in the store, migrated once by the parent."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from sqlalchemy import select

from tests.scale.conftest import StartProcesses
from tests.support.serve_process import cli_env, run_cli
from trunkline.store.database import Database
from trunkline.store.schema.processes import server_processes


def test_workers_above_one_on_sqlite_is_refused_with_one_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "serve", "--workers", "2", "--port", "0", env=cli_env(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --workers 2 needs PostgreSQL: a SQLite store is served by one process; pass "
        "--database-url postgresql://... or leave --workers at 1"
    ]
    assert not (tmp_path / "trunkline.db").exists()  # refused before anything was made


def test_workers_on_postgresql_serve_one_port_from_registered_processes(
    processes: StartProcesses, shared_store: Database
) -> None:
    [served] = processes(1, args=("--workers", "2"))
    assert "Workers: 2 processes on one port" in served.banner
    # Each worker is a fresh interpreter that builds the whole app before it registers; on a
    # loaded 2-core CI host the second one took longer than 30 s once.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with shared_store.read() as conn:
            pids = set(conn.execute(select(server_processes.c.pid)).scalars())
        if len(pids) == 2:
            break
        time.sleep(0.2)
    assert len(pids) == 2 and served.process.pid not in pids  # the two workers, not the parent
    with httpx.Client(base_url=served.base_url, timeout=10) as http:
        assert all(http.get("/openapi.json").status_code == 200 for _ in range(10))
    served.stop()
    with shared_store.read() as conn:  # each worker left the registry as it stopped
        assert conn.execute(select(server_processes.c.pid)).scalars().all() == []
