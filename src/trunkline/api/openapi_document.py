"""The server's OpenAPI 3.1 document: FastAPI's description of the admin API, made true to what the
admin API answers, plus every dialect's paths (each dialect describes its own, ``openapi.py``).

The same function serves ``/openapi.json`` and writes the checked-in ``openapi.json``
(``python -m trunkline.api.openapi_document > openapi.json``), so the two cannot differ.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from fastapi.openapi.utils import get_openapi
from starlette.routing import BaseRoute
from typing_extensions import TypedDict  # noqa: UP035 - pydantic needs this on 3.11

from trunkline.api.dialect import Dialect
from trunkline.api.openapi_examples import example_of
from trunkline.api.openapi_parts import Components, error_responses, json_content

ADMIN_PREFIX = "/admin/"


class AdminErrorBody(TypedDict):
    code: str
    """A stable code: invalid-parameter, authentication-failed, not-found, conflict, method-not-allowed…"""
    message: str


class AdminError(TypedDict):
    """Every admin API error."""

    error: AdminErrorBody


_ADMIN_ERRORS = (400, 401, 404, 405, 409, 413)
_ADMIN_TEXT = {401: "No admin token, or a wrong one (`Authorization: Bearer <TRUNKLINE_ADMIN_TOKEN>`)"}


def build_document(
    *, title: str, version: str, description: str, routes: Iterable[BaseRoute], dialects: Iterable[Dialect]
) -> dict[str, Any]:
    schema = get_openapi(title=title, version=version, description=description, routes=list(routes))
    components = Components()
    _true_admin_errors(schema, components)
    paths = schema.setdefault("paths", {})
    for dialect in dialects:
        paths.update(dialect.openapi_paths(components))
    found = schema.setdefault("components", {})
    schemas = found.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)  # the admin API answers 400 in its own envelope, never FastAPI's 422
    schemas.update(components.document())
    found["schemas"] = dict(sorted(schemas.items()))
    found.setdefault("securitySchemes", {})["basic"] = {"type": "http", "scheme": "basic"}
    return schema


def _true_admin_errors(schema: dict[str, Any], components: Components) -> None:
    """FastAPI documents a 422 the admin API never gives (it answers 400 in ``{"error": …}``), and
    none of its 401s, 404s, 405s or 409s: document what it answers."""
    failure = json_content(components.ref(AdminError))
    errors = error_responses(_ADMIN_ERRORS, failure, descriptions=_ADMIN_TEXT)
    for path, item in schema.get("paths", {}).items():
        if not path.startswith(ADMIN_PREFIX):
            continue
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, answer in errors.items():
                responses.setdefault(status, answer)
            _attach_example(operation)


def _attach_example(operation: dict[str, Any]) -> None:
    """Put the operation's example (``openapi_examples.json``) on its success answer, so a mock
    server answers what the admin API would rather than values made up from the bare schema."""
    example = example_of(operation.get("operationId", ""))
    if example is None:
        return
    for status in ("200", "201"):
        media = operation["responses"].get(status, {}).get("content", {}).get("application/json")
        if media is not None:
            media["example"] = example


def main() -> None:
    """Print the document of a server with the default settings (no store is opened)."""
    from trunkline.api.app import document  # the app module imports every dialect

    sys.stdout.write(json.dumps(document(), indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
