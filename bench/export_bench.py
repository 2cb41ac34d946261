"""How fast ``trunkline calls export`` writes a million calls, and its peak memory:
``python bench/export_bench.py [--store /work/benchdata/bench-base.db] [--account bench]``.

Copies the SQLite store first (an export only reads, but opening a store migrates it), then runs the
real command once per format as a subprocess, timing it end to end (start-up, count, read, write) and
reading the child's peak RSS from ``wait4``. Targets (issue 15): Parquet ≤ 15 s, CSV ≤ 20 s per million
calls from SQLite, under 200 MB at any store size. ``--database-url`` exports a PostgreSQL store instead;
``--postgres-calls N`` starts a throwaway PostgreSQL cluster, loads N calls into account ``bench`` with
``trunkline seed`` (the bulk loader) and exports those.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(database_url: str, account: str, file_format: str, out: Path, legs: bool) -> None:
    args = [sys.executable, "-m", "trunkline.cli.main", "calls", "export", "--account", account]
    args += ["--format", file_format, "--output", str(out), "--database-url", database_url]
    if legs:
        args.append("--legs")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        error = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"{file_format}: export failed: {error}")
    size = out.stat().st_size / 1e6
    rss = usage.ru_maxrss / 1024  # KiB on Linux
    print(
        f"{file_format:8s} legs={'yes' if legs else 'no ':3s} {seconds:6.1f} s  "
        f"peak RSS {rss:5.0f} MiB  file {size:6.1f} MB",
        flush=True,
    )


def _seed_postgres(url: str, account: str, calls: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    base = [sys.executable, "-m", "trunkline.cli.main"]
    subprocess.run([*base, "migrate", "--database-url", url], env=env, check=True, capture_output=True)
    subprocess.run(
        [*base, "accounts", "create", "--sid", account, "--exophone", "+918047112233", "--database-url", url],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    started = time.perf_counter()
    seeded = subprocess.run(
        [*base, "seed", "--account", account, "--calls", str(calls), "--database-url", url],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if seeded.returncode != 0:
        raise SystemExit(f"seeding failed: {seeded.stderr}")
    print(f"loaded {calls:,} calls into PostgreSQL in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="/work/benchdata/bench-base.db", help="SQLite store to copy")
    parser.add_argument("--database-url", help="export this store (PostgreSQL) instead of a copy")
    parser.add_argument("--account", default="bench")
    parser.add_argument("--formats", default="parquet,csv,jsonl")
    parser.add_argument("--legs", action="store_true", help="also time each format with legs")
    parser.add_argument("--postgres-calls", type=int, help="load this many calls into a throwaway cluster")
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.postgres_calls:
            sys.path.insert(0, str(ROOT))
            from bench.common import bench_store

            args.database_url = stack.enter_context(bench_store("postgresql", Path("unused")))
            _seed_postgres(args.database_url, args.account, args.postgres_calls)
        _run_formats(args)


def _run_formats(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="trunkline-export-bench-") as tmp:
        url = args.database_url
        if url is None:
            copy = Path(tmp) / "store.db"
            shutil.copyfile(args.store, copy)
            url = f"sqlite:///{copy}"
        for file_format in args.formats.split(","):
            for legs in (False, True) if args.legs else (False,):
                out = Path(tmp) / f"calls.{file_format}"
                run(url, args.account, file_format, out, legs)
                out.unlink()


if __name__ == "__main__":
    main()
