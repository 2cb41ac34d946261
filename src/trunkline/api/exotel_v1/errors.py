"""v1 errors: Exotel's ``RestException``, in JSON or XML as the path's ``.json`` suffix asks.

One ``DialectErrors`` value hands this envelope to the request pipeline (``api/pipeline.py``),
which answers every refused request with it: bad parameters, credentials, the rate limit,
unknown paths and unexpected errors alike.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from trunkline.api.exotel_v1.render import respond, wants_json
from trunkline.api.pipeline import DialectErrors
from trunkline.domain.errors import PayloadTooLarge, TrunklineError

NOT_FOUND = "No matching results"


def rest_exception(
    status: int, message: str, *, as_json: bool, headers: dict[str, str] | None = None
) -> Response:
    """Exotel's error body; ``Status`` equals the HTTP status (docs/api-choices.md §Errors)."""
    return respond(
        {"RestException": {"Status": status, "Message": message}},
        as_json=as_json,
        status=status,
        headers=headers,
    )


def _render(exc: TrunklineError, request: Request, headers: dict[str, str] | None) -> Response:
    return rest_exception(exc.status, exc.message, as_json=wants_json(request), headers=headers)


def _render_json(exc: TrunklineError, _: Request, headers: dict[str, str] | None) -> Response:
    return rest_exception(exc.status, exc.message, as_json=True, headers=headers)


def _not_found(request: Request) -> Response:
    return rest_exception(404, NOT_FOUND, as_json=wants_json(request))


def _method_not_allowed(request: Request, allow: Mapping[str, str]) -> Response:
    return rest_exception(405, "Method not allowed", as_json=wants_json(request), headers=dict(allow))


def _internal_error(request: Request) -> Response:
    return rest_exception(500, "Internal server error", as_json=wants_json(request))


def _body_too_large(limit: int) -> TrunklineError:
    return PayloadTooLarge.over(limit)


ERRORS = DialectErrors(
    render=_render,
    not_found=_not_found,
    method_not_allowed=_method_not_allowed,
    internal_error=_internal_error,
    body_too_large=_body_too_large,
    log=logging.getLogger("trunkline.api.v1"),
)
JSON_ERRORS = replace(ERRORS, render=_render_json)
"""For ``Calls.json/<CallSid>``: its path ends in the Sid, yet it answers JSON, errors included."""
