"""`trunkline clock` and `trunkline scenario` act on the store, and a running server follows them;
`POST /admin/reset` deletes one account's calls and nothing else."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from tests.support.calls_api import ADMIN, ANSWER, advance, details, place
from tests.support.factories import make_account
from tests.support.live_server import start_server
from trunkline.cli.main import app
from trunkline.store.database import Database

runner = CliRunner()


def test_scenario_and_clock_commands_drive_a_running_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'net.db'}"
    db = Database(url)
    db.migrate()
    live = start_server(db, clock="virtual", settle_delay_seconds=0, rate_limit_per_minute=0)
    try:
        rules = tmp_path / "rules.json"
        rules.write_text(
            json.dumps({"rules": [{"match": "+91981*", "busy": 1, "answer": 0, "no_answer": 0, "fail": 0}]})
        )
        result = runner.invoke(app, ["scenario", "set", str(rules), "--database-url", url])
        assert result.exit_code == 0, result.output
        shown = runner.invoke(app, ["scenario", "show", "--database-url", url])
        assert json.loads(shown.output)["rules"][0]["match"] == "+91981*"

        account = make_account(db)
        with httpx.Client(base_url=live.base_url, timeout=10) as client:
            time.sleep(0.7)  # the server re-reads the scenario twice a second
            call = place(client, account, From="+919810000001", To=ANSWER)
            before = json.loads(runner.invoke(app, ["clock", "show", "--database-url", url]).output)["now_ms"]
            moved = runner.invoke(app, ["clock", "advance", "30", "--database-url", url])
            assert moved.exit_code == 0, moved.output
            assert json.loads(moved.output)["now_ms"] == before + 30_000
            deadline = time.monotonic() + 10
            while details(client, account, call["Sid"])["Status"] == "in-progress":
                assert time.monotonic() < deadline, "the server did not follow the CLI's clock"
                time.sleep(0.1)
            assert details(client, account, call["Sid"])["Status"] == "busy"
    finally:
        live.stop()
        db.dispose()


def test_bad_scenario_files_and_advances_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    bad = tmp_path / "bad.json"
    bad.write_text('{"rules": [{"match": "+91*", "busy": -1}]}')
    assert runner.invoke(app, ["migrate", "--database-url", url]).exit_code == 0
    result = runner.invoke(app, ["scenario", "set", str(bad), "--database-url", url])
    assert result.exit_code == 2 and "busy must be at least 0" in result.output
    result = runner.invoke(app, ["scenario", "set", str(tmp_path / "missing.json"), "--database-url", url])
    assert result.exit_code == 2 and "cannot read scenario file" in result.output
    result = runner.invoke(app, ["clock", "advance", "0", "--database-url", url])
    assert result.exit_code == 2


def test_reset_deletes_one_accounts_calls(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'reset.db'}")
    db.migrate()
    live = start_server(db, clock="virtual", settle_delay_seconds=0, rate_limit_per_minute=0)
    try:
        mine, other = make_account(db), make_account(db)
        with httpx.Client(base_url=live.base_url, timeout=10) as client:
            gone = place(client, mine, From=ANSWER, To=ANSWER)
            kept = place(client, other, From=ANSWER, To=ANSWER)
            advance(client, 100)
            response = client.post("/admin/reset", json={"account_sid": mine.sid}, headers=ADMIN)
            assert response.status_code == 200 and response.json()["calls_deleted"] == 1
            lost = client.get(f"/v1/Accounts/{mine.sid}/Calls/{gone['Sid']}.json", auth=mine.auth)
            assert lost.status_code == 404
            assert details(client, other, kept["Sid"])["Status"] == "completed"
            listed = client.get(f"/v1/Accounts/{mine.sid}/Calls.json", auth=mine.auth).json()
            assert listed["Metadata"]["Total"] == 0 and listed["Calls"] == []
            unknown = client.post("/admin/reset", json={"account_sid": "nobody"}, headers=ADMIN)
            assert unknown.status_code == 404
    finally:
        live.stop()
        db.dispose()
