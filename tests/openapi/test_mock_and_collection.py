"""A user can mock Trunkline from its own description (Prism answers with the documented examples)
and import it into Postman (the checked-in collection is the converter's output for openapi.json)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.node_tools import ROOT, free_port, node_tool
from trunkline.api.openapi_examples import example_of
from trunkline.api.openapi_examples_build import ACCOUNT_SID

AUTH = ("key", "token")
STARTUP_S = 90


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    executable = node_tool("prism")
    port = free_port()
    process = subprocess.Popen(
        [str(executable), "mock", "--host", "127.0.0.1", "--port", str(port), str(ROOT / "openapi.json")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            assert process.poll() is None, "prism exited"
            try:
                httpx.get(f"{base}/admin/clock", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "prism did not start"
                time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_prism_answers_call_details_with_the_documented_example(prism: str) -> None:
    sid = example_of("v1_calls_get")["Call"]["Sid"]
    answer = httpx.get(f"{prism}/v1/Accounts/{ACCOUNT_SID}/Calls/{sid}.json", auth=AUTH, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == example_of("v1_calls_get")


def test_prism_answers_the_bulk_list_with_the_documented_example(prism: str) -> None:
    answer = httpx.get(f"{prism}/v1/Accounts/{ACCOUNT_SID}/Calls.json", auth=AUTH, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == example_of("v1_calls_list")


def test_prism_answers_a_ccm_make_call_with_the_documented_example(prism: str) -> None:
    body = {
        "from": {"user_id": "agent-1"},
        "to": {"number": "+919876543210"},
        "virtual_number": "+918047112233",
    }
    answer = httpx.post(f"{prism}/v2/accounts/{ACCOUNT_SID}/calls", json=body, auth=AUTH, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == example_of("ccm_calls_create")


ADMIN = {"Authorization": "Bearer example-admin-token"}


def test_prism_answers_admin_operations_with_their_documented_examples(prism: str) -> None:
    """Issue 17: the admin API mocks as well as the dialects (a GET, and a create answering 201)."""
    answer = httpx.get(f"{prism}/admin/accounts/{ACCOUNT_SID}/flows", headers=ADMIN, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == example_of("admin_flows_list")
    body = {"from": "09876501234", "to": "08047112233"}
    answer = httpx.post(f"{prism}/admin/accounts/{ACCOUNT_SID}/inbound", json=body, headers=ADMIN, timeout=30)
    assert answer.status_code == 201, answer.text
    assert answer.json() == example_of("admin_inbound_create")


def test_the_postman_collection_is_the_documents(tmp_path: Path) -> None:
    converter = node_tool("openapi2postmanv2")
    target = tmp_path / "collection.json"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts/openapi_postman.py"), str(converter), str(ROOT / "openapi.json")]
        + [str(target)],
        check=True,
        timeout=300,
    )
    assert target.read_text() == (ROOT / "postman_collection.json").read_text(), "run scripts/openapi"
    folders = [folder["name"] for folder in json.loads(target.read_text())["item"]]
    assert {"Exotel Voice v1", "Exotel CCM v2", "Fone Dynamics v2", "Recordings"} <= set(folders)
