"""``trunkline serve`` in production (issue 16): the banner warns when the server is reachable from
other machines with an admin token made up at start; every log line written while a request is
served carries that request's id, the one its answer has in ``X-Request-Id``.

The warning needs a bind to a non-loopback address: that server runs in a network namespace of its
own (``unshare --net``), which has no interface but its own loopback, so nothing outside reaches it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from tests.support.serve_process import cli_env, free_port, start_serve

WARNING = "Warning: listening on"


def _isolated_banner(workdir: Path, *args: str, env: dict[str, str]) -> str:
    """The banner of ``trunkline serve <args>`` started in a network namespace of its own."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    if subprocess.run(["unshare", "--net", "true"], capture_output=True, timeout=10).returncode != 0:
        pytest.skip("cannot make a network namespace here (unshare --net needs CAP_SYS_ADMIN)")
    command = ["unshare", "--net", sys.executable, "-m", "trunkline.cli.main", "serve", *args]
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    banner, deadline = "", time.monotonic() + 60
    try:
        while "API docs:" not in banner and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            banner += line
        return banner
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0  # SIGTERM is a clean stop


@pytest.mark.parametrize(("token", "warned"), [(None, True), ("an-operators-secret", False)])
def test_a_wildcard_bind_without_an_admin_token_is_warned_about(
    tmp_path: Path, token: str | None, warned: bool
) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = cli_env(workdir, **({"TRUNKLINE_ADMIN_TOKEN": token} if token else {}))
    banner = _isolated_banner(workdir, "--host", "0.0.0.0", "--port", str(free_port()), env=env)
    assert "API docs:" in banner, banner
    assert (WARNING in banner) is warned, banner
    if warned:
        [line] = [line for line in banner.splitlines() if line.startswith(WARNING)]
        assert "TRUNKLINE_ADMIN_TOKEN" in line and "0.0.0.0" in line
    assert token is None or token not in banner


def test_a_loopback_server_prints_no_warning_and_logs_request_ids(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = cli_env(workdir, TRUNKLINE_ACCESS_LOG="true")
    served = start_serve(workdir, env=env)
    try:
        assert WARNING not in served.banner
        token = served.banner_value(r"api_token=(\S+)")
        with httpx.Client(base_url=served.base_url, timeout=30) as client:
            answers = [
                client.get("/v1/Accounts/demo/Calls.json", auth=("demo_key", token)),
                client.get("/v1/Accounts/demo/Calls.json", auth=("demo_key", "wrong")),
                client.get("/nowhere", headers={"X-Request-Id": "lb-7f3a.42"}),
                client.get("/readyz"),
            ]
        assert [a.status_code for a in answers] == [200, 401, 404, 200]
        ids = {a.headers["x-request-id"] for a in answers}
        assert "lb-7f3a.42" in ids and len(ids) == 4
    finally:
        served.stop()
        assert served.process.returncode == 0
    lines = [orjson.loads(line) for line in served.log_path.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "trunkline.access"]
    logged = {line["request_id"]: line for line in access}
    assert ids <= set(logged), access
    assert logged["lb-7f3a.42"]["path"] == "/nowhere" and logged["lb-7f3a.42"]["status"] == 404
    statuses = {logged[a.headers["x-request-id"]]["status"] for a in answers}
    assert statuses == {200, 401, 404}
    assert all("?" not in line["path"] for line in access)
