"""Peak memory of ``trunkline sync`` pulling a whole account (1M calls by default) from a source
Trunkline into a fresh store, and of a second, incremental run. Issue 13, hostile hour 9: sync works
in bounded batches, RSS ≤ 200 MB at 1M and 10M calls.

    nice -n 10 python -m bench.sync_memory --source-db /work/benchdata/bench-base.db --account bench

Without ``--source-db`` the source is built: ``trunkline accounts create`` and ``trunkline seed
--calls N --days 30`` into a fresh SQLite file (1M calls take ~40 s). With it, the file is copied
first (never changed) and the account gets a new API credential in the copy.

The source ``trunkline serve`` runs on a free 127.0.0.1 port with its rate limit off; the sync is
paced far above it (``TRUNKLINE_SYNC_REQUESTS_PER_MINUTE``), so the figures are the sync's own and
not the pacing's. While the sync runs its resident memory (``VmRSS``) and the number of calls stored
so far (``max(rowid)`` of the local store's fresh ``calls`` table) are sampled every 0.5 s; the peak
is the child's own ``ru_maxrss`` from ``wait4``. Printed: calls synced, seconds, calls/s, peak RSS,
RSS at 25/50/75/100 % of the run and at each quarter of the calls synced, and the growth over the
second half of the run (flat when memory does not grow with the calls synced).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.common import ROOT, free_port

CLI = [sys.executable, "-m", "trunkline.cli.main"]


@dataclass
class Run:
    """One sync's figures: (seconds since start, RSS MiB, calls stored) samples and the peak."""

    seconds: float = 0.0
    peak_mb: float = 0.0
    samples: list[tuple[float, float, int]] = field(default_factory=list)
    summary: str = ""


def _env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
        "TRUNKLINE_DATABASE_URL": url,
        "TRUNKLINE_LOG_LEVEL": "warning",
        "TRUNKLINE_RECORDINGS_DIR": str(Path(tempfile.gettempdir()) / "trunkline-bench-recordings"),
        **extra,
    }


