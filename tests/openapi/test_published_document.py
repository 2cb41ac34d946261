"""The published files are what the server says: ``openapi.json`` in the repository root is the
server's document, and the examples in it regenerate to the same bytes and fit their schemas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.openapi_conformance import Document
from trunkline.api.openapi_examples import EXAMPLES_FILE
from trunkline.api.openapi_examples_build import examples_text

ROOT = Path(__file__).parents[2]


def test_the_checked_in_document_is_the_servers(client: httpx.Client) -> None:
    published = json.loads((ROOT / "openapi.json").read_text())
    served = client.get("/openapi.json").json()
    assert published == served, "openapi.json is stale: run scripts/openapi"


def test_the_openapi_command_prints_the_checked_in_document() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "trunkline.cli.main", "openapi"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert printed == (ROOT / "openapi.json").read_text()


def test_regenerating_the_examples_gives_the_same_bytes() -> None:
    assert examples_text() == EXAMPLES_FILE.read_text(), "examples are stale: run scripts/openapi"


def test_every_example_fits_its_schema() -> None:
    document = json.loads((ROOT / "openapi.json").read_text())
    checker = Document(document)
    seen = set()
    for item in document["paths"].values():
        for operation in item.values():
            for answer in operation["responses"].values():
                media = answer.get("content", {}).get("application/json", {})
                if "example" in media:
                    errors = list(checker.validator(media["schema"]).iter_errors(media["example"]))
                    assert not errors, (operation["operationId"], errors[0].message)
                    seen.add(operation["operationId"])
    assert len([s for s in seen if s.startswith("admin_")]) >= 37
    assert len(seen) >= 50


def test_every_operation_has_an_example_on_its_success_answer() -> None:
    """Issue 17: a mock server serving the document answers every JSON operation, dialects' and
    admin's alike, with a realistic example rather than values made up from the schema."""
    document = json.loads((ROOT / "openapi.json").read_text())
    missing, answered = [], 0
    for item in document["paths"].values():
        for operation in item.values():
            for status, answer in operation["responses"].items():
                if status not in ("200", "201"):
                    continue
                media = answer.get("content", {})
                if "application/json" in media:
                    answered += 1
                    if "example" not in media["application/json"]:
                        missing.append(f"{operation['operationId']} {status}")
    assert missing == []
    assert answered >= 50


def test_an_admin_example_is_what_the_route_function_answers() -> None:
    """The examples come from the admin routes' own functions, not hand-written JSON: an example
    account's keys are listed without their tokens, and a token shown is an obviously fake one."""
    examples = json.loads(EXAMPLES_FILE.read_text())
    account = examples["admin_accounts_get"]
    assert set(account) == {"sid", "name", "exophones", "api_keys"}
    assert all(set(key) == {"api_key", "created_at_ms"} for key in account["api_keys"])
    for operation in (
        "admin_accounts_create",
        "admin_accounts_add_credential",
        "admin_accounts_rotate_credential",
    ):
        assert examples[operation]["api_token"].startswith("example-token-not-a-secret")
    events = examples["admin_calls_events_list"]["events"]
    assert [e["at_ms"] for e in events] == sorted(e["at_ms"] for e in events)
    webhooks = examples["admin_calls_webhooks_list"]
    assert webhooks["deliveries"][0]["delivery"]["payload"]["CallSid"] == webhooks["call_sid"]


def _untyped(schema: dict[str, object], components: dict[str, dict[str, object]]) -> bool:
    """True for a schema that says only "some object" (FastAPI's answer for ``dict[str, Any]``)."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        schema = components[ref.rsplit("/", 1)[-1]]
    return schema.get("type") == "object" and "properties" not in schema


def test_every_admin_success_answer_has_a_typed_schema() -> None:
    """Issue 17: a client generated from the document gets a type for every admin answer, not a map."""
    document = json.loads((ROOT / "openapi.json").read_text())
    components = document["components"]["schemas"]
    untyped = []
    for path, item in document["paths"].items():
        if not path.startswith("/admin/"):
            continue
        for operation in item.values():
            for status, answer in operation["responses"].items():
                if not status.startswith("2") or "content" not in answer:
                    continue
                schema = answer["content"]["application/json"]["schema"]
                if _untyped(schema, components):
                    untyped.append(f"{operation['operationId']} {status}")
    assert untyped == []
