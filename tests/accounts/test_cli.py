"""The command line as a user meets it: `trunkline serve` prints working demo credentials,
`trunkline accounts …` creates accounts whose tokens are stored only as hashes."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select
from typer.testing import CliRunner

from trunkline.cli.main import app
from trunkline.store.database import Database
from trunkline.store.schema.accounts import api_credentials

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_accounts_create_prints_credentials_once_and_stores_only_a_hash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(
        app,
        [
            "accounts",
            "create",
            "--sid",
            "acme",
            "--exophone",
            "08047112233",
            "--exophone",
            "+918047112234",
            "--database-url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["sid"] == "acme" and created["exophones"] == ["+918047112233", "+918047112234"]
    assert len(created["api_token"]) >= 40
    with Database(url).engine.connect() as conn:
        stored = conn.execute(select(api_credentials.c.token_hash)).scalar_one()
    assert created["api_token"] not in stored and stored.startswith("scrypt$")
    second = runner.invoke(
        app,
        [
            "accounts",
            "add-credential",
            "--sid",
            "acme",
            "--api-key",
            "k2",
            "--api-token",
            "t2-secret",
            "--database-url",
            url,
        ],
    )
    assert second.exit_code == 0 and json.loads(second.output)["api_key"] == "k2"
    again = runner.invoke(app, ["accounts", "create", "--sid", "acme", "--database-url", url])
    assert again.exit_code == 2 and "already exists" in again.output
    bad = runner.invoke(
        app, ["accounts", "create", "--sid", "x", "--exophone", "nope", "--database-url", url]
    )
    assert bad.exit_code == 2


def test_serve_starts_prints_demo_credentials_that_work(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(
        os.environ,
        TRUNKLINE_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        TRUNKLINE_PORT=str(port),
        COLUMNS="200",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "trunkline.cli.main", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = ""
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        while "curl -u" not in banner and time.monotonic() < deadline:
            banner += process.stdout.readline()
        match = re.search(r"curl -u (\S+):(\S+) (\S+)", banner)
        assert match, banner
        key, token, url = match.groups()
        for _ in range(100):
            try:
                response = httpx.get(url, auth=(key, token), timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json()["Metadata"]["Total"] > 1000  # a new demo account comes with history
        assert httpx.get(url, auth=(key, "wrong"), timeout=5).status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=20)
