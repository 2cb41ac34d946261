"""Server memory under a long mixed load on a 1M-call store: it must level off, not creep.

    nice -n 10 python -m bench.memory_soak --base /work/benchdata/bench-base.db --account bench

Copies the base SQLite store (which is left as it is) into ``--work-dir``, starts ``trunkline serve``
on a free loopback port and drives it with wrk (one thread, 32 connections, ``bench/mixed.lua``: v1
details and bulk lists, connects, CCM details and legs, Fone Get Calls) in rounds, until
``--requests`` answers or ``--max-seconds``. After each round it prints the answers so far, the
server's resident memory and its thread count. At the end: the final and highest RSS, and how much
RSS grew over the second half of the run, which a bounded server keeps near zero (issue 13,
hostile hour 8: RSS ≤ 200 MB after 500,000 requests, flat over the last half).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import ROOT, account_sids, free_port, rss_mb, server, trunkline_server


def _threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def _round(base: str, seconds: int, headers: dict[str, str], env: dict[str, str]) -> tuple[int, int]:
    """One wrk round: (answers, answers that were not 2xx or 3xx)."""
    command = ["wrk", "-t1", "-c32", f"-d{seconds}s", "-s", str(ROOT / "bench" / "mixed.lua")]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        [*command, base], capture_output=True, text=True, timeout=seconds + 60, env=env, check=False
    )
    output = result.stdout + result.stderr
    answered = re.search(r"(\d+) requests in", output)
    if answered is None:
        raise RuntimeError(output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if "5xx:" in output:
        raise RuntimeError(f"server errors during the soak:\n{output}")
    return int(answered.group(1)), int(bad.group(1)) if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="/work/benchdata/bench-base.db", help="SQLite store to copy")
    parser.add_argument("--account", default="bench")
    parser.add_argument("--exophone", default="+918047112233")
    parser.add_argument("--work-dir", default=None, help="where the copy goes (a temporary directory)")
    parser.add_argument("--requests", type=int, default=500_000)
    parser.add_argument("--max-seconds", type=int, default=600)
    parser.add_argument("--round-seconds", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    work = Path(args.work_dir or tempfile.mkdtemp(prefix="trunkline-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    store = work / "soak.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(args.base, store)
    url = f"sqlite:///{store}"
    credential, sids = account_sids(url, args.account, 20_000)
    sids_file = work / "sids.txt"
    sids_file.write_text("\n".join(sids) + "\n")
    auth = httpx.BasicAuth(credential.api_key, credential.api_token)
    headers = {"Authorization": auth._auth_header}  # noqa: SLF001
    port = free_port()
    command, env = trunkline_server(port, url)
    env["TRUNKLINE_DEMO_ACCOUNT"] = "false"
    wrk_env = {"SIDS_FILE": str(sids_file), "ACCOUNT": args.account, "EXOPHONE": args.exophone}
    base = f"http://127.0.0.1:{port}"
    samples: list[tuple[int, float, int]] = []
    started = time.monotonic()
    with server(command, port, env, ready_path="/openapi.json") as process:
        print(f"started: RSS {rss_mb(process.pid):.0f} MiB, {_threads(process.pid)} threads", flush=True)
        total = errors = 0
        while total < args.requests and time.monotonic() - started < args.max_seconds:
            answered, bad = _round(base, args.round_seconds, headers, {**wrk_env, "PATH": "/usr/bin:/bin"})
            total, errors = total + answered, errors + bad
            samples.append((total, rss_mb(process.pid), _threads(process.pid)))
            print(
                f"{total:>9,} answers  RSS {samples[-1][1]:6.1f} MiB  {samples[-1][2]:>3} threads", flush=True
            )
    elapsed = time.monotonic() - started
    half = [rss for answered, rss, _ in samples if answered >= total / 2]
    print(f"\n{total:,} answers in {elapsed:.0f} s ({total / elapsed:,.0f}/s), {errors:,} not 2xx/3xx")
    print(f"final RSS {samples[-1][1]:.1f} MiB, highest {max(s[1] for s in samples):.1f} MiB")
    print(f"second half: RSS from {half[0]:.1f} to {half[-1]:.1f} MiB (growth {half[-1] - half[0]:+.1f} MiB)")
    if args.work_dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
