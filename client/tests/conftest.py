"""A live Trunkline server per test session, started as a subprocess (``trunkline serve`` on a free
port, virtual clock, a SQLite file in a temporary directory), with accounts made by the CLI.

The SDK under test never imports ``trunkline``; only this harness runs its CLI, as a user would.
Every test that talks to the server runs twice, with ``Trunkline`` and with ``AsyncTrunkline``
(the ``mode`` fixture); ``drive`` runs one async test body against either.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from trunkline_client import AsyncTrunkline, Trunkline

EXOPHONE = "+918047112233"
ANSWERS = "+919999900001"
"""Answers after 2 s and hangs up 60 s later (docs/simulated-network.md)."""
SHORT_TALK = "+919999910005"
"""Answers after 2 s and hangs up 5 s later."""
BUSY = "+919999900002"
SEEDED_CALLS = 300


@dataclass
class Server:
    base_url: str
    admin_token: str
    process: subprocess.Popen[bytes]
    database_url: str
    env: dict[str, str]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass(frozen=True)
class Account:
    sid: str
    api_key: str
    api_token: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "trunkline.cli.main", *args],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"trunkline {' '.join(args)} failed: {done.stderr.decode()[-2000:]}")
    return done.stdout.decode()


def create_account(env: dict[str, str], sid: str, exophone: str = EXOPHONE) -> Account:
    """An account with one ExoPhone: EXOPHONE unless given (a number belongs to one account)."""
    out = json.loads(
        _cli(env, "accounts", "create", "--sid", sid, "--api-key", f"{sid}_key", "--exophone", exophone)
    )
    return Account(out["sid"], out["api_key"], out["api_token"])


def start_server(tmp: Path, accounts: Callable[[dict[str, str]], None], **settings: str) -> Server:
    """Create the store and its accounts with the CLI, then serve it until ``/admin/clock`` answers."""
    token = secrets.token_urlsafe(16)
    database_url = f"sqlite:///{tmp / 't.db'}"
    env = {
        **os.environ,
        "TRUNKLINE_DATABASE_URL": database_url,
        "TRUNKLINE_ADMIN_TOKEN": token,
        "TRUNKLINE_DEMO_ACCOUNT": "false",
        "TRUNKLINE_RECORDINGS_DIR": str(tmp / "recordings"),
        "TRUNKLINE_SETTLE_DELAY_SECONDS": "0",
        "TRUNKLINE_WEBHOOK_BACKOFF_SECONDS": "0",
        **settings,
    }
    accounts(env)
    port = _free_port()
    log = (tmp / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "trunkline.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
        + ["--clock", "virtual"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", token, process, database_url, env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {(tmp / 'server.log').read_text()[-2000:]}")
        try:
            headers = {"Authorization": f"Bearer {token}"}
            if httpx.get(f"{server.base_url}/admin/clock", headers=headers, timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("server did not start within 30 s")


ACCOUNTS: dict[str, Account] = {}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    def make_accounts(env: dict[str, str]) -> None:
        for sid in ("sdk",):
            ACCOUNTS[sid] = create_account(env, sid)
        ACCOUNTS["paged"] = create_account(env, "paged", exophone="+918047112299")
        _cli(env, "seed", "--account", "paged", "--calls", str(SEEDED_CALLS), "--days", "10", "--tracking")

    started = start_server(tmp_path_factory.mktemp("trunkline"), make_accounts)
    yield started
    started.stop()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


AnyClient = Trunkline | AsyncTrunkline


def make_client(mode: str, server: Server, account: str = "sdk", **options: Any) -> AnyClient:
    found = ACCOUNTS[account]
    kind = Trunkline if mode == "sync" else AsyncTrunkline
    options.setdefault("admin_token", server.admin_token)
    token = options.pop("api_token", found.api_token)
    return kind(found.sid, found.api_key, token, base_url=server.base_url, timeout=10, **options)


def drive(
    mode: str, server: Server, body: Callable[[Any], Awaitable[None]], account: str = "sdk", **options: Any
) -> None:
    """Run ``body(client)`` with a sync or an async client; the body awaits every result through
    ``ready``, which passes sync results through, so one test body covers both clients."""

    async def main() -> None:
        client = make_client(mode, server, account, **options)
        try:
            await body(client)
        finally:
            await ready(client.close())

    asyncio.run(asyncio.wait_for(main(), timeout=60))


async def ready(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def collect(items: Iterable[Any] | AsyncIterable[Any], limit: int = 10_000) -> list[Any]:
    """Every item of a sync or async iterator, at most ``limit``."""
    found: list[Any] = []
    if isinstance(items, AsyncIterable):
        async for item in items:
            found.append(item)
            if len(found) >= limit:
                break
    else:
        for item in items:
            found.append(item)
            if len(found) >= limit:
                break
    return found
