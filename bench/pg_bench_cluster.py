"""A PostgreSQL cluster for the scale benchmarks that outlives one run, with its settings stated.

    python -m bench.pg_bench_cluster start [--data-dir /work/benchdata/pg10m] [--port 55432]
    python -m bench.pg_bench_cluster stop|remove [--data-dir ...]

``bench/load_10m.py`` loads into it and ``bench/scale_reads.py`` reads from it. The data lives
outside the repository (default ``/work/benchdata/pg10m``); ``remove`` stops the cluster and deletes
it. Run as root, the cluster belongs to the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path

from tests.support.pg_cluster import find_bindir

DEFAULT_DATA_DIR = Path("/work/benchdata/pg10m")
DEFAULT_PORT = 55432
SETTINGS = {
    # Memory: the call table's hot pages and indexes stay cached; a load's index builds sort in memory.
    "shared_buffers": "1GB",
    "maintenance_work_mem": "1GB",
    "work_mem": "32MB",
    "effective_cache_size": "8GB",
    # A bulk load writes the table once: few checkpoints, no flushes to wait for. The benchmark's
    # data is disposable; a production primary keeps fsync and full_page_writes on.
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_compression": "on",
    "max_connections": "200",
    "listen_addresses": "127.0.0.1",
}
"""The cluster's settings, as BENCHMARKS.md should state them."""


def _run(*args: str, as_postgres: bool) -> subprocess.CompletedProcess[str]:
    command = list(args)
    if as_postgres:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)


def _bindir() -> Path:
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL binaries are needed: apt-get install postgresql")
    return bindir


def url(port: int = DEFAULT_PORT) -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/trunkline"


def start(data_dir: Path = DEFAULT_DATA_DIR, port: int = DEFAULT_PORT) -> str:
    """Create the cluster if it is missing, start it if it is not running; its URL."""
    bindir, root = _bindir(), os.geteuid() == 0
    data = data_dir / "data"
    fresh = not data.exists()
    if fresh:
        data_dir.mkdir(parents=True, exist_ok=True)
        if root:
            shutil.chown(data_dir, "postgres", "postgres")
        _run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            as_postgres=root,
        )
    status = subprocess.run(
        (["runuser", "-u", "postgres", "--"] if root else [])
        + [str(bindir / "pg_ctl"), "-D", str(data), "status"],
        capture_output=True,
        check=False,
    )
    if status.returncode != 0:
        options = f"-p {port} -k {data_dir} " + " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
        log_file = str(data_dir / "log")
        _run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            log_file,
            "-w",
            "start",
            as_postgres=root,
        )
    if fresh:
        _run(
            str(bindir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "trunkline",
            as_postgres=root,
        )
    return url(port)


def stop(data_dir: Path = DEFAULT_DATA_DIR) -> None:
    bindir, root = _bindir(), os.geteuid() == 0
    if (data_dir / "data").exists():
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if root else [])
            + [str(bindir / "pg_ctl"), "-D", str(data_dir / "data"), "-m", "fast", "-w", "stop"],
            capture_output=True,
            check=False,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["start", "stop", "remove"])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args()
    if args.action == "start":
        print(start(args.data_dir, args.port))
        print("settings: " + ", ".join(f"{k}={v}" for k, v in SETTINGS.items()))
        return
    stop(args.data_dir)
    if args.action == "remove":
        shutil.rmtree(args.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
