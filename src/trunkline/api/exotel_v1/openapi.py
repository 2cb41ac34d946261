"""OpenAPI description of the v1 routes, built from the same declarations the parser uses
(``params.py``, ``query.py``) and from the TypedDicts the renderer returns (``bodies.py``).

Every operation exists twice: with the ``.json`` suffix (JSON) and without it (XML,
``<TwilioResponse>``), each on its own path, so that a generated client gets typed answers.
"""

from __future__ import annotations

from typing import Any

from trunkline.api.exotel_v1.bodies import V1CallAnswer, V1CallsPage, V1CallsPageXml, V1Error, V1NumberAnswer
from trunkline.api.exotel_v1.params import CONNECT_PARAMETERS
from trunkline.api.exotel_v1.query import FILTERS
from trunkline.api.openapi_examples import example_of
from trunkline.api.openapi_parts import Components, error_responses, response, success_headers

_TAG = ["Exotel Voice v1"]
_ACCOUNT = {
    "name": "account_sid",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "Your account SID; must match the credentials.",
}
_READ_ERRORS = (400, 401, 403, 404, 405, 429)
_WRITE_ERRORS = (*_READ_ERRORS, 409, 413, 415)
_XML_ROOT = "TwilioResponse"


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


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[^/]+$"},
        "description": description,
    }


_DETAIL_PARAMS = [
    _query(spec.name, spec.description, spec.example)
    for spec in FILTERS
    if spec.name in ("details", "RecordingUrlValidity")
]
_CALL_SID = _path("call_sid", "The call's Sid.")
_NUMBER = _path("number", "Indian number: +91…, 0-prefixed, or 10 digits.")


class _Operations:
    """The v1 operations over one ``Components``: each in its JSON form and its XML form."""

    def __init__(self, components: Components) -> None:
        self.components = components

    def content(self, body: Any, *, as_json: bool, operation_id: str, xml_body: Any = None) -> dict[str, Any]:
        if as_json:
            schema = self.components.ref(body)
            media: dict[str, Any] = {"schema": schema}
            example = example_of(operation_id)
            if example is not None:
                media["example"] = example
            return {"application/json": media}
        return {"application/xml": {"schema": self.components.ref(xml_body or body, xml_name=_XML_ROOT)}}

    def errors(self, statuses: tuple[int, ...], *, as_json: bool) -> dict[str, Any]:
        error = self.content(V1Error, as_json=as_json, operation_id="")
        return error_responses(statuses, error, descriptions={404: "No matching results"})

    def get(
        self,
        operation_id: str,
        summary: str,
        parameters: list[dict[str, Any]],
        body: Any,
        *,
        as_json: bool,
        xml_body: Any = None,
    ) -> dict[str, Any]:
        form = "JSON" if as_json else "XML (`<TwilioResponse>`); add `.json` for JSON"
        ok = self.content(body, as_json=as_json, operation_id=operation_id, xml_body=xml_body)
        return {
            "get": {
                "tags": _TAG,
                "operationId": operation_id,
                "summary": f"{summary} Answers {form}.",
                "parameters": [_ACCOUNT, *parameters],
                "security": [{"basic": []}],
                "responses": {
                    "200": response("OK", ok, success_headers()),
                    **self.errors(_READ_ERRORS, as_json=as_json),
                },
            }
        }

    def connect(self, operation_id: str, *, as_json: bool) -> dict[str, Any]:
        properties: dict[str, dict[str, Any]] = {
            name: {"type": "string", "description": text} for name, text in CONNECT_PARAMETERS
        }
        properties["StatusCallbackEvents"] = {
            "type": "array",
            "items": {"type": "string", "enum": ["terminal", "answered"]},
            "description": dict(CONNECT_PARAMETERS)["StatusCallbackEvents"],
        }
        schema = {"type": "object", "properties": properties, "required": ["From", "CallerId"]}
        example = {"From": "09876543210", "To": "09123456789", "CallerId": "08047112345"}
        ok = self.content(V1CallAnswer, as_json=as_json, operation_id=operation_id)
        form = "JSON" if as_json else "XML (`<TwilioResponse>`); `connect.json` answers JSON"
        return {
            "post": {
                "tags": _TAG,
                "operationId": operation_id,
                "summary": "Place a call: From first, then To (or a flow). Answers the Call in its "
                f"initial state, in {form}.",
                "description": "Lenient as Exotel's clients need (docs/api-choices.md §Lenient requests): "
                "the body may be urlencoded, multipart or JSON, or have no Content-Type; parameters may "
                "also come in the query string (the body wins); names are read in any case (`from`, "
                "`callerid`); an empty value, or 0 for TimeLimit/TimeOut, means unset; "
                "StatusCallbackEvents is read in every spelling (`StatusCallbackEvents[0]=terminal`, "
                "`StatusCallbackEvents[]=…`, repeated, comma-joined, a JSON array).",
                "parameters": [_ACCOUNT],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {"schema": schema, "example": example},
                        "multipart/form-data": {"schema": schema},
                        "application/json": {"schema": schema, "example": example},
                    },
                },
                "security": [{"basic": []}],
                "responses": {
                    "200": response("Accepted: the Call object", ok, success_headers()),
                    **self.errors(_WRITE_ERRORS, as_json=as_json),
                },
            }
        }


def v1_paths(components: Components) -> dict[str, Any]:
    """Each ``.json`` path comes after the bare path it also matches: mock servers (Prism) that
    cannot tell two templated paths apart take the later one, and the JSON form is the one most
    clients use."""
    ops = _Operations(components)
    bulk = [_query(spec.name, spec.description, spec.example) for spec in FILTERS]
    base = "/v1/Accounts/{account_sid}"
    details = "Details of one call; `details=true` adds the legs."
    number = "Circle, operator, type and DND status of an Indian number."
    list_summary = "Bulk call details: filters, keyset pages (Metadata + Calls)."
    legacy = ops.get("v1_calls_get_json", details, [_CALL_SID, *_DETAIL_PARAMS], V1CallAnswer, as_json=True)
    legacy["get"]["deprecated"] = True
    legacy["get"]["summary"] += " An older spelling of `Calls/{call_sid}.json`."
    return {
        f"{base}/Calls/connect.json": ops.connect("v1_calls_connect", as_json=True),
        f"{base}/Calls/connect": ops.connect("v1_calls_connect_xml", as_json=False),
        f"{base}/Calls.json": ops.get("v1_calls_list", list_summary, bulk, V1CallsPage, as_json=True),
        f"{base}/Calls": ops.get(
            "v1_calls_list_xml", list_summary, bulk, V1CallsPage, as_json=False, xml_body=V1CallsPageXml
        ),
        f"{base}/Calls/{{call_sid}}": ops.get(
            "v1_calls_get_xml", details, [_CALL_SID, *_DETAIL_PARAMS], V1CallAnswer, as_json=False
        ),
        f"{base}/Calls/{{call_sid}}.json": ops.get(
            "v1_calls_get", details, [_CALL_SID, *_DETAIL_PARAMS], V1CallAnswer, as_json=True
        ),
        f"{base}/Calls.json/{{call_sid}}": legacy,
        f"{base}/Numbers/{{number}}": ops.get(
            "v1_numbers_get_xml", number, [_NUMBER], V1NumberAnswer, as_json=False
        ),
        f"{base}/Numbers/{{number}}.json": ops.get(
            "v1_numbers_get", number, [_NUMBER], V1NumberAnswer, as_json=True
        ),
    }
