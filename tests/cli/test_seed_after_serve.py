"""The README's seed command works as written on the store a fresh `trunkline serve` made, whose
demo account already holds a month of history (issue 13, first hour, item 1)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support.serve_process import run_cli, start_serve


def test_readme_seed_command_on_a_fresh_server_store(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    served = start_serve(workdir)
    try:
        auth = (served.banner_value(r"api_key=(\S+)"), served.banner_value(r"api_token=(\S+)"))
        first = run_cli(workdir, "seed", "--account", "demo", "--calls", "5000", "--days", "30")
        assert first.returncode == 0, first.stderr
        assert "Loaded 5,000 calls into demo (seed 2)" in first.stdout
        again = run_cli(workdir, "seed", "--account", "demo", "--calls", "50", "--days", "30")
        assert again.returncode == 0 and "(seed 3)" in again.stdout, again.stderr
        repeat = run_cli(workdir, "seed", "--account", "demo", "--calls", "50", "--seed", "2")
        assert repeat.returncode == 2 and "already holds the calls of seed 2" in repeat.stderr
        listed = httpx.get(
            f"{served.base_url}/v1/Accounts/demo/Calls.json", params={"PageSize": 1}, auth=auth, timeout=30
        )
        assert listed.status_code == 200
    finally:
        served.stop()
