"""Peak memory of the commands that walk a whole store: the first ``trunkline serve`` (which
creates and seeds the demo account), a later start, and ``trunkline seed`` (bulk load, rollup
rebuild, statistics). Issue 13, hostile hour 9: each ≤ 200 MB at 1M calls (and at 10M).

    nice -n 10 python -m bench.start_memory --base /work/benchdata/bench-base.db --seed-calls 1000000

``--base`` is a SQLite store holding many calls (copied, never changed) for the two starts; the
seed goes into a fresh store. Each figure is the child's peak resident memory (``ru_maxrss`` of
that process alone, from ``wait4``), and for the servers also the resident memory once ready.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import ROOT, free_port, rss_mb


def _peak_mb(process: subprocess.Popen[bytes]) -> float:
    """Wait for the child and return its own peak RSS in MiB."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024


def _env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TRUNKLINE_DATABASE_URL": url,
        "TRUNKLINE_LOG_LEVEL": "warning",
        "TRUNKLINE_RECORDINGS_DIR": str(Path(tempfile.gettempdir()) / "trunkline-bench-recordings"),
        **extra,
    }


def start(url: str) -> tuple[float, float, float]:
    """Start ``trunkline serve`` with the demo account on; (seconds to ready, RSS ready, peak RSS)."""
    port = free_port()
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "trunkline.cli.main", "serve", "--port", str(port)],
        env=_env(url, TRUNKLINE_DEMO_ACCOUNT="true"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 900
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.2)
        ready_s = time.monotonic() - began
        time.sleep(2)  # the engine's first passes
        ready_rss = rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
    return ready_s, ready_rss, _peak_mb(process)


def seed(url: str, calls: int, account: str = "seeded") -> tuple[float, float]:
    """``trunkline seed`` of ``calls`` calls into a new account; (seconds, peak RSS)."""
    cli = [sys.executable, "-m", "trunkline.cli.main"]
    subprocess.run(
        [*cli, "accounts", "create", "--sid", account, "--exophone", "+918047110000", "--database-url", url],
        check=True,
        capture_output=True,
        env=_env(url),
        cwd=ROOT,
    )
    began = time.monotonic()
    process = subprocess.Popen(
        [*cli, "seed", "--account", account, "--calls", str(calls), "--days", "30", "--database-url", url],
        env=_env(url),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = _peak_mb(process)
    if process.returncode != 0:
        raise RuntimeError(f"seed failed with {process.returncode}")
    return time.monotonic() - began, peak


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="/work/benchdata/bench-base.db", help="SQLite store to copy")
    parser.add_argument("--seed-calls", type=int, default=1_000_000, help="0 skips the seed")
    parser.add_argument("--work-dir", default=None, help="where the stores go (a temporary directory)")
    args = parser.parse_args()
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="trunkline-start-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        copy = work / "start.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(args.base, copy)
        for label in ("first start (creates the demo account)", "second start"):
            ready_s, ready_rss, peak = start(f"sqlite:///{copy}")
            print(
                f"{label}: ready in {ready_s:.1f} s, RSS {ready_rss:.0f} MiB, peak {peak:.0f} MiB", flush=True
            )
        if args.seed_calls:
            fresh = work / "seed.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{fresh}{suffix}").unlink(missing_ok=True)
            seconds, peak = seed(f"sqlite:///{fresh}", args.seed_calls)
            print(f"seed of {args.seed_calls:,} calls: {seconds:.0f} s, peak {peak:.0f} MiB", flush=True)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
