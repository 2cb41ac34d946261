"""The worker that makes flows' HTTP requests (Passthru applets) from ``store.flow_requests``.

Each request is a GET to the applet's URL with Exotel's query parameters, within the applet's
timeout, redirects not followed: a 302 is an answer (the second branch), not a hop. The answer —
a status, or ``error`` for a timeout or a refused connection — goes back to the waiting call at
the moment it came (a virtual clock does not move while a request is out: there it is the moment
the request was made). Requests to private addresses follow the webhooks' policy
(``TRUNKLINE_WEBHOOK_ALLOW_PRIVATE``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import anyio.to_thread
import httpx

from trunkline.domain.clock import now_ms
from trunkline.engine.clock import NetworkClock
from trunkline.engine.webhooks.delivery import mask_url
from trunkline.engine.webhooks.pinned import pinned_to, pinned_transport
from trunkline.engine.webhooks.target_policy import check_target
from trunkline.store.database import unreachable
from trunkline.store.flow_requests import FlowRequest, FlowRequestStore

log = logging.getLogger("trunkline.flows")

USER_AGENT = "Trunkline-Flows/1"
_IDLE_S = 1.0
_LEASE_MS = 60_000
"""A request holds its lease this long (the longest applet timeout is 30 s)."""


class PassthruRequester:
    def __init__(
        self,
        store: FlowRequestStore,
        clock: NetworkClock,
        *,
        public_url: str,
        allow_private: bool,
        on_reply: Callable[[int], None],
        wall_clock: Callable[[], int] = now_ms,
        concurrency: int = 16,
        holder: str | None = None,
    ) -> None:
        self._store, self._clock, self._wall = store, clock, wall_clock
        self._holder = holder  # this process's name on the requests it claims (``services.leases``)
        self._public_url = public_url.rstrip("/")
        self._allow_private, self._on_reply, self._concurrency = allow_private, on_reply, concurrency
        self._client: httpx.AsyncClient | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    async def run_pending(self) -> int:
        """Make every pending request now and hand the answers to their calls; returns how many."""
        batch = await anyio.to_thread.run_sync(
            self._store.claim_due, self._wall(), self._concurrency, _LEASE_MS, self._holder
        )
        await asyncio.gather(*(self._handle(request) for request in batch))
        return len(batch)

    def _reply_at(self, requested_at: int) -> int:
        if self._clock.is_virtual:
            return requested_at
        return max(requested_at, self._clock.now_ms())

    async def _handle(self, request: FlowRequest) -> None:
        try:
            status, error, duration_ms = await self._get(request)
            at = await anyio.to_thread.run_sync(
                lambda: self._store.complete(
                    request, status=status, error=error, duration_ms=duration_ms, reply_at=self._reply_at
                )
            )
            log.info(
                "passthru %s answered %s",
                request.applet,
                status if error is None else error,
                extra={"call_id": request.call_id, "url": mask_url(request.url), "duration_ms": duration_ms},
            )
            if at is not None:
                self._on_reply(at)
        except Exception:
            log.exception("passthru request failed unexpectedly", extra={"request_id": request.id})

    def _params(self, request: FlowRequest) -> dict[str, str]:
        params = dict(request.params)
        if params.get("RecordingUrl", "").startswith("exotelrecordings/"):
            params["RecordingUrl"] = f"{self._public_url}/{params['RecordingUrl']}"
        return params

    async def _get(self, request: FlowRequest) -> tuple[int | None, str | None, int]:
        started = time.perf_counter()
        timeout_s = request.timeout_ms / 1000
        status: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(timeout_s):
                url = httpx.URL(request.url)
                port = url.port or (443 if url.scheme == "https" else 80)
                target = await check_target(url.host, port, allow_private=self._allow_private)
                if target.refusal is not None:
                    error = f"refused by policy: {target.refusal}"
                else:
                    client = self._http()
                    with pinned_to(url.host, target.address):
                        response = await client.get(url, params=self._params(request), timeout=timeout_s)
                    status = response.status_code
        except (TimeoutError, httpx.TimeoutException):
            error = f"timeout: no response within {timeout_s:g} s"
        except httpx.ConnectError as exc:
            error = f"connection failed: {str(exc) or type(exc).__name__}"
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
        if error is not None:
            error = error.replace(request.url, mask_url(request.url))
        return status, error, int((time.perf_counter() - started) * 1000)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT},
                trust_env=False,
                transport=pinned_transport(httpx.Limits(max_connections=self._concurrency)),
            )
        return self._client

    # --- the background loop ---

    def wake(self) -> None:
        """Look for pending requests at once; safe to call from any thread."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="passthru-requester")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            try:
                if await self.run_pending():
                    continue
            except Exception as exc:
                if unreachable(exc):  # the database is restarting: one line, not a traceback a second
                    log.warning("passthru pass failed; trying again shortly: the database cannot be reached")
                else:
                    log.exception("passthru pass failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=_IDLE_S)
