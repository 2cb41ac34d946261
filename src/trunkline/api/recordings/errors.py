"""Recording errors: a ``RestException`` in JSON, the body v1 clients already read.

Recordings keep their own copy of this small envelope rather than borrowing v1's renderer: they
are served from storage, not from the v1 API (no rate limit, no XML, no ``.json`` suffix to
obey), and this way neither dialect's changes reach the other.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import orjson
from starlette.requests import Request
from starlette.responses import Response

from trunkline.api.pipeline import DialectErrors
from trunkline.domain.errors import PayloadTooLarge, TrunklineError

NOT_FOUND = "No matching results"


def rest_exception(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Exotel's error body; ``Status`` equals the HTTP status."""
    body = orjson.dumps({"RestException": {"Status": status, "Message": message}})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _render(exc: TrunklineError, _: Request, headers: dict[str, str] | None) -> Response:
    return rest_exception(exc.status, exc.message, headers)


def _not_found(_: Request) -> Response:
    return rest_exception(404, NOT_FOUND)


def _method_not_allowed(_: Request, allow: Mapping[str, str]) -> Response:
    return rest_exception(405, "Method not allowed", dict(allow))


def _internal_error(_: Request) -> Response:
    return rest_exception(500, "Internal server error")


def _body_too_large(limit: int) -> TrunklineError:
    return PayloadTooLarge.over(limit)  # no route reads a body


ERRORS = DialectErrors(
    render=_render,
    not_found=_not_found,
    method_not_allowed=_method_not_allowed,
    internal_error=_internal_error,
    body_too_large=_body_too_large,
    log=logging.getLogger("trunkline.api.recordings"),
)
