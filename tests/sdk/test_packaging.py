"""How the SDK and the server fit together: the SDK never imports the server (it installs without
it), and the server declares the SDK as a dependency and its pytest plugin as an entry point."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_IMPORT = re.compile(r"^\s*(?:import|from)\s+trunkline(?![\w])", re.MULTILINE)
"""``import trunkline``, ``from trunkline import``, ``from trunkline.x``; not ``trunkline_client``."""


def test_the_sdk_never_imports_the_server() -> None:
    sources = sorted((ROOT / "client" / "src").rglob("*.py"))
    assert len(sources) > 10
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in sources
        for match in SERVER_IMPORT.finditer(path.read_text())
    ]
    assert offenders == []


def test_the_pattern_tells_the_server_from_the_sdk() -> None:
    assert SERVER_IMPORT.search("import trunkline\n")
    assert SERVER_IMPORT.search("from trunkline.api import app\n")
    assert SERVER_IMPORT.search("    import trunkline.testing as t\n")
    assert not SERVER_IMPORT.search("from trunkline_client import Trunkline\n")
    assert not SERVER_IMPORT.search("import trunkline_client.errors\n")


def test_the_server_declares_the_sdk_and_the_plugin() -> None:
    server = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    sdk = tomllib.loads((ROOT / "client" / "pyproject.toml").read_text())["project"]
    assert any(dep.startswith(sdk["name"]) for dep in server["dependencies"])
    assert server["entry-points"]["pytest11"] == {
        "trunkline.testing.pytest_plugin": "trunkline.testing.pytest_plugin"
    }
    assert not any(dep.split(">")[0].split("[")[0] == "trunkline" for dep in sdk["dependencies"])
