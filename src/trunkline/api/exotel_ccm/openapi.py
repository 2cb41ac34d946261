"""OpenAPI description of the CCM v2 routes (see docs/ccm-v2.md), with the answers' schemas generated
from the TypedDicts the renderer returns (``bodies.py``)."""

from __future__ import annotations

from typing import Any

from trunkline.api.exotel_ccm.bodies import (
    CcmCallDetailsEnvelope,
    CcmErrorEnvelope,
    CcmLegsEnvelope,
    CcmMadeCallEnvelope,
)
from trunkline.api.openapi_examples import example_of
from trunkline.api.openapi_parts import Components, error_responses, json_content, response, success_headers

_TAG = ["Exotel CCM v2"]


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }


_ACCOUNT = _path("account_sid", "Your account SID; must match the credentials.")
_CALL = _path("call_sid", "The call_sid from make-call (any call of the account).")
_DESCRIPTIONS = {
    400: "1001 mandatory field missing, 1002 invalid field, 1007 unparseable body",
    401: "1010 missing or wrong credentials",
    403: "1003 credentials of another account",
    404: "1000 not found",
    405: "405 method not allowed; see Allow",
    413: "413 the body is larger than 64 KiB (no Exotel code is documented)",
    415: "1011 not JSON",
    429: "10724 rate limit exceeded; see Retry-After",
    503: "503 the database cannot be reached; try again after Retry-After",
}
_READ_ERRORS = (400, 401, 403, 404, 405, 429)
_MAKE_CALL_BODY = {
    "type": "object",
    "required": ["from", "to", "virtual_number"],
    "properties": {
        "from": {
            "type": "object",
            "description": "The agent: `user_id`, or `user_contact_uri` (a number or sip: URI).",
            "properties": {"user_id": {"type": "string"}, "user_contact_uri": {"type": "string"}},
        },
        "to": {"type": "object", "properties": {"number": {"type": "string", "example": "+919876543210"}}},
        "virtual_number": {"type": "string", "description": "One of the account's ExoPhones."},
        "recording": {"type": "boolean", "default": False},
        "recording_channels": {"type": "string", "enum": ["single", "dual"]},
        "wait_audio_url": {"type": "string"},
        "max_time_limit": {"type": "integer", "maximum": 14400},
        "attempt_time_out": {"type": "integer", "default": 30},
        "custom_field": {"type": "string", "maxLength": 128},
        "status_callback": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "event": {"type": "string", "enum": ["answered", "terminal"]},
                    "url": {"type": "string"},
                },
            },
        },
    },
}
_MAKE_CALL_EXAMPLE = {
    "from": {"user_id": "agent-1"},
    "to": {"number": "+919876543210"},
    "virtual_number": "+918047112345",
}


def _operation(
    components: Components,
    operation_id: str,
    summary: str,
    parameters: list[dict[str, Any]],
    body: Any,
    errors: tuple[int, ...],
    descriptions: dict[int, str] | None = None,
) -> dict[str, Any]:
    ok = json_content(components.ref(body), example_of(operation_id))
    failure = json_content(components.ref(CcmErrorEnvelope))
    return {
        "tags": _TAG,
        "summary": summary,
        "operationId": operation_id,
        "parameters": parameters,
        "security": [{"basic": []}],
        "responses": {
            "200": response("Success, in the CCM envelope", ok, success_headers()),
            **error_responses(
                errors,
                failure,
                descriptions={**_DESCRIPTIONS, **(descriptions or {})},
                rate_headers_on=(s for s in errors if s != 429),
            ),
        },
    }


def ccm_paths(components: Components) -> dict[str, Any]:
    base = "/v2/accounts/{account_sid}/calls"
    make_call = _operation(
        components,
        "ccm_calls_create",
        "Make an agent-to-customer call (the agent is rung first)",
        [_ACCOUNT],
        CcmMadeCallEnvelope,
        (*_READ_ERRORS, 409, 413, 415),
        {
            404: "10731 user not found, 10716 virtual number not found",
            409: "1012 device off, 10705 unverified, 10706 busy",
        },
    )
    make_call["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": _MAKE_CALL_BODY, "example": _MAKE_CALL_EXAMPLE}},
    }
    return {
        base: {"post": make_call},
        base + "/{call_sid}": {
            "get": _operation(
                components,
                "ccm_calls_get",
                "Call details",
                [_ACCOUNT, _CALL],
                CcmCallDetailsEnvelope,
                _READ_ERRORS,
            )
        },
        base + "/{call_sid}/legs": {
            "get": _operation(
                components,
                "ccm_calls_legs_list",
                "The call's legs (v3 shape: `from` = agent, `to` = customer)",
                [_ACCOUNT, _CALL],
                CcmLegsEnvelope,
                _READ_ERRORS,
                {404: "10744 call not found"},
            )
        },
    }
