"""Building the ASGI app.

Dialect routes are served by plain Starlette apps chosen by path prefix; FastAPI serves the
OpenAPI page (and later the admin API). FastAPI's per-request layers (dependency solving,
telemetry, body limits, exit stacks) cost more than a whole call-details lookup, so the hot
paths skip them; the OpenAPI page still documents them (see ``exotel_v1/openapi.py``).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

import trunkline
from trunkline.api import exotel_ccm, exotel_v1, fone_dynamics, recordings
from trunkline.api.admin.agents_routes import router as agents_router
from trunkline.api.admin.flows_routes import router as flows_router
from trunkline.api.admin.routes import router as admin_router
from trunkline.api.admin.tracking_routes import router as tracking_router
from trunkline.api.answered_errors import StopAnsweredErrors
from trunkline.api.dialect import Dialect
from trunkline.api.docs_pages import add_docs_pages
from trunkline.api.paths import NormalisePath
from trunkline.api.rate_limit import RateLimiter
from trunkline.config import Settings
from trunkline.domain.errors import TrunklineError
from trunkline.engine.calls.engine import CallbackRenderer
from trunkline.services.composition import Database, Server, build_server, open_database

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
        await server.start()
        try:
            yield
        finally:
            await server.stop()
            if owns_db:
                db.dispose()

    app = FastAPI(
        title="Trunkline",
        version=trunkline.__version__,
        description="Self-hosted voice-call API speaking Exotel's dialects. Authenticate with HTTP Basic "
        "(`api_key:api_token`, or the legacy `account_sid:api_token`).",
        lifespan=lifespan,
        docs_url=None,  # served from the package by add_docs_pages, not from a CDN
        redoc_url=None,
    )
    add_docs_pages(app)
    app.state.services = server.services
    app.state.admin_token = settings.admin_token or secrets.token_urlsafe(24)
    app.include_router(admin_router)
    app.include_router(flows_router)
    app.include_router(agents_router)
    app.include_router(tracking_router)
    app.add_exception_handler(TrunklineError, _admin_error)
    app.add_exception_handler(RequestValidationError, _admin_validation_error)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            paths = schema.setdefault("paths", {})
            for dialect in DIALECTS:
                paths.update(dialect.openapi_paths())
            schema.setdefault("components", {}).setdefault("securitySchemes", {})["basic"] = {
                "type": "http",
                "scheme": "basic",
            }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    limiter = RateLimiter(settings.rate_limit_per_minute)
    dialects: dict[str, ASGIApp] = {}
    for dialect in DIALECTS:
        dialect_app = dialect.build_app(server.services, limiter)
        dialects.update({prefix: dialect_app for prefix in dialect.prefixes})
    return NormalisePath(DialectDispatch(dialects, default=StopAnsweredErrors(app), server=server))


async def _admin_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TrunklineError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status, headers=headers
    )


async def _admin_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    message = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid request"))
    return JSONResponse({"error": {"code": "invalid-parameter", "message": message}}, status_code=400)


class DialectDispatch:
    """Send each request to the app of its dialect by path prefix; everything else to FastAPI."""

    def __init__(self, prefixes: Mapping[str, ASGIApp], *, default: ASGIApp, server: Server) -> None:
        self._prefixes = tuple(prefixes.items())
        self._default = default
        self.server = server
        """The server's parts, for whoever holds the app (the tests' live servers)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            for prefix, app in self._prefixes:
                if path.startswith(prefix):
                    await app(scope, receive, send)
                    return
        await self._default(scope, receive, send)
