"""The ``trunkline`` pytest fixture: a Trunkline sandbox for an application's tests, the way moto's
``mock_aws`` is for AWS. Registered as the ``pytest11`` entry point named after this module, so
installing the server is enough; ``-p trunkline.testing.pytest_plugin`` (or ``pytest_plugins`` in a
conftest) loads it by hand where it is not installed, and is a no-op where it is;
``-p no:trunkline.testing.pytest_plugin`` turns it off.

``trunkline`` yields a ``TrunklineSandbox`` (base URL, the account's credentials and ExoPhone, an
SDK client, ``sandbox`` controls, a callback ``receiver``). The server behind it lives as long as
``trunkline_scope`` says (ini option, or ``--trunkline-scope``): ``session`` (the default),
``package``, ``module`` or ``function``. Whatever its scope, every test starts from a clean
account: a test that is not the server's first resets it first (one admin request), so a shared
server costs one start per scope and one reset per test. Settings the server starts with can be
changed by overriding the session fixture ``trunkline_settings``.

The server is imported only when a test asks for the fixture: loading the plugin is cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from trunkline.testing.sandbox import SandboxServer, TrunklineSandbox

SCOPES = ("session", "package", "module", "function")
INI_SCOPE = "trunkline_scope"
DEFAULT_SCOPE = "session"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("trunkline", "Trunkline sandbox (the trunkline fixture)")
    group.addoption(
        "--trunkline-scope",
        dest="trunkline_scope",
        choices=SCOPES,
        default=None,
        help=f"how long one sandbox server lives (overrides the {INI_SCOPE} ini option)",
    )
    parser.addini(
        INI_SCOPE,
        help=f"how long one sandbox server lives: {', '.join(SCOPES)} (default {DEFAULT_SCOPE}); "
        "every test still starts from a clean account",
        default=DEFAULT_SCOPE,
    )


def _chosen_scope(config: pytest.Config) -> str:
    return config.getoption("trunkline_scope") or str(config.getini(INI_SCOPE)).strip() or DEFAULT_SCOPE


def pytest_configure(config: pytest.Config) -> None:
    """Refuse a misspelt ini scope at once, as pytest refuses a bad option."""
    if _chosen_scope(config) not in SCOPES:
        raise pytest.UsageError(
            f"{INI_SCOPE} must be one of {', '.join(SCOPES)}, not {_chosen_scope(config)!r}"
        )


def server_scope(fixture_name: str, config: pytest.Config) -> str:
    """The configured scope of the sandbox server (pytest's dynamic scope)."""
    return _chosen_scope(config)


@pytest.fixture(scope="session")
def trunkline_settings() -> dict[str, Any]:
    """Server settings (``trunkline.config.Settings`` field names) on top of the sandbox's own;
    override this session fixture in a conftest.py to change them, e.g. ``{"rate_limit_per_minute":
    60}``."""
    return {}


@pytest.fixture(scope=server_scope)  # type: ignore[arg-type]
def trunkline_server(trunkline_settings: dict[str, Any]) -> Iterator[SandboxServer]:
    """The sandbox server, started once per ``trunkline_scope``."""
    from trunkline.testing.sandbox import SandboxServer

    server = SandboxServer(trunkline_settings)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def trunkline(trunkline_server: SandboxServer) -> TrunklineSandbox:
    """A Trunkline sandbox with one clean account: ``base_url``, ``account_sid``, ``api_key``,
    ``api_token``, ``exophone``, ``client`` (SDK), ``sandbox`` (controls), ``receiver`` and
    ``wait_for_callback`` (status callbacks). See docs/testing.md."""
    sandbox = trunkline_server.sandbox
    if trunkline_server.used:
        sandbox.reset()
    trunkline_server.used = True
    return sandbox
