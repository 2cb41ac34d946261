"""A throwaway PostgreSQL cluster for the tests, started from the installed ``postgres`` binaries.

PostgreSQL refuses to run as root, so when the tests run as root the cluster is created and
started as the ``postgres`` system user. Durability is switched off: the data dies with the run.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).resolve().parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresCluster:
    """``durable``: keep full_page_writes on, which a base backup of it (``replica``) needs."""

    def __init__(self, bindir: Path, *, durable: bool = False) -> None:
        self._durable = durable
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="trunkline-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self._pg_ctl_start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "trunkline")
        return self.url("trunkline")

    def _pg_ctl_start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes={'on' if self._durable else 'off'} "
            "-c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def replica(self) -> PostgresCluster:
        """A streaming replica of this cluster (``pg_basebackup -R``), started on a port of its own;
        ``stop`` it like any cluster. This cluster must be ``durable``.

        ``--checkpoint=fast``: the backup starts after a checkpoint, which pg_basebackup otherwise
        asks to be *spread* over most of ``checkpoint_timeout`` (about 100 s of idle waiting on this
        tiny cluster, once per module that builds a replica)."""
        assert self._durable, "a base backup needs full_page_writes on the primary"
        replica = PostgresCluster(self.bindir, durable=True)
        if replica._as_postgres:
            shutil.chown(replica.root, "postgres", "postgres")
        replica._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-D", str(replica.data), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast",
        )  # fmt: skip
        replica._pg_ctl_start()
        return replica

    def pause(self) -> None:
        """Stop the server, keeping its data (a database restart's first half); ``start_again``
        (or ``resume``) brings it back on the same port."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def start_again(self) -> None:
        self._pg_ctl_start()

    resume = start_again

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
