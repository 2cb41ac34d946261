"""What ``/metrics`` exposes (Prometheus text format), and the counting of every request.

Requests are counted where every request passes, ``DialectDispatch`` in ``api/app.py``, so each
dialect, the admin API and the pages are counted alike. Labels are bounded: the dialect, the route
*template* (``/v1/Accounts/{account_sid}/Calls/{call_sid}.json``, never the raw path, which would
make a series per call), the method (unknown ones are ``other``) and the status. The label children
are looked up once per route and kept (``_Route``), so a request costs two dictionary lookups, a
histogram observation and a counter increment (measured in bench/http_bench.py: see the report of
issue 16), and allocates no label dictionary.

The store's figures (calls by status, the engine's lag, the webhook queue) are read when a scraper
asks, from ``HealthService.figures``, which reads the store at most once per few seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Receive, Scope, Send

from trunkline.api.request_id import SCOPE_KEY, STATUS_KEY
from trunkline.services.health import WORK_KINDS, HealthService

ROUTE_KEY = "trunkline.route"
"""A layer that answers without a router (``exotel_v1/fast_details.py``) names its route template here."""

UNMATCHED = "(unmatched)"
"""The route label of a request no route matched (a 404): every unknown path is one series."""

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds: call details take about a millisecond, bulk lists ten, a slow Passthru-bound request
seconds."""

access_log = logging.getLogger("trunkline.access")


class _Route:
    """The label children of one (route, method): bound once, reused by every request."""

    __slots__ = ("dialect", "latency", "method", "requests", "statuses", "template")

    def __init__(self, metrics: RequestMetrics, dialect: str, template: str, method: str) -> None:
        self.dialect, self.template, self.method = dialect, template, method
        self.latency = metrics.latency.labels(dialect, template, method)
        self.requests = metrics.requests
        self.statuses: dict[int, Any] = {}

    def count(self, status: int) -> Any:
        child = self.statuses.get(status)
        if child is None:
            child = self.statuses[status] = self.requests.labels(
                self.dialect, self.template, self.method, str(status)
            )
        return child


class RequestMetrics:
    """Counts and times requests, and writes the access log when it is on."""

    def __init__(self, registry: CollectorRegistry, *, log_requests: bool) -> None:
        self.requests = Counter(
            "trunkline_http_requests",
            "HTTP requests answered, by dialect, route template, method and status.",
            ["dialect", "route", "method", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "trunkline_http_request_duration_seconds",
            "Time from the request's arrival at the app to the end of its answer.",
            ["dialect", "route", "method"],
            registry=registry,
            buckets=_LATENCY_BUCKETS,
        )
        self._routes: dict[object, dict[str, _Route]] = {}
        self._log_requests = log_requests

    async def serve(self, dialect: str, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """Run ``app`` on the request and count it (a request that raises counts as a 500)."""
        started = time.perf_counter()
        try:
            await app(scope, receive, send)
        finally:
            elapsed = time.perf_counter() - started
            status = scope.get(STATUS_KEY, 500)
            route = self._route(dialect, scope)
            route.latency.observe(elapsed)
            route.count(status).inc()
            if self._log_requests and access_log.isEnabledFor(logging.INFO):
                _log_access(scope, route, status, elapsed)

    def _route(self, dialect: str, scope: Scope) -> _Route:
        key = scope.get(ROUTE_KEY) or scope.get("endpoint") or dialect
        if not isinstance(key, Hashable):
            key = dialect  # a mounted app that matched nothing leaves its Router (unhashable) there
        method = scope["method"]
        if method not in _METHODS:
            method = "other"  # whatever a client sends, one series per route
        by_method = self._routes.get(key)
        route = by_method.get(method) if by_method is not None else None
        if route is None:
            template = _template(key, scope) if key is not dialect else UNMATCHED
            route = self._routes.setdefault(key, {})[method] = _Route(self, dialect, template, method)
        return route


def _template(key: object, scope: Scope) -> str:
    """The route template of what answered: a name given in the scope, or the path of the route
    whose endpoint it was (looked up once per endpoint, in the app that routed the request)."""
    if isinstance(key, str):
        return key
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return str(route.path)
    app = scope.get("app")
    for candidate in getattr(app, "routes", ()):
        if getattr(candidate, "endpoint", None) is key and getattr(candidate, "path", None):
            return str(candidate.path)
    return UNMATCHED


def _log_access(scope: Scope, route: _Route, status: int, elapsed: float) -> None:
    access_log.info(
        "%s %s %d",
        scope["method"],
        scope["path"],
        status,
        extra={
            "method": scope["method"],
            "path": scope["path"],  # never the query string: it may carry a signed link's signature
            "route": route.template,
            "dialect": route.dialect,
            "status": status,
            "duration_ms": round(elapsed * 1000, 2),
            "request_id": scope.get(SCOPE_KEY, "-"),
        },
    )


class StoreCollector(Collector):
    """The figures read at scrape time: from the store (through ``HealthService.figures``'s short
    cache) and from this process (the webhook outcomes, the connection pool)."""

    def __init__(self, health: HealthService) -> None:
        self._health = health

    def describe(self) -> Iterable[Metric]:
        return []  # no store read when the collector is registered

    def collect(self) -> Iterator[Metric]:
        figures = self._health.figures()
        yield GaugeMetricFamily(
            "trunkline_store_up",
            "1 when the store answered the last scrape's reads.",
            value=int(figures.reachable),
        )
        pool = GaugeMetricFamily(
            "trunkline_db_pool_in_use", "Database connections this process has lent out now."
        )
        pool.add_metric([], self._health.pool_in_use())
        yield pool
        outcomes = CounterMetricFamily(
            "trunkline_webhook_deliveries",
            "Status-callback delivery attempts this process recorded, by outcome.",
            labels=["outcome"],
        )
        for outcome, n in sorted(self._health.webhook_outcomes().items()):
            outcomes.add_metric([outcome], n)
        yield outcomes
        if not figures.reachable:
            return
        lag = GaugeMetricFamily(
            "trunkline_engine_lag_seconds",
            "How overdue the earliest due work of each kind is (0 when nothing is overdue).",
            labels=["work"],
        )
        for kind in WORK_KINDS:
            lag.add_metric([kind], figures.lag_s.get(kind, 0.0))
        yield lag
        calls = GaugeMetricFamily(
            "trunkline_calls",
            'Calls in the store by status: final ones from the rollups, live ones (status="live") '
            "from the engine's runs.",
            labels=["status"],
        )
        for status, n in sorted(figures.calls_by_status.items()):
            calls.add_metric([status], n)
        yield calls
        queue = GaugeMetricFamily(
            "trunkline_webhook_queue_depth",
            "Status callbacks waiting to be sent: all pending ones, and those due now.",
            labels=["state"],
        )
        queue.add_metric(["pending"], figures.webhooks_pending)
        queue.add_metric(["due"], figures.webhooks_due)
        yield queue
