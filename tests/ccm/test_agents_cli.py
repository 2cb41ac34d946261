"""`trunkline agents add|list|set|remove` act on the store, with the admin API's checks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.support.factories import make_account
from trunkline.cli.main import app
from trunkline.store.agents import AgentStore
from trunkline.store.database import Database

runner = CliRunner()


def test_given_a_store_when_agents_are_added_listed_changed_and_removed_then_each_step_shows(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'agents.db'}"
    db = Database(url)
    db.migrate()
    account = make_account(db)
    run = lambda *args: runner.invoke(app, ["agents", *args, "--database-url", url])  # noqa: E731

    added = run("add", account.sid, "--name", "Asha Rao", "--contact-uri", "09876543210", "--user-id", "asha")
    assert added.exit_code == 0, added.output
    assert json.loads(added.output) == {
        "user_id": "asha", "name": "Asha Rao", "contact_uri": "+919876543210", "device_state": "on"
    }  # fmt: skip
    generated = run("add", account.sid, "--name", "Ravi", "--contact-uri", "sip:ravi@example.com")
    assert generated.exit_code == 0 and len(json.loads(generated.output)["user_id"]) == 36

    duplicate = run("add", account.sid, "--name", "Other", "--contact-uri", "+919876543210")
    assert duplicate.exit_code == 2 and "contact_uri" in duplicate.output
    bad = run("add", account.sid, "--name", "X", "--contact-uri", "12", "--device-state", "on")
    assert bad.exit_code == 2 and "contact_uri" in bad.output
    assert run("add", "nosuchaccount", "--name", "X", "--contact-uri", "sip:x@y").exit_code == 2

    listed = runner.invoke(
        app, ["agents", "list", account.sid, "--database-url", url], env={"COLUMNS": "200"}
    )
    assert listed.exit_code == 0 and "Asha Rao" in listed.output and "sip:ravi@example.com" in listed.output

    changed = run("set", account.sid, "asha", "--device-state", "BUSY", "--name", "Asha R")
    assert changed.exit_code == 0, changed.output
    assert json.loads(changed.output)["device_state"] == "busy"
    assert run("set", account.sid, "asha", "--device-state", "away").exit_code == 2
    assert run("set", account.sid, "asha").exit_code == 2
    assert run("set", account.sid, "nobody", "--name", "N").exit_code == 2

    assert run("remove", account.sid, "asha").exit_code == 0
    assert run("remove", account.sid, "asha").exit_code == 2
    assert [agent.name for agent in AgentStore(db).list(account.account_id)] == ["Ravi"]
    db.dispose()
