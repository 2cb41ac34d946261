"""CLI tables never cut the ids the next command needs, however narrow the terminal (issue 13,
first hour, item 8)."""

from __future__ import annotations

from pathlib import Path

from tests.support.serve_process import cli_env, run_cli

USER_ID = "3f1c2a9e-7b44-4c1d-9a7e-0f5b2c8d1e6a"
PROPERTY_SID = "PRa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
APP_ID = "support-desk-after-hours-main-line"


def test_ids_are_whole_at_60_columns(tmp_path: Path) -> None:
    env = cli_env(tmp_path, COLUMNS="60")
    for args in (
        ("accounts", "create", "--sid", "acme", "--exophone", "08047110001"),
        ("agents", "add", "acme", "--name", "Asha Verma", "--contact-uri", "sip:asha@example.com"),
        ("agents", "add", "acme", "--name", "Ravi", "--contact-uri", "09999900001", "--user-id", USER_ID),
        ("properties", "add", "acme", "Our website", "--sid", PROPERTY_SID),
    ):
        made = run_cli(tmp_path, *args, env=env)
        assert made.returncode == 0, made.stderr
    flow = tmp_path / "flow.yaml"
    flow.write_text("applets:\n  - {id: hi, type: greeting, text: Hello}\n")
    assert run_cli(tmp_path, "flows", "set", "acme", APP_ID, str(flow), env=env).returncode == 0
    agents = run_cli(tmp_path, "agents", "list", "acme", env=env)
    assert agents.returncode == 0 and USER_ID in agents.stdout, agents.stdout
    properties = run_cli(tmp_path, "properties", "list", "acme", env=env)
    assert properties.returncode == 0 and PROPERTY_SID in properties.stdout, properties.stdout
    flows = run_cli(tmp_path, "flows", "list", "acme", env=env)
    assert flows.returncode == 0 and APP_ID in flows.stdout, flows.stdout
    assert "…" not in agents.stdout + properties.stdout + flows.stdout
    # Piped (as here), a row is one line whatever COLUMNS says: no value is split across lines.
    [ravi] = [line for line in agents.stdout.splitlines() if USER_ID in line]
    assert "+919999900001" in ravi and "Ravi" in ravi, agents.stdout
    [asha] = [line for line in agents.stdout.splitlines() if "sip:asha@example.com" in line]
    assert "Asha Verma" in asha, agents.stdout
    assert any("contact_uri" in line for line in agents.stdout.splitlines()), agents.stdout
