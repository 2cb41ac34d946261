"""The Fone Dynamics routes on the OpenAPI page (they are plain Starlette endpoints)."""

from __future__ import annotations

from typing import Any

from trunkline.api.fone_dynamics.params import FILTERS

_ERROR = {"description": '`{"ResponseStatus": {"ErrorCode", "Message", "Errors": [...]}}`'}
_ERRORS = {str(code): _ERROR for code in (400, 401, 403, 404, 429)}


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _filters() -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in FILTERS
    ]


def _operation(summary: str, operation_id: str, parameters: list[dict[str, Any]], ok: str) -> dict[str, Any]:
    return {
        "tags": ["Fone Dynamics v2"],
        "summary": summary,
        "operationId": operation_id,
        "security": [{"basic": []}],
        "parameters": parameters,
        "responses": {"200": {"description": ok}, **_ERRORS},
    }


def fone_paths() -> dict[str, Any]:
    calls = '`{"Calls": [...], "TotalCount": n}`, earliest first'
    number = "The number's configuration (docs/fone-dynamics.md)"
    return {
        "/v2/Calls/{CallSid}": {
            "get": _operation(
                "One tracked call", "fone_calls_get", [_path_param("CallSid")], '`{"Call": {...}}`'
            )
        },
        "/v2/Accounts/{AccountSid}/Calls": {
            "get": _operation(
                "An account's tracked calls",
                "fone_calls_list",
                [_path_param("AccountSid"), *_filters()],
                calls,
            )
        },
        "/v2/Properties/{PropertySid}/Calls": {
            "get": _operation(
                "A property's tracked calls",
                "fone_property_calls_list",
                [_path_param("PropertySid"), *_filters()],
                calls,
            )
        },
        "/v2/Properties/{PropertySid}/Numbers": {
            "post": _operation(
                "Purchase a tracking number (Number, AddressSid)",
                "fone_property_numbers_create",
                [_path_param("PropertySid")],
                '`{"Number": "+61...", "Status": "Active"}`',
            )
        },
        "/v2/Numbers/{Number}": {
            "get": _operation(
                "A tracking number's configuration", "fone_numbers_get", [_path_param("Number")], number
            ),
            "post": _operation(
                "Configure a tracking number", "fone_numbers_update", [_path_param("Number")], number
            ),
        },
    }
