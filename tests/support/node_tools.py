"""The npm tools of the OpenAPI proofs, installed by scripts/test into .tools/node (never globally).

A machine without them skips those tests, except in CI, where their absence fails the run."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
BIN = ROOT / ".tools" / "node" / "node_modules" / ".bin"


def node_tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        message = f"{name} is not installed in .tools/node: run scripts/test (or scripts/openapi)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