def _cli(url: str, *args: str, timeout: float) -> str:
    done = subprocess.run(
        [*CLI, *args, "--database-url", url],
        env=_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise SystemExit(f"trunkline {' '.join(args[:2])} failed: {done.stderr[-2000:]}")
    return done.stdout


def _fresh(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def build_source(
    work: Path, source_db: str | None, account: str, calls: int, deadline: float
) -> tuple[str, dict]:
    """The source store's URL and an API credential of ``account`` there (a copy of ``source_db``,
    or a new store seeded with ``calls`` calls)."""
    path = work / "source.db"
    url = _fresh(path)
    if source_db:
        shutil.copyfile(source_db, path)
        credential = json.loads(_cli(url, "accounts", "add-credential", "--sid", account, timeout=600))
        return url, credential
    credential = json.loads(
        _cli(url, "accounts", "create", "--sid", account, "--exophone", "+918047110000", timeout=600)
    )
    began = time.monotonic()
    _cli(url, "seed", "--account", account, "--calls", str(calls), "--days", "30", timeout=deadline - began)
    print(f"seeded {calls:,} calls into the source in {time.monotonic() - began:.0f} s", flush=True)
    return url, credential


def start_source(stack: ExitStack, url: str, deadline: float) -> str:
    """Start the source server (rate limit off) and return its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(url, TRUNKLINE_RATE_LIMIT_PER_MINUTE="0"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stack.callback(_stop, process)
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            httpx.get(f"{base}/openapi.json", timeout=2)
            return base
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the source server did not start") from None
            time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _rss_mb(pid: int) -> float:
    with suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _stored(local: Path) -> int:
    """Calls stored so far: the fresh table's highest rowid (cheap on a million rows)."""
    try:
        with sqlite3.connect(f"file:{local}?mode=ro", uri=True, timeout=1) as conn:
            found = conn.execute("SELECT max(rowid) FROM calls").fetchone()
            return int(found[0] or 0)
    except sqlite3.Error:
        return -1


def sync(base: str, local: Path, account: str, credential: dict, deadline: float, log: Path) -> Run:
    """Run ``trunkline sync`` once into ``local``, sampling it every 0.5 s."""
    url = f"sqlite:///{local}"
    args = [*CLI, "sync", "--from", base, "--account", account, "--api-key", credential["api_key"]]
    args += ["--api-token", credential["api_token"], "--database-url", url]
    run = Run()
    with open(log, "wb") as err:
        began = time.monotonic()
        process = subprocess.Popen(
            args,
            env=_env(url, TRUNKLINE_SYNC_REQUESTS_PER_MINUTE="6000000"),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
        )
        try:
            while True:
                waited, status, usage = os.wait4(process.pid, os.WNOHANG)
                if waited:
                    process.returncode = os.waitstatus_to_exitcode(status)
                    break
                run.samples.append((time.monotonic() - began, _rss_mb(process.pid), _stored(local)))
                if time.monotonic() > deadline:
                    raise SystemExit("the sync ran past --max-seconds")
                time.sleep(0.5)
        finally:
            if process.returncode is None:
                process.kill()
                process.wait()
        run.seconds = time.monotonic() - began
        run.peak_mb = usage.ru_maxrss / 1024
        assert process.stdout is not None
        run.summary = process.stdout.read().decode().strip()
    if process.returncode != 0:
        raise SystemExit(f"sync failed ({process.returncode}): {log.read_text()[-2000:]}")
    return run


def _at(samples: list[tuple[float, float, int]], fraction: float) -> float:
    """RSS of the first sample at or after ``fraction`` of the run's time."""
    end = samples[-1][0]
    return next(rss for seconds, rss, _ in samples if seconds >= fraction * end)


def report(label: str, run: Run, stored: int) -> None:
    """Print one run's figures; the quarters of ``stored`` (calls in the local store at the end)
    are where RSS is read against the calls synced."""
    print(f"{label}: {run.summary}", flush=True)
    found = re.search(r"Synced ([\d,]+) calls", run.summary)
    calls = int(found.group(1).replace(",", "")) if found else 0
    rate = calls / run.seconds if run.seconds else 0.0
    print(f"  {calls:,} calls in {run.seconds:.0f} s ({rate:,.0f} calls/s), peak RSS {run.peak_mb:.0f} MiB")
    samples = [s for s in run.samples if s[1] > 0]
    if len(samples) < 4:
        return
    quarters = [_at(samples, f) for f in (0.25, 0.5, 0.75, 1.0)]
    print("  RSS at 25/50/75/100 % of the run: " + " / ".join(f"{mb:.0f}" for mb in quarters) + " MiB")
    second_half = [rss for seconds, rss, _ in samples if seconds >= samples[-1][0] / 2]
    print(
        f"  growth over the second half: {quarters[3] - quarters[1]:+.1f} MiB "
        f"(range {min(second_half):.0f}-{max(second_half):.0f} MiB)"
    )
    if stored >= 4:
        marks = []
        for quarter in (1, 2, 3, 4):
            target = stored * quarter // 4
            found = next((rss for _, rss, stored in samples if stored >= target), samples[-1][1])
            marks.append(f"{target:,}: {found:.0f}")
        print("  RSS (MiB) once stored " + ", ".join(marks), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls to seed into a new source")
    parser.add_argument("--source-db", default=None, help="SQLite source store to copy instead of seeding")
    parser.add_argument("--account", default="bench", help="the source account (and the local one)")
    parser.add_argument("--max-seconds", type=float, default=1800, help="the whole bench's time bound")
    parser.add_argument("--work-dir", default=None, help="where the stores go (a temporary directory)")
    args = parser.parse_args()
    deadline = time.monotonic() + args.max_seconds
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="trunkline-sync-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        if args.work_dir is None:
            stack.callback(shutil.rmtree, work, ignore_errors=True)
        source_url, credential = build_source(work, args.source_db, args.account, args.calls, deadline)
        base = start_source(stack, source_url, deadline)
        local = work / "local.db"
        local_url = _fresh(local)
        _cli(
            local_url, "accounts", "create", "--sid", args.account, "--exophone", "+918047110001", timeout=600
        )
        first = sync(base, local, args.account, credential, deadline, work / "sync-1.log")
        report("first sync", first, _stored(local))
        before = _stored(local)
        second = sync(base, local, args.account, credential, deadline, work / "sync-2.log")
        report("second sync (nothing new)", second, 0)
        if _stored(local) != before:
            print(f"  (the second run stored {_stored(local) - before:,} new calls)")


if __name__ == "__main__":
    main()
