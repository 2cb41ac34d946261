"""OpenAPI description of the CCM v2 routes (the page lists every dialect; see docs/ccm-v2.md)."""

from __future__ import annotations

from typing import Any

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
_ERRORS = {
    "400": {"description": "1001 mandatory field missing, 1002 invalid field, 1007 unparseable body"},
    "401": {"description": "1010 missing or wrong credentials"},
    "403": {"description": "1003 credentials of another account"},
    "429": {"description": "10724 rate limit exceeded; see Retry-After"},
}
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


def ccm_paths() -> dict[str, Any]:
    base = "/v2/accounts/{account_sid}/calls"
    return {
        base: {
            "post": {
                "tags": _TAG,
                "summary": "Make an agent-to-customer call (the agent is rung first)",
                "operationId": "ccm_calls_create",
                "parameters": [_ACCOUNT],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _MAKE_CALL_BODY}},
                },
                "responses": {
                    "200": {"description": "The call, in the CCM envelope"},
                    "404": {"description": "10731 user not found, 10716 virtual number not found"},
                    "409": {"description": "1012 device off, 10705 unverified, 10706 busy"},
                    "415": {"description": "1011 not JSON"},
                    **_ERRORS,
                },
                "security": [{"basic": []}],
            }
        },
        base + "/{call_sid}": {
            "get": {
                "tags": _TAG,
                "summary": "Call details",
                "operationId": "ccm_calls_get",
                "parameters": [_ACCOUNT, _CALL],
                "responses": {
                    "200": {"description": "call_details"},
                    "404": {"description": "1000"},
                    **_ERRORS,
                },
                "security": [{"basic": []}],
            }
        },
        base + "/{call_sid}/legs": {
            "get": {
                "tags": _TAG,
                "summary": "The call's legs (v3 shape: `from` = agent, `to` = customer)",
                "operationId": "ccm_calls_legs_list",
                "parameters": [_ACCOUNT, _CALL],
                "responses": {
                    "200": {"description": "leg_details"},
                    "404": {"description": "10744"},
                    **_ERRORS,
                },
                "security": [{"basic": []}],
            }
        },
    }
