"""Build a store of N calls and run every HTTP benchmark on it, for SQLite or PostgreSQL.

    python -m bench.run_all --backend sqlite --calls 1000000      # store in var/bench.db
    python -m bench.run_all --backend postgres --calls 1000000    # throwaway cluster, deleted after

Needs wrk (apt-get install wrk). The figures go into BENCHMARKS.md with this command line.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

from bench.common import ROOT, bench_store


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        args, env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="SQLite: keep an existing var/bench.db")
    args = parser.parse_args()

    fresh = args.backend == "postgres" or not args.reuse
    with bench_store(args.backend, ROOT / "var" / "bench.db", keep=not fresh) as url:
        _build_and_measure(url, fresh, args)


def _build_and_measure(url: str, fresh: bool, args: argparse.Namespace) -> None:
    env = {"TRUNKLINE_DATABASE_URL": url}
    if fresh:
        _run(
            [
                sys.executable,
                "-m",
                "trunkline.cli.main",
                "accounts",
                "create",
                "--sid",
                "bench",
                "--exophone",
                "+918047112233",
                "--exophone",
                "+918047112244",
            ],
            env,
        )
        seeded = _run(
            [
                sys.executable,
                "-m",
                "trunkline.cli.main",
                "seed",
                "--account",
                "bench",
                "--calls",
                str(args.calls),
                "--days",
                str(args.days),
                "--seed",
                "7",
            ],
            env,
        )
        match = re.search(r"Loaded .*", seeded)
        print(f"seed: {match.group(0) if match else seeded.strip()}")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.http_bench",
            "--database-url",
            url,
            "--account",
            "bench",
            "--seconds",
            str(args.seconds),
            "--rounds",
            str(args.rounds),
        ],
        cwd=ROOT,
        check=True,
    )


if __name__ == "__main__":
    main()
