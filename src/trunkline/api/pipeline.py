"""The one way a dialect request is served, whatever the dialect.

Every dialect authenticates the same Basic credential, spends the same rate-limit token, reads
bodies under the same limit and answers unknown paths and unexpected errors itself; only the
shape of its errors differs. So the machinery is here once, and a dialect hands it a
``DialectErrors`` value (its envelope) instead of keeping a copy of the machinery. Handlers are
plain Starlette endpoints: FastAPI's per-request layers cost more than a call lookup
(BENCHMARKS.md), and the wrapper below adds nothing per request to what a handler would do anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from trunkline.api.allow import allowed_methods
from trunkline.api.answered_errors import StopAnsweredErrors
from trunkline.api.client_address import client_address
from trunkline.api.rate_limit import RateLimiter
from trunkline.api.request_id import request_id
from trunkline.domain.errors import InvalidParameter, RateLimited, TrunklineError
from trunkline.services.composition import Services
from trunkline.services.credentials import Principal
from trunkline.services.store_opening import RETRY_AFTER, unreachable_store

MAX_BODY_BYTES = 64 * 1024
"""The largest request body any dialect reads; every dialect's parameters fit many times over."""
WWW_AUTHENTICATE = {"WWW-Authenticate": 'Basic realm="Trunkline"'}


@dataclass(frozen=True, slots=True)
class DialectErrors:
    """How one dialect says what went wrong: each field builds that dialect's own answer."""

    render: Callable[[TrunklineError, Request, dict[str, str] | None], Response]
    """Any ``TrunklineError`` (a 429 included) as a response carrying these headers."""
    not_found: Callable[[Request], Response]
    """A path no route of the dialect serves."""
    method_not_allowed: Callable[[Request, Mapping[str, str]], Response]
    """A served path asked with another method; the mapping is Starlette's ``Allow`` header."""
    internal_error: Callable[[Request], Response]
    """An unexpected exception, after it has been logged."""
    body_too_large: Callable[[int], TrunklineError]
    """The error for a body over ``MAX_BODY_BYTES`` (given), in the dialect's own words."""
    log: logging.Logger
    """Where the dialect's unexpected errors are logged."""
    rate_headers_on_errors: bool = False
    """Whether an error raised after the rate-limit token was spent still carries the X-RateLimit-*
    headers saying what is left (dialects differ, and clients read what they have always had)."""


P = TypeVar("P", bound=Principal | None)
Handler = Callable[[Request, Services, P], Awaitable[Response]]
"""A dialect's handler: the request, the server's services and who is asking."""
Authenticate = Callable[[Request, Services], Awaitable[P]]
Endpoint = Callable[[Request], Awaitable[Response]]


@overload
def endpoint(handler: Handler[Principal], errors: DialectErrors) -> Endpoint: ...


@overload
def endpoint(
    handler: Handler[P], errors: DialectErrors, *, authenticate: Authenticate[P], rate_limited: bool
) -> Endpoint: ...


def endpoint(
    handler: Handler[Any],
    errors: DialectErrors,
    *,
    authenticate: Authenticate[Any] | None = None,
    rate_limited: bool = True,
) -> Endpoint:
    """Authenticate, spend the account's rate-limit token, run the handler, and answer every
    ``TrunklineError`` in the dialect's envelope (401s with ``WWW-Authenticate``, 429s with
    ``RateLimiter.refused_headers``). Anything else goes on to the app's 500 handler.

    By default the credential is HTTP Basic, and it must be the path's account when the path
    names one (``account_sid``). ``authenticate`` replaces that (a pre-signed link, say, which may
    give no principal); ``rate_limited=False`` spends no token."""
    render = errors.render
    keep_rate_headers = errors.rate_headers_on_errors

    async def run(request: Request) -> Response:
        services: Services = request.app.state.services
        limiter: RateLimiter = request.app.state.limiter
        headers: dict[str, str] | None = None
        try:
            if authenticate is not None:
                principal = await authenticate(request, services)
            else:
                account_sid = request.path_params.get("account_sid")
                authorization = request.headers.get("authorization")
                client = client_address(request.scope, services.settings.trusted_proxies)
                if account_sid is None:
                    principal = await services.credentials.principal(authorization, client)
                else:
                    principal = await services.credentials.authenticate(authorization, account_sid, client)
            if rate_limited and principal is not None:
                headers = await limiter.spend(principal.account_sid)
            response = await handler(request, services, principal)
        except RateLimited as exc:
            return render(exc, request, limiter.refused_headers(exc))
        except TrunklineError as exc:
            extra = headers if keep_rate_headers else None
            if exc.status == 401:
                extra = {**extra, **WWW_AUTHENTICATE} if extra else WWW_AUTHENTICATE
            return render(exc, request, extra)
        if headers:
            response.headers.update(headers)
        return response

    return run


