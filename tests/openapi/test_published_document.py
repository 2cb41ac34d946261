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
    seen = 0
    for item in document["paths"].values():
        for operation in item.values():
            for answer in operation["responses"].values():
                media = answer.get("content", {}).get("application/json", {})
                if "example" in media:
                    errors = list(checker.validator(media["schema"]).iter_errors(media["example"]))
                    assert not errors, (operation["operationId"], errors[0].message)
                    seen += 1
    assert seen >= 13


def test_every_dialect_operation_has_an_example() -> None:
    document = json.loads((ROOT / "openapi.json").read_text())
    missing = []
    for path, item in document["paths"].items():
        if path.startswith(("/admin/", "/exotelrecordings/")):
            continue
        for operation in item.values():
            media = operation["responses"]["200"]["content"]
            if "application/json" in media and "example" not in media["application/json"]:
                missing.append(operation["operationId"])
    assert missing == []


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
