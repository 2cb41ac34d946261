"""Whether this process should get traffic (readiness) and what it reports to a scraper (metrics).

Readiness is three questions, each one the reason an orchestrator should hold traffic back:

- the database answers (a process that cannot reach it can only answer 503s);
- the store's schema is this version's (an old process over a newer store, or a store a deploy has
  not migrated yet with ``trunkline migrate``, would read columns that are not there);
- the engine keeps up: the earliest due work (a call's timer, a webhook delivery, a Passthru
  request) is overdue by less than ``readiness_max_lag_seconds``. A lagging engine means callbacks
  arrive late and calls ring too long, whatever the API answers.

Liveness needs none of this (``/healthz`` touches nothing): a process whose database is down is
alive and must not be restarted for it, or every process restarts at once during an outage.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trunkline.engine.clock import NetworkClock, wall_ms
from trunkline.store.database import schema_head
from trunkline.store.health import DueMarks, HealthStore

log = logging.getLogger("trunkline.health")

WORK_KINDS = ("calls", "webhooks", "passthru")
"""The kinds of due work whose lag is measured, each a label value of the lag metric."""


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    checks: dict[str, dict[str, Any]]
    """Each check by name: ``ok`` and what it measured (or why it could not)."""
    failed: list[str] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The JSON body of ``/readyz``."""
        return {
            "status": "ready" if self.ready else "not ready",
            "failed": self.failed,
            "checks": self.checks,
        }


@dataclass(frozen=True, slots=True)
class StoreFigures:
    """What a scrape reads from the store, kept for ``cache_s`` (``HealthService.figures``)."""

    reachable: bool
    lag_s: dict[str, float]
    calls_by_status: dict[str, int]
    webhooks_pending: int
    webhooks_due: int


class HealthService:
    def __init__(
        self,
        store: HealthStore,
        clock: NetworkClock,
        *,
        max_lag_s: float,
        webhook_outcomes: Callable[[], Mapping[str, int]],
        cache_s: float = 5.0,
        wall: Callable[[], int] = wall_ms,
    ) -> None:
        self._store, self._clock, self._wall = store, clock, wall
        self.max_lag_s = max_lag_s
        self._outcomes = webhook_outcomes
        self._cache_s = cache_s
        self._cached: tuple[float, StoreFigures] | None = None
        self._cache_lock = threading.Lock()

    # --- readiness ---

    def readiness(self) -> Readiness:
        """Run the three checks (blocking: call it in a worker thread). A database that does not
        answer fails the first and leaves the other two unchecked."""
        checks: dict[str, dict[str, Any]] = {}
        head = schema_head()
        started = time.perf_counter()
        try:
            revision = self._store.revision()
        except Exception as exc:
            log.warning("readiness: the database does not answer: %s", _short(exc))
            checks["database"] = {"ok": False, "error": f"the database does not answer: {_short(exc)}"}
            unchecked = {"ok": False, "error": "not checked: the database does not answer"}
            checks["migrations"] = checks["engine_lag"] = unchecked
            return Readiness(False, checks, ["database", "migrations", "engine_lag"])
        checks["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
        migrations_ok = revision == head
        checks["migrations"] = {"ok": migrations_ok, "store": revision, "code": head}
        if not migrations_ok:
            checks["migrations"]["error"] = (
                f"the store is at revision {revision}, this version needs {head}: run `trunkline migrate`"
                if revision is not None
                else f"the store has no schema; this version needs {head}"
            )
        try:
            lag = self.lag_s()
        except Exception as exc:
            lag_check: dict[str, Any] = {"ok": False, "error": f"could not read the due work: {_short(exc)}"}
        else:
            worst = max(lag.values())
            lag_check = {
                "ok": worst < self.max_lag_s,
                "seconds": round(worst, 3),
                "threshold_seconds": self.max_lag_s,
                "by_work": {kind: round(value, 3) for kind, value in lag.items()},
            }
            if not lag_check["ok"]:
                lag_check["error"] = (
                    f"the earliest due work is {worst:.1f} s overdue (threshold {self.max_lag_s:g} s)"
                )
        checks["engine_lag"] = lag_check
        failed = [name for name, check in checks.items() if not check["ok"]]
        return Readiness(not failed, checks, failed)

    def lag_s(self) -> dict[str, float]:
        """How overdue the earliest due work of each kind is, in wall seconds (0 when none is)."""
        self._clock.refresh()  # an advance another process made (the CLI, another server)
        wall = self._wall()
        return _lag(self._store.due_marks(wall), self._clock.now_ms(), wall, self._scale())

    def _scale(self) -> float:
        return 1.0 if self._clock.is_virtual else self._clock.time_scale

    # --- metrics ---

    def figures(self) -> StoreFigures:
        """The store's figures for a scrape, read at most once per ``cache_s``: several scrapers
        (or a scraper and a person) cost the store one set of reads."""
        with self._cache_lock:
            now = time.monotonic()
            if self._cached is not None and now - self._cached[0] < self._cache_s:
                return self._cached[1]
            try:
                wall = self._wall()
                pending, due = self._store.webhook_queue(wall)
                figures = StoreFigures(True, self.lag_s(), self._store.calls_by_status(), pending, due)
            except Exception as exc:
                log.warning("metrics: the store does not answer: %s", _short(exc))
                figures = StoreFigures(False, {}, {}, 0, 0)
            self._cached = (now, figures)
            return figures

    def webhook_outcomes(self) -> Mapping[str, int]:
        """Delivery attempts this process made, by outcome (delivered, will retry, failed)."""
        return self._outcomes()

    def pool_in_use(self) -> int:
        return self._store.pool_in_use()


def _lag(marks: DueMarks, network_now: int, wall_now: int, scale: float) -> dict[str, float]:
    """Each kind's lag in wall seconds; network-clock lags are divided by the clock's speed."""

    def network(at: int | None) -> float:
        return 0.0 if at is None else max(network_now - at, 0) / 1000 / scale

    def wall(at: int | None) -> float:
        return 0.0 if at is None else max(wall_now - at, 0) / 1000

    return {
        "calls": network(marks.call_due_at),
        "webhooks": wall(marks.webhook_due_at),
        "passthru": max(network(marks.passthru_requested_at), wall(marks.passthru_lease_ended_at)),
    }


def _short(exc: BaseException) -> str:
    """An exception in one line: drivers' messages run over several, with the SQL."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}"[:300]
