"""`trunkline serve` as a user runs it: a subprocess in a folder of its own, on a free port, with
its banner read back (the demo token, the admin token, the URLs)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli_env(workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of a CLI subprocess: no TRUNKLINE_* setting of the caller's leaks in, the
    user cache (rendered recordings) is inside ``workdir``'s parent, and PYTHONPATH is kept."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUNKLINE_")}
    env["XDG_CACHE_HOME"] = str(workdir.parent / "cache")
    if env.get("PYTHONPATH"):  # absolute, since the command runs in another folder
        env["PYTHONPATH"] = os.pathsep.join(
            str(Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep)
        )
    env.update(extra)
    return env


def run_cli(workdir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``trunkline <args>`` in ``workdir``, bounded in time."""
    return subprocess.run(
        [sys.executable, "-m", "trunkline.cli.main", *args],
        cwd=workdir,
        env=env or cli_env(workdir),
        capture_output=True,
        text=True,
        timeout=60,
    )


@dataclass
class ServeProcess:
    process: subprocess.Popen[str]
    port: int
    banner: str
    log_path: Path
    lines: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def banner_value(self, pattern: str) -> str:
        match = re.search(pattern, self.banner)
        assert match, self.banner
        return match.group(1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_serve(
    workdir: Path, *args: str, env: dict[str, str] | None = None, port: int | None = None
) -> ServeProcess:
    """Start ``trunkline serve --port <free> <args>`` in ``workdir`` and wait until it answers."""
    port = port or free_port()
    log_path = workdir.parent / f"serve-{port}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "trunkline.cli.main", "serve", "--port", str(port), *args],
        cwd=workdir,
        env=env or cli_env(workdir),
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert process.stdout is not None
    banner = ""
    deadline = time.monotonic() + 60
    while "API docs:" not in banner and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise RuntimeError(f"serve exited: {banner}{log_path.read_text()}")
        banner += line
    served = ServeProcess(process, port, banner, log_path)
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{served.base_url}/openapi.json", timeout=2)
            return served
        except httpx.TransportError:
            time.sleep(0.1)
    served.stop()
    raise RuntimeError(f"serve did not answer: {banner}{log_path.read_text()}")
