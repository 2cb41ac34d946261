"""`trunkline flows`, `inbound` and `traffic` act on the store; a running server (virtual clock)
places the calls they queue on its own clock and runs the flows."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from tests.support.calls_api import ADMIN, advance
from tests.support.factories import make_account
from tests.support.live_server import start_server
from trunkline.cli.main import app
from trunkline.store.database import Database

runner = CliRunner()


def _calls(client: httpx.Client, sid: str, auth: tuple[str, str]) -> list[dict[str, object]]:
    response = client.get(f"/v1/Accounts/{sid}/Calls.json", params={"Direction": "inbound"}, auth=auth)
    calls: list[dict[str, object]] = response.json()["Calls"]
    return calls


def test_flows_inbound_and_traffic_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    db = Database(url)
    db.migrate()
    live = start_server(db, clock="virtual", settle_delay_seconds=0, rate_limit_per_minute=0)
    try:
        account = make_account(db)
        exo = account.exophones[0]
        flow = tmp_path / "desk.yaml"
        flow.write_text(
            "name: Desk\napplets:\n  - id: hi\n    type: greeting\n    text: Hello\n    duration_seconds: 3\n"
        )
        run = lambda *args: runner.invoke(app, [*args, "--database-url", url])  # noqa: E731
        assert run("flows", "set", account.sid, "desk", str(flow)).exit_code == 0
        assert "Hello" in run("flows", "show", account.sid, "desk").output
        assigned = run("flows", "assign", account.sid, account.exophone_local, "desk")
        assert assigned.exit_code == 0 and exo in assigned.output
        assert "desk" in run("flows", "list", account.sid).output

        queued = run("inbound", "call", account.sid, "--from", "09999900007", "--to", exo)
        assert queued.exit_code == 0, queued.output
        started = run("traffic", "start", account.sid, "--exophone", exo, "--rate", "60", "--count", "3",
                      "--arrival", "uniform")  # fmt: skip
        assert started.exit_code == 0, started.output
        generator = json.loads(started.output)["id"]

        with httpx.Client(base_url=live.base_url, timeout=30) as client:
            deadline = time.monotonic() + 10
            while client.get(f"/admin/traffic/{generator}", headers=ADMIN).json()["state"] != "finished":
                assert time.monotonic() < deadline, "the server did not start the CLI's generator"
                advance(client, 1)
                time.sleep(0.1)
            advance(client, 30)
            calls = _calls(client, account.sid, account.auth)
        assert len(calls) == 4 and {c["Status"] for c in calls} == {"completed"}
        assert "09999900007" in {c["From"] for c in calls}
        assert "finished" in run("traffic", "list", account.sid).output
        assert run("traffic", "stop", str(generator)).exit_code == 2  # no longer running
    finally:
        live.stop()
        db.dispose()


def test_bad_flow_files_and_unknown_things_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    db = Database(url)
    db.migrate()
    account = make_account(db)
    bad = tmp_path / "bad.json"
    bad.write_text('{"applets": [{"id": "a", "type": "ivr", "branches": {"1": "nowhere"}}]}')
    run = lambda *args: runner.invoke(app, [*args, "--database-url", url])  # noqa: E731
    result = run("flows", "set", account.sid, "f", str(bad))
    assert result.exit_code == 2 and "names 'nowhere'" in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("applets: [")
    assert "cannot read" in run("flows", "set", account.sid, "f", str(broken)).output
    assert run("flows", "show", "nobody", "f").exit_code == 2
    refused = run(
        "traffic", "start", account.sid, "--exophone", account.exophones[0], "--rate", "5", "--count", "1"
    )
    assert refused.exit_code == 2 and "has no flow" in refused.output
    assert run("inbound", "call", account.sid, "--from", "12", "--to", account.exophones[0]).exit_code == 2
    db.dispose()
