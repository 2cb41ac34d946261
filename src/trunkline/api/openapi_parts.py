"""Building blocks of the OpenAPI document that every dialect shares.

The schemas come from the code: each dialect's renderer returns TypedDicts, and ``Components``
turns them into JSON schemas with pydantic's ``TypeAdapter``. TypedDicts cost nothing at run
time (they are plain dicts), so the hot paths keep their speed and the document cannot drift
from what the renderers build: mypy checks every renderer against its TypedDict.

Every error a dialect can answer with is documented here once, with its headers: a 401 carries
``WWW-Authenticate``, a 405 ``Allow``, a 429 ``Retry-After`` and the ``X-RateLimit-*`` headers,
a 503 ``Retry-After``, and every answer ``X-Request-Id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import TypeAdapter

REF = "#/components/schemas/{model}"

ERROR_TEXT: dict[int, str] = {
    400: "A parameter is missing or invalid",
    401: "No credentials, or wrong ones",
    403: "Credentials of another account",
    404: "No such resource in this account",
    405: "This path does not take this method; see Allow",
    409: "The request conflicts with the resource's state",
    413: "The request body is larger than 64 KiB",
    415: "The request body's Content-Type is not one this operation reads",
    416: "The range is past the end of the file; see Content-Range",
    429: "Rate limit exceeded; see Retry-After",
    503: "The database cannot be reached (a restart or a failover); try again after Retry-After",
}
"""What each error status means, whatever the dialect's envelope."""

UNAVAILABLE = 503
"""Every operation reads or writes the store, so every one can answer 503 while the database is
unreachable (``services/store_opening.py``): ``error_responses`` documents it on each."""


def _int_header(description: str, example: str) -> dict[str, Any]:
    schema = {"type": "string", "pattern": "^[0-9]+$"}
    return {"schema": schema, "description": description, "example": example}


RATE_HEADERS: dict[str, Any] = {
    "X-RateLimit-Limit": _int_header("Requests allowed per minute.", "200"),
    "X-RateLimit-Remaining": _int_header("Requests left in this minute.", "199"),
    "X-RateLimit-Reset": _int_header("Seconds until the allowance is full again.", "1"),
}
"""Headers of every rate-limited answer while the limit is on (``TRUNKLINE_RATE_LIMIT_PER_MINUTE``)."""
REQUEST_ID_HEADER: dict[str, Any] = {
    "X-Request-Id": {
        "schema": {"type": "string"},
        "description": "The request's id, as logged; echoed when the client sends one.",
        "example": "6f1c1f5e6a2e4d8c9a557472756e6b6c",
    }
}
STATUS_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": '`Basic realm="Trunkline"`.'}},
    405: {"Allow": {"schema": {"type": "string"}, "description": "The methods this path takes."}},
    416: {
        "Content-Range": {
            "required": True,
            "schema": {"type": "string", "pattern": "^bytes \\*/[0-9]+$"},
            "description": "`bytes */<size>`: the file's size in bytes, so a player can ask again "
            "for a range inside it (RFC 9110 §15.5.17).",
            "example": "bytes */48213",
        },
        "Accept-Ranges": {"schema": {"type": "string"}, "description": "`bytes`: ranges are served."},
    },
    429: {
        "Retry-After": _int_header("Seconds to wait before trying again.", "1"),
        **RATE_HEADERS,
    },
    503: {"Retry-After": {"required": True, **_int_header("Seconds to wait before trying again.", "1")}},
}


class Components:
    """The document's ``components/schemas``, filled as dialects name their TypedDicts."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def ref(self, tp: Any, *, xml_name: str | None = None) -> dict[str, Any]:
        """A ``$ref`` to ``tp``'s schema, generated on first use. ``xml_name`` names the root element
        of the XML form (``TwilioResponse`` for v1)."""
        name = getattr(tp, "__name__", None)
        if name is None:
            return self.inline(tp)
        if name not in self.schemas:
            self.schemas[name] = {}  # reserve the name: a recursive type refers to itself
            self.schemas[name] = self.inline(tp)
        ref: dict[str, Any] = {"$ref": REF.format(model=name)}
        if xml_name is not None:
            return {"allOf": [ref], "xml": {"name": xml_name}}
        return ref

    def inline(self, tp: Any) -> dict[str, Any]:
        """``tp``'s schema written in place; the types it names go to ``components``."""
        schema = TypeAdapter(tp).json_schema(ref_template=REF)
        for name, definition in schema.pop("$defs", {}).items():
            self.schemas.setdefault(name, definition)
        return schema

    def document(self) -> dict[str, Any]:
        return dict(sorted(self.schemas.items()))


def json_content(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"application/json": media}


def response(
    description: str,
    content: dict[str, Any] | None = None,
    headers: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One documented answer; every answer carries ``X-Request-Id``."""
    answer: dict[str, Any] = {"description": description, "headers": {**REQUEST_ID_HEADER, **(headers or {})}}
    if content is not None:
        answer["content"] = content
    return answer


def error_responses(
    statuses: Iterable[int],
    content: dict[str, Any],
    *,
    descriptions: Mapping[int, str] | None = None,
    rate_headers_on: Iterable[int] = (),
) -> dict[str, Any]:
    """The error answers of one operation, all in one envelope (``content``), with the 503 of an
    unreachable database that every operation can give.

    ``rate_headers_on``: statuses that keep the ``X-RateLimit-*`` headers (dialects that answer
    errors after spending the token with what is left)."""
    descriptions = descriptions or {}
    keep = set(rate_headers_on)
    answers: dict[str, Any] = {}
    for status in sorted({*statuses, UNAVAILABLE}):
        headers = dict(STATUS_HEADERS.get(status, {}))
        if status in keep:
            headers = {**RATE_HEADERS, **headers}
        text = descriptions.get(status) or ERROR_TEXT.get(status, "Error")
        answers[str(status)] = response(text, content, headers)
    return answers


def success_headers(*, rate_limited: bool = True) -> dict[str, Any]:
    return dict(RATE_HEADERS) if rate_limited else {}