def dialect_app(
    routes: list[BaseRoute], errors: DialectErrors, services: Services, limiter: RateLimiter, **state: object
) -> ASGIApp:
    """A dialect as its own small Starlette app (mounted by path prefix in ``api/app.py``) whose
    unknown paths, wrong methods and unexpected errors answer in its envelope too. ``state`` is
    what its handlers find on ``request.app.state`` besides ``services`` and ``limiter``."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            allow = allowed_methods(routes, request.scope) or (exc.headers or {}).get("Allow", "")
            return errors.method_not_allowed(request, {"Allow": allow})
        return errors.not_found(request)  # Starlette's routing raises only 404 and 405

    async def unexpected_error(request: Request, exc: Exception) -> Response:
        unavailable = unreachable_store(exc)
        if unavailable is not None:
            errors.log.warning(
                "database unreachable (request %s): %s", request_id(request.scope), type(exc).__name__
            )
            return errors.render(unavailable, request, RETRY_AFTER)
        errors.log.exception(
            "unhandled error (request %s)",
            request_id(request.scope),
            extra={
                "path": request.scope["path"],
                "method": request.method,
                "request_id": request_id(request.scope),
            },
        )
        return errors.internal_error(request)

    app = Starlette(
        routes=routes, exception_handlers={HTTPException: http_error, Exception: unexpected_error}
    )
    app.state.services = services
    app.state.limiter = limiter
    for name, value in state.items():
        setattr(app.state, name, value)
    return StopAnsweredErrors(app)


async def read_body(request: Request, errors: DialectErrors) -> bytes:
    """The request body, read as it arrives and refused (``errors.body_too_large``) as soon as it
    passes ``MAX_BODY_BYTES``, so an oversized body is never held whole. The body is kept on the
    request, so ``request.form()`` can still parse it."""
    chunks: list[bytes] = []
    size = 0
    async with aclosing(request.stream()) as stream:
        async for chunk in stream:
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise errors.body_too_large(MAX_BODY_BYTES)
            chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # what Request.body() caches; form() and body() read it from there
    return body


async def multipart_pairs(
    request: Request, errors: DialectErrors, *, max_fields: int
) -> list[tuple[str, str]]:
    """The text fields of a multipart body (files are refused: no parameter is a file). The body is
    read under the limit first (``read_body``): the multipart parser alone would hold any number of
    fields up to a megabyte each."""
    await read_body(request, errors)
    try:
        form = await request.form(max_files=0, max_fields=max_fields)
    except Exception as exc:  # python-multipart's errors have no common base worth naming
        raise InvalidParameter(f"the multipart body cannot be read: {exc}") from None
    return [(name, value) for name, value in form.multi_items() if isinstance(value, str)]


def json_parameters(body: bytes) -> dict[str, Any]:
    """A JSON body that must be one object of parameters."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidParameter("the request body is not valid JSON") from None
    if not isinstance(document, dict):
        raise InvalidParameter("the JSON body must be an object of parameters")
    return document
