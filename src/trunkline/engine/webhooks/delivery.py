"""The worker that sends the status-callback outbox (``store.webhooks``).

A pass claims due deliveries (leasing them, so no other worker sends them meanwhile), POSTs each
one, and records the outcome: delivered on any 2xx; otherwise retried after ``backoff_s``, then 3×
that, …, until ``retries`` retries have failed too. The background loop keeps up to ``concurrency``
deliveries in flight and sleeps until the next one is due or ``wake()`` is called (at most a
second: another process may have added work). Nothing raised by a receiver or the store stops it.

A delivery whose worker dies comes due again when its lease runs out, so a callback may arrive twice
(as with Exotel, receivers should be idempotent) but is never silently dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio.to_thread
import httpx
import orjson

from trunkline.domain.clock import now_ms
from trunkline.engine.webhooks.pinned import pinned_to, pinned_transport
from trunkline.engine.webhooks.target_policy import check_target
from trunkline.store.database import unreachable
from trunkline.store.webhooks import AttemptResult, Delivery, WebhookStore

log = logging.getLogger("trunkline.webhooks")

USER_AGENT = "Trunkline-Webhooks/1"
JSON = "application/json"
EXCERPT_CHARS = 512
_READ_LIMIT = 8 * EXCERPT_CHARS
"""Bytes of a response body read at most: enough for the excerpt, whatever the receiver sends."""
_IDLE_S = 1.0


def mask_url(url: str) -> str:
    """The URL with any ``user:password@`` replaced by ``***@``, for logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


def _field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)


