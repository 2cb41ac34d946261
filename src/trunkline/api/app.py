"""Building the ASGI app.

Dialect routes are served by plain Starlette apps chosen by path prefix; FastAPI serves the
OpenAPI page (and later the admin API). FastAPI's per-request layers (dependency solving,
telemetry, body limits, exit stacks) cost more than a whole call-details lookup, so the hot
paths skip them; the OpenAPI page still documents them (see ``exotel_v1/openapi.py``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

import trunkline
from trunkline.api import exotel_ccm, exotel_v1, fone_dynamics, recordings
from trunkline.api.admin.accounts_routes import router as accounts_router
from trunkline.api.admin.agents_routes import router as agents_router
from trunkline.api.admin.flows_routes import MAX_FLOW_BYTES
from trunkline.api.admin.flows_routes import router as flows_router
from trunkline.api.admin.routes import router as admin_router
from trunkline.api.admin.tracking_routes import router as tracking_router
from trunkline.api.allow import allowed_methods
from trunkline.api.answered_errors import StopAnsweredErrors
from trunkline.api.body_limit import BodyLimit
from trunkline.api.console.app import PREFIX as CONSOLE_PREFIX
from trunkline.api.console.app import build_console
from trunkline.api.dialect import Dialect
from trunkline.api.docs_pages import add_docs_pages
from trunkline.api.metrics import RequestMetrics, StoreCollector
from trunkline.api.openapi_document import build_document
from trunkline.api.ops import PATHS as OPS_PATHS
from trunkline.api.ops import ops_app
from trunkline.api.paths import NormalisePath
from trunkline.api.rate_limit import RateLimiter
from trunkline.api.request_id import RequestIds, request_id
from trunkline.config import Settings
from trunkline.domain.errors import PayloadTooLarge, TrunklineError
from trunkline.engine.calls.engine import CallbackRenderer
from trunkline.native_memory import limit_arenas
from trunkline.services.composition import Database, Server, build_server, open_database
from trunkline.services.store_opening import RETRY_AFTER, unreachable_store

_log = logging.getLogger("trunkline.api.admin")

DIALECTS: tuple[Dialect, ...] = (
    exotel_v1.DIALECT,
    exotel_ccm.DIALECT,
    fone_dynamics.DIALECT,
    recordings.DIALECT,
)
"""Every dialect the server speaks. Prefixes are tried in this order, so a longer prefix must come
before a shorter one it starts with."""


def create_app(settings: Settings | None = None, db: Database | None = None) -> ASGIApp:
    """The whole server. Opens and migrates the store unless one is handed in (tests).

    The call engine and the webhook deliverer run as background tasks of the ASGI lifespan."""
    settings = settings or Settings()
    owns_db = db is None
    if db is None:
        db = open_database(settings.database_url)
    # Each dialect renders its own status callbacks; the engine picks by the dialect a call came from.
    renderers: dict[str, CallbackRenderer] = {}
    for dialect in DIALECTS:
        renderers.update(dialect.renderers(settings))
    server = build_server(settings, db, renderers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # anyio lets up to 40 threads run store work; each keeps its stack and can hold a connection
        # with its page cache, so an unbounded pool let memory creep with load.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        limit_arenas()  # before the worker threads start: see ``trunkline.native_memory``
        await server.start()
        try:
            yield
        finally:
            await server.stop()
            if owns_db:
                db.dispose()

    app = FastAPI(
        title=TITLE,
        version=trunkline.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from the package by add_docs_pages, not from a CDN
        redoc_url=None,
    )
    add_docs_pages(app)
    app.add_api_route("/", _to_console, methods=["GET"], include_in_schema=False)
    app.state.services = server.services
    app.state.admin_token = settings.admin_token or secrets.token_urlsafe(24)
    _admin_api(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document_of(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    limiter = RateLimiter(settings.rate_limit_per_minute, server.services.rate_limit)
    dialects: dict[str, tuple[str, ASGIApp]] = {}
    for dialect in DIALECTS:
        dialect_app = dialect.build_app(server.services, limiter)
        dialects.update({prefix: (dialect.name, dialect_app) for prefix in dialect.prefixes})
    # The web console: its own Starlette app (own error pages, no OpenAPI), at /console; / leads there.
    dialects[CONSOLE_PREFIX] = (
        "console",
        build_console(
            server.services,
            admin_token=app.state.admin_token,
            secret=server.services.secret,
            call_views=[dialect.call_views for dialect in DIALECTS],
        ),
    )
    admin = BodyLimit(StopAnsweredErrors(app), limit=ADMIN_MAX_BODY_BYTES, too_large=_admin_too_large)
    # One registry per app, not prometheus-client's global one: a process may build several apps
    # (the tests do), and each counts its own requests.
    registry = CollectorRegistry()
    for collector in (ProcessCollector, PlatformCollector, GCCollector):
        collector(registry=registry)
    registry.register(StoreCollector(server.services.health))
    metrics = RequestMetrics(registry, log_requests=settings.access_log)
    ops = ops_app(server.services.health, registry, metrics_token=settings.metrics_token)
    dispatch = DialectDispatch(
        dialects, default=admin, server=server, metrics=metrics, exact={path: ops for path in OPS_PATHS}
    )
    return NormalisePath(dispatch)


async def _to_console() -> RedirectResponse:
    """``/``: people who open the server's address land on the console."""
    return RedirectResponse(CONSOLE_PREFIX, status_code=307)


