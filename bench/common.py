"""What the benchmarks share: a store to build, an account's Sids, starting servers on free loopback
ports, wrk runs, memory readings."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select

from trunkline.store.accounts import AccountStore, Credential
from trunkline.store.database import Database
from trunkline.store.schema.calls import calls

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def bench_store(backend: str, sqlite_path: Path, *, keep: bool = False) -> Iterator[str]:
    """The URL of a store to build: the SQLite file at ``sqlite_path`` (emptied first unless
    ``keep``), or the ``trunkline`` database of a throwaway PostgreSQL cluster, deleted afterwards."""
    if backend == "sqlite":
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        yield f"sqlite:///{sqlite_path}"
        return
    sys.path.insert(0, str(ROOT))
    from tests.support.pg_cluster import PostgresCluster, find_bindir

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL binaries are needed: apt-get install postgresql")
    cluster = PostgresCluster(bindir)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def account_sids(database_url: str, account_sid: str, limit: int) -> tuple[Credential, list[str]]:
    """A new API credential of the account (the store keeps tokens hashed) and up to ``limit`` of
    its call Sids."""
    db = Database(database_url)
    try:
        accounts = AccountStore(db)
        credential = accounts.add_credential(account_sid)
        account = accounts.get(account_sid)
        assert account is not None
        with db.read() as conn:
            query = select(calls.c.sid).where(calls.c.account_id == account.id).limit(limit)
            return credential, list(conn.execute(query).scalars())
    finally:
        db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(
    command: list[str], port: int, env: dict[str, str] | None = None, ready_path: str = "/"
) -> Iterator[subprocess.Popen[bytes]]:
    # BENCH_SERVER_LOG=path keeps the server's output (its error lines) for a run that went wrong.
    log_path = os.environ.get("BENCH_SERVER_LOG")
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}{ready_path}", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"server did not start: {command}")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        if not isinstance(log, int):
            log.close()


def bare_server(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.bare_starlette:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def trunkline_server(port: int, database_url: str) -> tuple[list[str], dict[str, str]]:
    env = {
        "TRUNKLINE_DATABASE_URL": database_url,
        "TRUNKLINE_PORT": str(port),
        "TRUNKLINE_RATE_LIMIT_PER_MINUTE": "0",
        "TRUNKLINE_LOG_LEVEL": "warning",
    }
    return [sys.executable, "-m", "trunkline.cli.main", "serve"], env


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int = 32,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
) -> float:
    """Requests per second that wrk measured (one thread, so it leaves the other core to the server)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60)
    output = result.stdout + result.stderr
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if not match:
        raise RuntimeError(output)
    if non2xx:
        raise RuntimeError(f"{non2xx.group(1)} error responses during the run:\n{output}")
    return float(match.group(1))


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_latency(url: str, *, seconds: int, headers: dict[str, str] | None = None) -> tuple[float, float]:
    """p50 and p99 in ms of one connection asking again as soon as each answer has come (wrk, a C
    client): the server's own latency, without a Python client's HTTP parsing (~2 ms on a 70 kB
    page) in it."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    command = ["wrk", "-t1", "-c1", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60)
    output = result.stdout + result.stderr
    if re.search(r"Non-2xx or 3xx responses", output):
        raise RuntimeError(f"error responses during the run:\n{output}")
    found = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s))$", output, re.MULTILINE))
    if set(found) != {"50", "99"}:
        raise RuntimeError(output)

    def ms(text: str) -> float:
        number = re.match(r"[\d.]+", text)
        assert number is not None
        return float(number.group(0)) * _UNIT_MS[text[number.end() :]]

    return ms(found["50"]), ms(found["99"])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn may fork), in MiB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024