def request_body(content_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """httpx arguments for the body: JSON, or multipart/form-data with one plain field per key."""
    if content_type == JSON:
        return {"content": orjson.dumps(payload), "headers": {"Content-Type": JSON}}
    return {"files": [(key, (None, _field(value))) for key, value in payload.items()]}


class WebhookDeliverer:
    def __init__(
        self,
        store: WebhookStore,
        *,
        timeout_s: float,
        retries: int,
        backoff_s: float,
        allow_private: bool,
        wall_clock: Callable[[], int] = now_ms,
        concurrency: int = 32,
        holder: str | None = None,
    ) -> None:
        self._store, self._wall = store, wall_clock
        # This process's name on the deliveries it claims (``services.leases``).
        self._holder = holder
        self._timeout_s, self._retries, self._backoff_s = timeout_s, retries, backoff_s
        self._allow_private, self._concurrency = allow_private, concurrency
        # Long enough to wait for a slot and then a whole attempt; a dead worker's claims return after it.
        self._lease_ms = int(timeout_s * 2000) + 30_000
        self._slots = asyncio.Semaphore(concurrency)
        self._client: httpx.AsyncClient | None = None
        self._unsent: set[int] = set()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self.outcomes: dict[str, int] = {"delivered": 0, "retry": 0, "failed": 0}
        """Attempts this process has recorded, by outcome (``/metrics``): counted here, where each
        attempt ends, rather than from the outbox, whose delivered history only grows."""

    # --- one pass ---

    async def deliver_due(self) -> int:
        """Attempt every due delivery of one batch and record the outcomes; returns how many."""
        batch = await self._claim(self._concurrency)
        await asyncio.gather(*(self._deliver(delivery) for delivery in batch))
        return len(batch)

    async def _claim(self, limit: int) -> list[Delivery]:
        batch = await anyio.to_thread.run_sync(
            self._store.claim_due, self._wall(), limit, self._lease_ms, self._holder
        )
        self._unsent.update(delivery.id for delivery in batch)
        return batch

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            async with self._slots:
                result = await self._attempt(delivery)
            self._unsent.discard(delivery.id)
            await self._record(delivery, result)
        except Exception:
            log.exception("webhook delivery failed unexpectedly", extra={"delivery_id": delivery.id})

    async def _attempt(self, delivery: Delivery) -> AttemptResult:
        attempted_at, started = self._wall(), time.perf_counter()
        status: int | None = None
        excerpt, error = "", None
        try:
            # httpx's timeout bounds each step (connect, each read); this bounds the whole attempt.
            async with asyncio.timeout(self._timeout_s):
                parsed = httpx.URL(delivery.url)
                port = parsed.port or (443 if parsed.scheme == "https" else 80)
                target = await check_target(parsed.host, port, allow_private=self._allow_private)
                if target.refusal is not None:
                    error = f"refused by policy: {target.refusal}"
                else:
                    with pinned_to(parsed.host, target.address):
                        status, excerpt = await self._post(delivery)
        except (TimeoutError, httpx.TimeoutException):
            error = f"timeout: no response within {self._timeout_s:g} s"
        except httpx.ConnectError as exc:
            error = f"connection failed: {str(exc) or type(exc).__name__}"
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
        if error is not None:
            error = error.replace(delivery.url, mask_url(delivery.url))
        duration_ms = int((time.perf_counter() - started) * 1000)
        return AttemptResult(attempted_at, duration_ms, status, excerpt, error)

    async def _post(self, delivery: Delivery) -> tuple[int, str]:
        body = bytearray()
        kwargs = request_body(delivery.content_type, delivery.payload)
        async with self._http().stream("POST", delivery.url, **kwargs) as response:
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) >= _READ_LIMIT:
                    break
        return response.status_code, bytes(body).decode("utf-8", errors="replace")[:EXCERPT_CHARS]

    async def _record(self, delivery: Delivery, result: AttemptResult) -> None:
        attempt = delivery.attempts + 1
        status = result.response_status
        delivered = status is not None and 200 <= status < 300
        failed = not delivered and attempt > self._retries
        next_at = None
        if not delivered and not failed:
            next_at = self._wall() + int(self._backoff_s * 3 ** (attempt - 1) * 1000)
        await anyio.to_thread.run_sync(
            lambda: self._store.record_attempt(
                delivery.id, result, delivered=delivered, next_attempt_at=next_at, failed=failed
            )
        )
        outcome = "delivered" if delivered else "failed" if failed else "will retry"
        self.outcomes["retry" if outcome == "will retry" else outcome] += 1
        log.log(
            logging.INFO if delivered else logging.WARNING,
            "webhook %s %s: %s",
            delivery.event,
            outcome,
            result.error or status,
            extra={
                "delivery_id": delivery.id,
                "call_id": delivery.call_id,
                "event": delivery.event,
                "status": status,
                "duration_ms": result.duration_ms,
                "attempt": attempt,
                "outcome": outcome,
                "url": mask_url(delivery.url),
                "error": result.error,
                "next_attempt_at": next_at,
            },
        )

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._timeout_s,
                follow_redirects=False,
                # Proxies from the environment would send callbacks past the target policy.
                trust_env=False,
                headers={"User-Agent": USER_AGENT},
                transport=pinned_transport(httpx.Limits(max_connections=self._concurrency)),
            )
        return self._client

    # --- the background task ---

    def wake(self) -> None:
        """Look for due deliveries at once; safe to call from any thread."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nothing left to wake
                loop.call_soon_threadsafe(event.set)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="webhook-deliverer")

    async def stop(self) -> None:
        """Stop the loop and the deliveries in flight (those not yet sent are handed back, due at
        once), and close the HTTP client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._unsent:
            try:
                await anyio.to_thread.run_sync(self._store.release, sorted(self._unsent), self._wall())
            except Exception:
                log.exception("could not hand back unsent webhooks; they come due when their lease ends")
            self._unsent.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            next_due: int | None = None
            try:
                free = self._concurrency - len(self._in_flight)
                if free > 0:
                    for delivery in await self._claim(free):
                        self._spawn(delivery)
                next_due = await anyio.to_thread.run_sync(self._store.next_due_at)
            except Exception as exc:
                if unreachable(exc):  # the database is restarting: one line, not a traceback a second
                    log.warning("webhook worker pass failed (the database cannot be reached); retrying")
                else:
                    log.exception("webhook worker pass failed; trying again shortly")
            if len(self._in_flight) >= self._concurrency or next_due is None:
                delay = _IDLE_S  # a finishing delivery wakes the loop
            else:
                # A floor, so rows another process holds locked this instant cannot make the loop spin.
                delay = min(max((next_due - self._wall()) / 1000, 0.01), _IDLE_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    def _spawn(self, delivery: Delivery) -> None:
        task = asyncio.create_task(self._deliver(delivery), name=f"webhook-{delivery.id}")
        self._in_flight.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if self._wake is not None:
            self._wake.set()
