"""CCM v2 errors in the envelope (docs/api-choices.md §CCM v2): every answer, success or failure, is
``{request_id, method, http_code, response}``; failures carry ``error_data{code, message,
description}`` with Exotel's numeric codes.

One ``DialectErrors`` value hands this envelope to the request pipeline (``api/pipeline.py``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import orjson
from starlette.requests import Request
from starlette.responses import Response

from trunkline.api.exotel_ccm.bodies import CcmErrorEnvelope
from trunkline.api.exotel_ccm.render import JSON, request_id
from trunkline.api.pipeline import DialectErrors
from trunkline.domain.agents.model import AgentUnavailable
from trunkline.domain.errors import (
    AuthenticationFailed,
    Forbidden,
    InvalidParameter,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    TrunklineError,
)


class MissingParameter(InvalidParameter):
    """A mandatory field is absent (1001), as opposed to present but wrong (1002)."""

    code = "missing-parameter"


class UnparseableBody(InvalidParameter):
    code = "unparseable-body"


class UnsupportedContentType(TrunklineError):
    status = 415
    code = "unsupported-content-type"


class CcmNotFound(NotFound):
    """A not-found with its own Exotel code: user (10731), virtual number (10716), call's legs (10744)."""

    def __init__(self, message: str, *, ccm_code: int) -> None:
        super().__init__(message)
        self.ccm_code = ccm_code


# (HTTP status, Exotel code, message) per error kind; the description says what exactly was wrong.
_AUTH = (401, 1010, "Authorization failed")
_FORBIDDEN = (403, 1003, "Authorization failed")
_NOT_FOUND = (404, 1000, "Not found")
_MISSING = (400, 1001, "Mandatory parameter missing")
_INVALID = (400, 1002, "Invalid parameter")
_UNPARSEABLE = (400, 1007, "Invalid request body, failed parsing")
_CONTENT_TYPE = (415, 1011, "Unsupported content type")
_TOO_LARGE = (413, 413, "Request entity too large")
"""No Exotel code is documented for an oversized body: the HTTP status stands in for it."""
_RATE_LIMITED = (429, 10724, "Too many requests")
_METHOD = (405, 405, "Method not allowed")
"""No Exotel code is documented for a wrong method: the HTTP status stands in for it."""
_INTERNAL = (500, 1100, "Internal error")
_SERVICE_UNAVAILABLE = (503, 503, "Service unavailable")
"""No Exotel code is documented for a store that cannot be reached: the HTTP status stands in."""
_UNAVAILABLE = {
    "off": (409, 1012, "Device is off"),
    "unverified": (409, 10705, "Device is not verified"),
    "busy": (409, 10706, "User is busy"),
}
_CCM_NOT_FOUND = {10731: "User not found", 10716: "Virtual number not found", 10744: "Call not found"}


def failure(
    method: str,
    http: int,
    code: int,
    message: str,
    description: str,
    headers: dict[str, str] | None = None,
) -> Response:
    body: CcmErrorEnvelope = {
        "request_id": request_id(),
        "method": method,
        "http_code": http,
        "response": {
            "code": http,
            "error_data": {"code": code, "message": message, "description": description},
            "status": "failure",
            "data": None,
        },
    }
    return Response(orjson.dumps(body), status_code=http, media_type=JSON, headers=headers)


def classify(exc: TrunklineError) -> tuple[int, int, str]:
    """(HTTP status, Exotel code, message) of an error raised anywhere below the dialect."""
    if isinstance(exc, AgentUnavailable):
        return _UNAVAILABLE.get(exc.reason, _UNAVAILABLE["busy"])
    if isinstance(exc, CcmNotFound):
        return 404, exc.ccm_code, _CCM_NOT_FOUND.get(exc.ccm_code, "Not found")
    for kind, answer in (
        (AuthenticationFailed, _AUTH),
        (Forbidden, _FORBIDDEN),
        (RateLimited, _RATE_LIMITED),
        (MissingParameter, _MISSING),
        (UnparseableBody, _UNPARSEABLE),
        (InvalidParameter, _INVALID),
        (UnsupportedContentType, _CONTENT_TYPE),
        (PayloadTooLarge, _TOO_LARGE),
        (NotFound, _NOT_FOUND),
        (MethodNotAllowed, _METHOD),
        (ServiceUnavailable, _SERVICE_UNAVAILABLE),
    ):
        if isinstance(exc, kind):
            return answer
    return _INTERNAL


def error_response(method: str, exc: TrunklineError, headers: dict[str, str] | None = None) -> Response:
    """The failure envelope of an error; a 401's ``WWW-Authenticate`` comes with ``headers``."""
    http, code, message = classify(exc)
    description = exc.message if http != 500 else "Internal error"
    return failure(method, http, code, message, description, headers)


def _render(exc: TrunklineError, request: Request, headers: dict[str, str] | None) -> Response:
    return error_response(request.method, exc, headers)


def _not_found(request: Request) -> Response:
    return error_response(request.method, NotFound(f"No resource at {request.url.path}"))


def _method_not_allowed(request: Request, allow: Mapping[str, str]) -> Response:
    exc = MethodNotAllowed(f"{request.method} is not allowed here")
    return error_response(request.method, exc, dict(allow))


def _internal_error(request: Request) -> Response:
    http, code, message = _INTERNAL
    return failure(request.method, http, code, message, "Internal error")


def _body_too_large(limit: int) -> TrunklineError:
    return PayloadTooLarge.over(limit)


ERRORS = DialectErrors(
    render=_render,
    not_found=_not_found,
    method_not_allowed=_method_not_allowed,
    internal_error=_internal_error,
    body_too_large=_body_too_large,
    log=logging.getLogger("trunkline.api.ccm"),
    rate_headers_on_errors=True,
)
