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


def test_serve_without_the_demo_when_another_account_holds_its_exophone(tmp_path: Path) -> None:
    """A number belongs to one account: a store whose own account holds the demo's ExoPhone is
    served without a demo account, with a line saying why (it stopped with a traceback)."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    made = run_cli(workdir, "accounts", "create", "--sid", "bench", "--exophone", "+918047112233")
    assert made.returncode == 0, made.stderr
    served = start_serve(workdir)
    try:
        assert "No demo account: its ExoPhone +918047112233 belongs to another account" in served.banner
        assert "api_key=" not in served.banner
        assert httpx.get(f"{served.base_url}/healthz", timeout=10).status_code == 200
    finally:
        served.stop()
