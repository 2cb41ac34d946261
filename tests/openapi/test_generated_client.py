"""A client generated from the document (openapi-python-client, as a user of another language would
with their own generator) places a call, lists calls and reads a call's details on a live server."""

from __future__ import annotations

import base64
import importlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.support.calls_api import ADMIN
from tests.support.factories import AccountFixture
from tests.support.live_server import LiveServer

ROOT = Path(__file__).parents[2]
PACKAGE = "trunkline_generated"
CONFIG = f"project_name_override: trunkline-generated\npackage_name_override: {PACKAGE}\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The generated package, importable for the module's tests."""
    folder = tmp_path_factory.mktemp("generated")
    config = folder / "config.yaml"
    config.write_text(CONFIG)
    command = [
        sys.executable, "-m", "openapi_python_client", "generate",
        "--path", str(ROOT / "openapi.json"),
        "--output-path", str(folder / PACKAGE),
        "--meta", "none",
        "--config", str(config),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    _import_unset(folder / PACKAGE)
    sys.path.insert(0, str(folder))
    try:
        yield PACKAGE
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _import_unset(package: Path) -> None:
    """openapi-python-client (0.29) writes ``| Unset`` for a request body offered in several media
    types without importing ``Unset`` (docs/api.md mentions it): add the import it forgot."""
    for path in package.rglob("*.py"):
        text = path.read_text()
        if "| Unset" in text and "Unset," not in text and "import UNSET, Response" in text:
            path.write_text(text.replace("import UNSET, Response", "import UNSET, Response, Unset"))


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_generated_client_places_lists_and_reads_calls(
    generated: str, engine_server: LiveServer, engine_account: AccountFixture
) -> None:
    """On the virtual-clock server: the bulk list shows calls once they have ended, so the test
    moves the clock past the call's end (through the admin API) before listing."""
    server, account = engine_server, engine_account
    client_module = _module("client")
    connect = _module("api.exotel_voice_v_1.v1_calls_connect")
    list_calls = _module("api.exotel_voice_v_1.v1_calls_list")
    details = _module("api.exotel_voice_v_1.v1_calls_get")
    body_model = _module("models.v1_calls_connect_json_body").V1CallsConnectJsonBody
    answer_model = _module("models.v1_call_answer").V1CallAnswer
    page_model = _module("models.v1_calls_page").V1CallsPage

    token = base64.b64encode(f"{account.api_key}:{account.api_token}".encode()).decode()
    client = client_module.AuthenticatedClient(base_url=server.base_url, token=token, prefix="Basic")
    with client:
        body = body_model(from_="09876543210", to="09123456789", caller_id=account.exophone)
        placed = connect.sync(account.sid, client=client, body=body)
        assert isinstance(placed, answer_model), placed
        sid = placed.call.sid

        advance = {"seconds": 3600}
        httpx.post(f"{server.base_url}/admin/clock/advance", json=advance, headers=ADMIN, timeout=60)
        deadline = time.monotonic() + 10
        while True:
            page = list_calls.sync(account.sid, client=client)
            assert isinstance(page, page_model), page
            if sid in [call.sid for call in page.calls] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert sid in [call.sid for call in page.calls]

        read = details.sync(account.sid, sid, client=client)
        assert isinstance(read, answer_model), read
        assert read.call.sid == sid
        assert read.call.account_sid == account.sid