TITLE = "Trunkline"
DESCRIPTION = (
    "Self-hosted voice-call API speaking Exotel's dialects. Authenticate with HTTP Basic "
    "(`api_key:api_token`, or the legacy `account_sid:api_token`)."
)


def _admin_api(app: FastAPI) -> None:
    """The admin API's routes and its error envelope, on the FastAPI app."""
    app.include_router(admin_router)
    app.include_router(accounts_router)
    app.include_router(flows_router)
    app.include_router(agents_router)
    app.include_router(tracking_router)
    app.add_exception_handler(TrunklineError, _admin_error)
    app.add_exception_handler(RequestValidationError, _admin_validation_error)
    app.add_exception_handler(StarletteHTTPException, _admin_http_error)
    app.add_exception_handler(Exception, _admin_unexpected_error)


def _document_of(app: FastAPI) -> dict[str, Any]:
    return build_document(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        dialects=DIALECTS,
    )


def document() -> dict[str, Any]:
    """The OpenAPI document ``/openapi.json`` serves, built without a store (``openapi.json``)."""
    app = FastAPI(title=TITLE, version=trunkline.__version__, description=DESCRIPTION)
    _admin_api(app)
    return _document_of(app)


ADMIN_MAX_BODY_BYTES = MAX_FLOW_BYTES
"""The largest body the admin API reads: a flow document, its largest body, fits."""


def _admin_error_response(exc: TrunklineError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status, headers=headers
    )


async def _admin_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TrunklineError)
    return _admin_error_response(exc)


def _admin_too_large(limit: int) -> JSONResponse:
    return _admin_error_response(PayloadTooLarge.over(limit))


async def _admin_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    message = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid request"))
    return JSONResponse({"error": {"code": "invalid-parameter", "message": message}}, status_code=400)


_HTTP_ERROR_CODES = {400: "invalid-parameter", 404: "not-found", 405: "method-not-allowed"}


async def _admin_http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's and FastAPI's own refusals (an unknown path, a wrong method, a body FastAPI could
    not parse) in the admin envelope; a 405's ``Allow`` names every method of the path."""
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_ERROR_CODES.get(
        exc.status_code, "invalid-parameter" if exc.status_code < 500 else "internal-error"
    )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request.app.routes, request.scope) or headers.get("Allow", "")
    return JSONResponse(
        {"error": {"code": code, "message": str(exc.detail)}},
        status_code=exc.status_code,
        headers=headers or None,
    )


async def _admin_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug in the admin API: logged once here, with the request id the client also gets (the
    answer then stops at ``StopAnsweredErrors``, which used to swallow it unlogged)."""
    rid = request_id(request.scope)
    unavailable = unreachable_store(exc)
    if unavailable is not None:
        _log.warning("database unreachable (request %s): %s", rid, type(exc).__name__)
        response = _admin_error_response(unavailable)
        response.headers.update(RETRY_AFTER)
        return response
    _log.error(
        "unhandled error (request %s)",
        rid,
        exc_info=exc,
        extra={"path": request.scope["path"], "method": request.method, "request_id": rid},
    )
    body = {"error": {"code": "internal-error", "message": f"Internal server error (request {rid})"}}
    return JSONResponse(body, status_code=500)


class DialectDispatch:
    """Send each request to the app of its dialect by path prefix, the operations paths (``exact``:
    ``/healthz``, ``/readyz``, ``/metrics``) to theirs, everything else to FastAPI. Every request
    gets its id (``RequestIds``) on the way in and is counted and timed (``RequestMetrics``) under
    its dialect's name: ``admin`` for the admin API, ``ops`` for the operations paths, ``other``
    for the pages and unknown paths."""

    def __init__(
        self,
        prefixes: Mapping[str, tuple[str, ASGIApp]],
        *,
        default: ASGIApp,
        server: Server,
        metrics: RequestMetrics,
        exact: Mapping[str, ASGIApp],
    ) -> None:
        self._prefixes = tuple((prefix, name, app) for prefix, (name, app) in prefixes.items())
        self._default = default
        self._exact = dict(exact)
        self._metrics = metrics
        self.server = server
        """The server's parts, for whoever holds the app (the tests' live servers)."""
        self._with_ids = RequestIds(self._dispatch)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._with_ids(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._default(scope, receive, send)
            return
        path: str = scope["path"]
        for prefix, name, app in self._prefixes:
            if path.startswith(prefix):
                await self._metrics.serve(name, app, scope, receive, send)
                return
        ops = self._exact.get(path)
        if ops is not None:
            await self._metrics.serve("ops", ops, scope, receive, send)
            return
        name = "admin" if path.startswith("/admin/") else "other"
        await self._metrics.serve(name, self._default, scope, receive, send)
