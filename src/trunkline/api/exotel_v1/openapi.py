"""OpenAPI description of the v1 routes, built from the same declarations the parser uses."""

from __future__ import annotations

from typing import Any

from trunkline.api.exotel_v1.params import CONNECT_PARAMETERS
from trunkline.api.exotel_v1.query import FILTERS

_TAG = ["Exotel Voice v1"]
_ACCOUNT = {
    "name": "account_sid",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "Your account SID; must match the credentials.",
}
_ERRORS = {
    "400": {"description": "Bad parameter: RestException naming it"},
    "401": {"description": "Missing or wrong credentials: RestException"},
    "403": {"description": "Credentials of another account: RestException"},
    "429": {"description": "Rate limit exceeded; see Retry-After"},
}
_FORMAT_NOTE = " Without the `.json` suffix the answer is XML (`<TwilioResponse>`)."


def _query(name: str, description: str, example: str | None = None) -> dict[str, Any]:
    param: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }
    if example:
        param["example"] = example
    return param


_DETAIL_PARAMS = [
    _query(spec.name, spec.description, spec.example)
    for spec in FILTERS
    if spec.name in ("details", "RecordingUrlValidity")
]


def _operation(operation_id: str, summary: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "tags": _TAG,
            "operationId": operation_id,
            "summary": summary + _FORMAT_NOTE,
            "parameters": [_ACCOUNT, *parameters],
            "security": [{"basic": []}],
            "responses": {"200": {"description": "OK"}, **_ERRORS},
        }
    }


def _connect_operation(operation_id: str) -> dict[str, Any]:
    properties: dict[str, dict[str, Any]] = {
        name: {"type": "string", "description": text} for name, text in CONNECT_PARAMETERS
    }
    properties["StatusCallbackEvents"] = {
        "type": "array",
        "items": {"type": "string", "enum": ["terminal", "answered"]},
        "description": dict(CONNECT_PARAMETERS)["StatusCallbackEvents"],
    }
    schema = {"type": "object", "properties": properties, "required": ["From", "CallerId"]}
    return {
        "post": {
            "tags": _TAG,
            "operationId": operation_id,
            "summary": "Place a call: From first, then To (or a flow). Answers the Call in its initial "
            "state." + _FORMAT_NOTE,
            "parameters": [_ACCOUNT],
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {"schema": schema},
                    "multipart/form-data": {"schema": schema},
                    "application/json": {"schema": schema},
                }
            },
            "security": [{"basic": []}],
            "responses": {"200": {"description": "Accepted: the Call object"}, **_ERRORS},
        }
    }


def v1_paths() -> dict[str, Any]:
    call_sid = {
        "name": "call_sid",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "Call Sid, optionally followed by `.json`.",
    }
    number = {
        "name": "number",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "Indian number: +91…, 0-prefixed, or 10 digits; optionally followed by `.json`.",
    }
    bulk = [_query(spec.name, spec.description, spec.example) for spec in FILTERS]
    return {
        "/v1/Accounts/{account_sid}/Calls/connect.json": _connect_operation("v1_calls_connect"),
        "/v1/Accounts/{account_sid}/Calls/connect": _connect_operation("v1_calls_connect_xml"),
        "/v1/Accounts/{account_sid}/Calls.json": _operation(
            "v1_calls_list", "Bulk call details: filters, keyset pages (Metadata + Calls).", bulk
        ),
        "/v1/Accounts/{account_sid}/Calls": _operation("v1_calls_list_xml", "Bulk call details.", bulk),
        "/v1/Accounts/{account_sid}/Calls/{call_sid}": _operation(
            "v1_calls_get", "Details of one call; `details=true` adds the legs.", [call_sid, *_DETAIL_PARAMS]
        ),
        "/v1/Accounts/{account_sid}/Numbers/{number}": _operation(
            "v1_numbers_get", "Circle, operator, type and DND status of an Indian number.", [number]
        ),
    }
