"""`trunkline serve` as a new user meets it (issue 13, "A new user's first hour"): the URLs it
hands out follow the port it binds, a busy port or an unreachable store is one line before any
credential, the banner is copy-pasteable at any width and never echoes the user's admin token,
and the working folder is left as it was."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.serve_process import ServeProcess, cli_env, free_port, run_cli, start_serve


def _demo_auth(served: ServeProcess) -> tuple[str, str]:
    return served.banner_value(r"api_key=(\S+)"), served.banner_value(r"api_token=(\S+)")


def _recording_url(base_url: str, auth: tuple[str, str]) -> str:
    response = httpx.get(
        f"{base_url}/v1/Accounts/demo/Calls.json",
        params={"Status": "completed", "PageSize": 50},
        auth=auth,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    urls = [call["RecordingUrl"] for call in response.json()["Calls"] if call["RecordingUrl"]]
    assert urls
    return str(urls[0])


def test_recording_urls_follow_the_bound_port_and_the_folder_stays_clean(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    served = start_serve(workdir)
    try:
        auth = _demo_auth(served)
        url = _recording_url(served.base_url, auth)
        assert url.startswith(f"{served.base_url}/exotelrecordings/demo/")
        played = httpx.get(url, auth=auth, timeout=30)
        assert played.status_code == 200 and played.content
    finally:
        served.stop()
    # The recording went to the user cache, not a trunkline-recordings/ folder here.
    assert sorted(p.name for p in workdir.iterdir() if not p.name.startswith("trunkline.db")) == []
    assert any((tmp_path / "cache" / "trunkline" / "recordings").rglob("*.mp3")) or any(
        (tmp_path / "cache" / "trunkline" / "recordings").rglob("*.wav")
    )
    log = served.log_path.read_text()
    assert "alembic" not in log  # its start-up lines are debug-level now


def test_public_url_flag_and_wildcard_bind(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    served = start_serve(workdir, "--public-url", "https://calls.example.test/")
    try:
        url = _recording_url(served.base_url, _demo_auth(served))
        assert url.startswith("https://calls.example.test/exotelrecordings/demo/")
    finally:
        served.stop()
    wild = start_serve(workdir, "--host", "0.0.0.0")
    try:
        assert "--public-url" in wild.banner  # the banner says to set one
        url = _recording_url(wild.base_url, _demo_auth(wild))
        assert url.startswith(f"http://127.0.0.1:{wild.port}/exotelrecordings/")
    finally:
        wild.stop()


def test_banner_never_wraps_and_hides_an_admin_token_from_the_environment(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = cli_env(workdir, COLUMNS="40", TRUNKLINE_ADMIN_TOKEN="my-very-own-admin-secret-value")
    served = start_serve(workdir, env=env)
    try:
        assert "my-very-own-admin-secret-value" not in served.banner
        admin_line = next(line for line in served.banner.splitlines() if line.startswith("Admin API:"))
        command = admin_line.removeprefix("Admin API: ").split("   (reference:")[0]
        assert command == (
            f'curl -H "Authorization: Bearer $TRUNKLINE_ADMIN_TOKEN" {served.base_url}/admin/accounts'
        )
        listed = subprocess.run(  # the printed command works as printed, the shell filling in the token
            ["bash", "-c", command.replace("curl ", "curl -s -f ", 1)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert listed.returncode == 0 and '"accounts"' in listed.stdout, listed.stderr
        key, token = _demo_auth(served)
        curl = next(line for line in served.banner.splitlines() if line.startswith("Try:"))
        assert curl == f"Try:  curl -u {key}:{token} {served.base_url}/v1/Accounts/demo/Calls.json"
        admin = httpx.get(
            f"{served.base_url}/admin/clock",
            headers={"Authorization": "Bearer my-very-own-admin-secret-value"},
            timeout=10,
        )
        assert admin.status_code == 200
    finally:
        served.stop()


def test_a_busy_port_fails_with_one_line_before_any_banner(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    served = start_serve(workdir)
    try:
        second = run_cli(workdir, "serve", "--port", str(served.port))
        assert second.returncode != 0
        assert second.stdout == ""  # no banner, no token
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and f"port {served.port}" in lines[0] and "already in use" in lines[0]
    finally:
        served.stop()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://someone:hunter2hunter2@127.0.0.1:{port}/calls", "postgresql://someone:***@127.0.0.1"),
        ("mysql://someone:hunter2hunter2@localhost/calls", "mysql://someone:***@localhost/calls"),
        ("sqlite:////proc/no/such/dir/calls.db", "sqlite:////proc/no/such/dir/calls.db"),
    ],
)
def test_an_unreachable_store_is_one_line_naming_it_without_its_password(
    tmp_path: Path, url: str, shown: str
) -> None:
    url = url.format(port=free_port())
    for args in (["serve", "--port", str(free_port())], ["agents", "list", "demo"], ["migrate"]):
        result = run_cli(tmp_path, *args, "--database-url", url)
        assert result.returncode != 0
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert shown in lines[0] and "hunter2" not in lines[0]
        assert "TRUNKLINE_DATABASE_URL" in lines[0]


def test_only_store_making_commands_create_a_store(tmp_path: Path) -> None:
    for args in (
        ["agents", "list", "demo"],
        ["properties", "list", "demo"],
        ["flows", "list", "demo"],
        ["clock", "show"],
        ["scenario", "show"],
        ["traffic", "list", "demo"],
        ["inbound", "call", "demo", "--from", "09999900001", "--to", "08047112233"],
        ["accounts", "add-exophone", "--sid", "demo", "08047112299"],
        ["numbering", "import", "series.csv"],
        ["dnd", "import", "dnd.csv"],
    ):
        result = run_cli(tmp_path, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert "no store at sqlite:///trunkline.db" in result.stderr
        assert str(tmp_path / "trunkline.db") in result.stderr
        assert list(tmp_path.iterdir()) == [], args  # nothing created
    made = run_cli(tmp_path, "migrate")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "trunkline.db").exists()
    assert run_cli(tmp_path, "clock", "show").returncode == 0


def test_version(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--version")
    assert result.returncode == 0 and result.stdout.startswith("trunkline ")


def test_log_lines_are_plain_json_without_terminal_colours(tmp_path: Path) -> None:
    """uvicorn puts a coloured copy of its start and stop messages on the record; the log is for
    machines and files, so a line carries the message once, without escape sequences."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    served = start_serve(workdir, env=cli_env(workdir, TRUNKLINE_LOG_LEVEL="info"))
    served.stop()
    lines = [json.loads(text) for text in served.log_path.read_text().splitlines() if text.strip()]
    assert any(line["msg"].startswith("Started server process") for line in lines), lines
    for line in lines:
        assert "color_message" not in line and "\x1b" not in json.dumps(line, ensure_ascii=False), line
