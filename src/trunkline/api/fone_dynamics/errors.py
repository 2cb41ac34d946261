"""Fone Dynamics errors: every one in the ``ResponseStatus`` envelope, unknown paths too.

One ``DialectErrors`` value hands this envelope to the request pipeline (``api/pipeline.py``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from trunkline.api.fone_dynamics.bodies import FoneError, FoneFieldError
from trunkline.api.fone_dynamics.render import json_response
from trunkline.api.pipeline import DialectErrors
from trunkline.domain.errors import PayloadTooLarge, TrunklineError

ERROR_CODES = {
    "invalid-parameter": "PARAMETER_INVALID",
    "parameter-required": "PARAMETER_REQUIRED",
    "number-belongs-to-different-property": "NUMBER_BELONGS_TO_DIFFERENT_PROPERTY",
    "number-held-by-another-account": "NUMBER_UNAVAILABLE",
    "authentication-failed": "UNAUTHORIZED",
    "forbidden": "FORBIDDEN",
    "not-found": "NOT_FOUND",
    "rate-limited": "RATE_LIMIT_EXCEEDED",
    "payload-too-large": "PAYLOAD_TOO_LARGE",
    "method-not-allowed": "METHOD_NOT_ALLOWED",
    "internal-error": "INTERNAL_ERROR",
    "service-unavailable": "SERVICE_UNAVAILABLE",
}
"""Trunkline's error codes → Fone's ``ErrorCode`` (docs/fone-dynamics.md lists them)."""


def error_body(code: str, message: str, field: str | None = None) -> FoneError:
    errors: list[FoneFieldError] = (
        [] if field is None else [{"FieldName": field, "ErrorCode": code, "Message": message}]
    )
    return {"ResponseStatus": {"ErrorCode": code, "Message": message, "Errors": errors}}


def error_response(exc: TrunklineError, headers: dict[str, str] | None = None) -> Response:
    code = ERROR_CODES.get(exc.code, "PARAMETER_INVALID" if exc.status == 400 else "INTERNAL_ERROR")
    return json_response(error_body(code, exc.message, exc.parameter), exc.status, headers)


def _render(exc: TrunklineError, _: Request, headers: dict[str, str] | None) -> Response:
    return error_response(exc, headers)


def _not_found(_: Request) -> Response:
    return json_response(error_body("NOT_FOUND", "No such resource"), 404)


def _method_not_allowed(request: Request, allow: Mapping[str, str]) -> Response:
    body = error_body("METHOD_NOT_ALLOWED", f"{request.method} is not allowed on this resource")
    return json_response(body, 405, dict(allow))


def _internal_error(_: Request) -> Response:
    return json_response(error_body("INTERNAL_ERROR", "Internal server error"), 500)


def _body_too_large(limit: int) -> TrunklineError:
    return PayloadTooLarge.over(limit)


ERRORS = DialectErrors(
    render=_render,
    not_found=_not_found,
    method_not_allowed=_method_not_allowed,
    internal_error=_internal_error,
    body_too_large=_body_too_large,
    log=logging.getLogger("trunkline.api.fone"),
)
