"""Several `trunkline serve` processes on one throwaway PostgreSQL database (tests/scale only).

Each process is a real subprocess on its own free port, as two hosts behind a load balancer would
be; the tests address each one directly to show that they behave as one."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.live_server import ADMIN_TOKEN
from tests.support.serve_process import ServeProcess, cli_env, start_serve
from trunkline.store.database import Database

_names = itertools.count()

FAST_REGISTRY = {"TRUNKLINE_HEARTBEAT_SECONDS": "0.5", "TRUNKLINE_PROCESS_GONE_SECONDS": "2"}
"""Heartbeats twice a second, gone after 2 s: the takeover test waits seconds, not minutes."""

StartProcesses = Callable[..., list[ServeProcess]]


@pytest.fixture
def shared_store(database_factory) -> Database:  # type: ignore[no-untyped-def]
    """A fresh, migrated PostgreSQL database of the session's throwaway cluster."""
    db: Database = database_factory("postgres", f"scale_{next(_names)}")
    return db


def start_processes(
    db: Database, tmp_path: Path, count: int, *, args: tuple[str, ...] = (), **settings: str
) -> list[ServeProcess]:
    """``count`` server processes on ``db``, each in its own folder and port."""
    started: list[ServeProcess] = []
    try:
        for n in range(count):
            workdir = tmp_path / f"process{n}"
            workdir.mkdir(parents=True)
            env = cli_env(
                workdir,
                TRUNKLINE_DATABASE_URL=db.url,
                TRUNKLINE_ADMIN_TOKEN=ADMIN_TOKEN,
                TRUNKLINE_DEMO_ACCOUNT="false",
                **FAST_REGISTRY,
                **settings,
            )
            started.append(start_serve(workdir, *args, env=env))
    except BaseException:
        for process in started:
            process.stop()
        raise
    return started


@pytest.fixture
def processes(shared_store: Database, tmp_path: Path) -> Iterator[StartProcesses]:
    """Start server processes on ``shared_store``; all stopped after the test."""
    started: list[ServeProcess] = []

    def start(count: int, *, args: tuple[str, ...] = (), **settings: str) -> list[ServeProcess]:
        made = start_processes(shared_store, tmp_path / f"set{len(started)}", count, args=args, **settings)
        started.extend(made)
        return made

    yield start
    for process in started:
        if process.process.poll() is None:
            process.stop()
