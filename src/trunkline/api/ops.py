"""The endpoints an orchestrator and a scraper ask: ``/healthz``, ``/readyz`` and ``/metrics``.

They are not part of the documented API (the OpenAPI document is what the dialects and the admin
API promise clients; generated SDKs, the Postman collection and the mock server come from it), so
they are served here, outside FastAPI, and docs/deployment.md describes them instead.

- ``/healthz``: liveness. Answers 200 without touching the database or the engine: the process
  and its event loop are alive. An unreachable database must not make an orchestrator restart every
  process at once.
- ``/readyz``: readiness (``services/health.py``): 200 when the database answers, the schema is
  this version's and the engine keeps up; 503 naming each failed check otherwise. At most one check
  runs at a time (concurrent probes share it), and a check that does not finish within
  ``READINESS_TIMEOUT_S`` (a database that hangs rather than refuses) answers 503.
- ``/metrics``: Prometheus text; behind ``TRUNKLINE_METRICS_TOKEN`` when it is set.
"""

from __future__ import annotations

import asyncio
import hmac

import anyio.to_thread
import orjson
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.types import ASGIApp, Receive, Scope, Send

from trunkline.api.metrics import ROUTE_KEY
from trunkline.services.health import HealthService, Readiness

READINESS_TIMEOUT_S = 2.0
"""How long ``/readyz`` waits for its checks before it answers 503 (orchestrators' probes time out
after a second or a few; answering before they give up says why)."""

PATHS = ("/healthz", "/readyz", "/metrics")


def _json(
    status: int, document: object, headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = orjson.dumps(document)
    return status, [(b"content-type", b"application/json"), *(headers or [])], body


class OpsEndpoints:
    """One small ASGI app answering the three paths (GET and HEAD only)."""

    def __init__(
        self, health: HealthService, registry: CollectorRegistry, *, metrics_token: str | None
    ) -> None:
        self._health, self._registry = health, registry
        self._token = metrics_token.encode() if metrics_token else None
        self._running: asyncio.Future[Readiness] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        scope[ROUTE_KEY] = path  # one of PATHS: the metrics' route label
        if method not in ("GET", "HEAD"):
            error = {"error": {"code": "method-not-allowed", "message": f"{path} answers GET and HEAD"}}
            status, headers, body = _json(405, error, [(b"allow", b"GET, HEAD")])
        elif path == "/healthz":
            status, headers, body = _json(200, {"status": "ok"})
        elif path == "/readyz":
            readiness = await self._readiness()
            status, headers, body = _json(200 if readiness.ready else 503, readiness.document())
        else:
            status, headers, body = await self._metrics(scope)
        headers = [*headers, (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    async def _readiness(self) -> Readiness:
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(
                anyio.to_thread.run_sync(self._health.readiness, abandon_on_cancel=True)
            )
        try:
            return await asyncio.wait_for(asyncio.shield(self._running), READINESS_TIMEOUT_S)
        except TimeoutError:
            message = (
                f"the checks did not finish within {READINESS_TIMEOUT_S:g} s "
                "(the database does not answer, or every worker thread is busy)"
            )
            return Readiness(False, {"database": {"ok": False, "error": message}}, ["database"])

    async def _metrics(self, scope: Scope) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if self._token is not None and not self._authorised(scope):
            error = {
                "error": {
                    "code": "authentication-failed",
                    "message": "/metrics needs the metrics bearer token",
                }
            }
            return _json(401, error, [(b"www-authenticate", b"Bearer")])
        body = await anyio.to_thread.run_sync(generate_latest, self._registry)
        return 200, [(b"content-type", CONTENT_TYPE_LATEST.encode())], body

    def _authorised(self, scope: Scope) -> bool:
        assert self._token is not None
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, given = bytes(value).partition(b" ")
                return scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self._token)
        return False


def ops_app(health: HealthService, registry: CollectorRegistry, *, metrics_token: str | None) -> ASGIApp:
    return OpsEndpoints(health, registry, metrics_token=metrics_token)
