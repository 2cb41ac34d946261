"""The Fone Dynamics routes on the OpenAPI page (plain Starlette endpoints), with the answers' schemas
generated from the TypedDicts the renderer returns (``bodies.py``)."""

from __future__ import annotations

from typing import Any

from trunkline.api.fone_dynamics.bodies import (
    FoneCallAnswer,
    FoneCallsPage,
    FoneError,
    FoneNumber,
    FonePurchased,
)
from trunkline.api.fone_dynamics.params import FILTERS
from trunkline.api.openapi_examples import example_of
from trunkline.api.openapi_parts import Components, error_responses, json_content, response, success_headers
from trunkline.domain.tracking.numbers import PARAMETERS

_READ_ERRORS = (400, 401, 403, 404, 405, 429)
_WRITE_ERRORS = (*_READ_ERRORS, 409, 413)
_LENIENT = (
    "Parameters come in the query string or the body (urlencoded, multipart or JSON; the body "
    "wins); names are read in any case."
)


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[^/]+$"}}


def _filters() -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in FILTERS
    ]


def _form(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "required": bool(required),
        "description": _LENIENT,
        "content": {
            media: {"schema": schema}
            for media in ("application/x-www-form-urlencoded", "multipart/form-data", "application/json")
        },
    }


def _operation(
    components: Components,
    summary: str,
    operation_id: str,
    parameters: list[dict[str, Any]],
    body: Any,
    errors: tuple[int, ...] = _READ_ERRORS,
) -> dict[str, Any]:
    ok = json_content(components.ref(body), example_of(operation_id))
    failure = json_content(components.ref(FoneError))
    return {
        "tags": ["Fone Dynamics v2"],
        "summary": summary,
        "operationId": operation_id,
        "security": [{"basic": []}],
        "parameters": parameters,
        "responses": {
            "200": response("OK", ok, success_headers()),
            **error_responses(errors, failure),
        },
    }


def fone_paths(components: Components) -> dict[str, Any]:
    calls = "earliest first; `Results_Skip`/`Results_Count` page them"
    purchase = _operation(
        components,
        "Purchase a tracking number (Number, AddressSid)",
        "fone_property_numbers_create",
        [_path_param("PropertySid")],
        FonePurchased,
        _WRITE_ERRORS,
    )
    purchase["requestBody"] = _form(
        {"Number": {"type": "string", "example": "+61299998888"}, "AddressSid": {"type": "string"}},
        ["Number"],
    )
    configure = _operation(
        components,
        "Configure a tracking number",
        "fone_numbers_update",
        [_path_param("Number")],
        FoneNumber,
        _WRITE_ERRORS,
    )
    configure["requestBody"] = _form({name: {"type": "string"} for name in PARAMETERS}, [])
    return {
        "/v2/Calls/{CallSid}": {
            "get": _operation(
                components, "One tracked call", "fone_calls_get", [_path_param("CallSid")], FoneCallAnswer
            )
        },
        "/v2/Accounts/{AccountSid}/Calls": {
            "get": _operation(
                components,
                f"An account's tracked calls, {calls}",
                "fone_calls_list",
                [_path_param("AccountSid"), *_filters()],
                FoneCallsPage,
            )
        },
        "/v2/Properties/{PropertySid}/Calls": {
            "get": _operation(
                components,
                f"A property's tracked calls, {calls}",
                "fone_property_calls_list",
                [_path_param("PropertySid"), *_filters()],
                FoneCallsPage,
            )
        },
        "/v2/Properties/{PropertySid}/Numbers": {"post": purchase},
        "/v2/Numbers/{Number}": {
            "get": _operation(
                components,
                "A tracking number's configuration",
                "fone_numbers_get",
                [_path_param("Number")],
                FoneNumber,
            ),
            "post": configure,
        },
    }
