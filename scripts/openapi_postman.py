"""Write ``postman_collection.json`` from ``openapi.json`` with npm's ``openapi-to-postmanv2``.

The converter draws random ids and fakes a random body for a schema with no example; the same
document must give the same collection on every run (it is checked in and compared), so free-form
objects are shown empty, patterned strings as ``<string>``, enums by their first value, and every
id is derived from where it sits.

    python3 scripts/openapi_postman.py <openapi2postmanv2 executable> openapi.json postman_collection.json
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

_NAMESPACE = uuid.UUID("6f1c1f5e-6a2e-4d8c-9a55-7472756e6b6c")


def _free_form(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "object" and "properties" not in schema


def _examples_for_free_form(node: Any) -> None:
    if isinstance(node, dict):
        if _free_form(node):
            node["additionalProperties"] = False  # the faker's cue to leave it empty
        if isinstance(node.get("pattern"), str) and node.get("type") == "string":
            del node["pattern"]  # else the faker draws a random string matching it
        if isinstance(node.get("enum"), list) and node["enum"]:
            node["enum"] = node["enum"][:1]  # else the faker picks one at random
        for value in node.values():
            _examples_for_free_form(value)
    elif isinstance(node, list):
        for value in node:
            _examples_for_free_form(value)


def _stable_ids(node: Any, where: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("id", "_postman_id") and isinstance(value, str):
                node[key] = str(uuid.uuid5(_NAMESPACE, where + "/" + key))
            else:
                _stable_ids(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _stable_ids(value, f"{where}/{index}")


def main(converter: str, source: Path, target: Path) -> None:
    document = json.loads(source.read_text())
    _examples_for_free_form(document)
    with tempfile.TemporaryDirectory() as folder:
        prepared, converted = Path(folder, "openapi.json"), Path(folder, "collection.json")
        prepared.write_text(json.dumps(document))
        options = "folderStrategy=Tags,requestParametersResolution=Schema,exampleParametersResolution=Example"
        subprocess.run(
            [converter, "-s", str(prepared), "-o", str(converted), "-O", options],
            check=True,
            capture_output=True,
            timeout=300,
        )
        collection = json.loads(converted.read_text())
    _stable_ids(collection, "")
    target.write_text(json.dumps(collection, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
