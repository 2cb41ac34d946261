"""The call engine: advances every call whose next timer is due, in batches, durably.

One step (``run_due``) claims up to ``batch_size`` due runs in one write transaction, plays each
one's due timers through the state machine in time order (asking the carrier to dial legs as the
machine says), renders the status callbacks that fell due, and writes everything back — runs,
call records, legs, events, the ``call_counts`` rollup and the webhook outbox — in that same
transaction. A crash loses nothing: the next start claims the same runs again.

``run_forever`` is the background task of a server: it sleeps until the next timer (on the
network clock) or a wake-up (a new call), whichever comes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import anyio.to_thread

from trunkline.domain.calls import transitions
from trunkline.domain.calls.call_record import to_call
from trunkline.domain.calls.effects import Dial, Event, Fetch, Gather, Hangup, Incoming, Listen, Notify
from trunkline.domain.calls.model import Call
from trunkline.domain.calls.pricing import RateTable
from trunkline.domain.calls.run_state import CallbackRequest, CallRun, Signal, Timer, TimerKind
from trunkline.engine.carriers.base import Carrier
from trunkline.engine.clock import NetworkClock, wall_ms
from trunkline.store import flow_requests
from trunkline.store.call_runs import CallRunStore
from trunkline.store.call_writes import ClaimedRun, RunUpdate
from trunkline.store.database import Database, unreachable
from trunkline.store.flow_requests import NewFlowRequest
from trunkline.store.webhooks import NewDelivery, enqueue

log = logging.getLogger("trunkline.engine")

MAX_STEPS_PER_CALL = 10_000
"""A guard against a state machine bug looping forever inside one transaction."""


class CallbackRenderer(Protocol):
    """A dialect's status-callback body for ``event`` of ``call``, or None when none is due
    (the caller did not subscribe to that event)."""

    def __call__(self, call: Call, event: str, request: CallbackRequest) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class StepReport:
    calls: int
    callbacks: int


@dataclass(slots=True)
class Advanced:
    """What playing a run's due timers produced, for the engine to store."""

    events: list[Event]
    notifications: list[tuple[Notify, Call]]
    fetches: list[Fetch]


@dataclass(frozen=True, slots=True)
class Acted:
    """A person's action played on a call: the run after it, and the events the action caused."""

    run: CallRun
    events: list[Event]


class BatchHook(Protocol):
    """Work done first in each engine batch, in its transaction (the traffic generators)."""

    def __call__(self, conn: Any, now_ms: int) -> int: ...


class CallEngine:
    def __init__(
        self,
        db: Database,
        runs: CallRunStore,
        carrier: Carrier,
        clock: NetworkClock,
        rates: RateTable,
        *,
        renderers: Mapping[str, CallbackRenderer],
        settle_delay_ms: int,
        batch_size: int = 500,
        on_callbacks: Callable[[], None] | None = None,
        on_fetches: Callable[[], None] | None = None,
        on_tick: Callable[[], None] | None = None,
        before_batch: BatchHook | None = None,
        next_arrival: Callable[[], int | None] | None = None,
    ) -> None:
        self._db, self._runs, self.carrier, self.clock, self._rates = db, runs, carrier, clock, rates
        self._renderers = renderers
        self._settle_delay_ms = settle_delay_ms
        self._batch_size = batch_size
        self._on_callbacks = on_callbacks
        self.on_fetches = on_fetches
        self.before_batch = before_batch
        self.next_arrival = next_arrival
        """When the earliest traffic generator places its next call (they are due work too)."""
        self._on_tick = on_tick
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        # One batch at a time per process: an admin clock advance then waits for a batch in flight
        # instead of skipping its locked calls, so everything due is done when it answers.
        self._batch_lock = threading.Lock()
        self._planned_wake_ms = 0
        """Network time the background task will next look at the runs by itself."""

    # --- one batch ---

    def run_due(self, now_ms: int | None = None) -> StepReport:
        """Advance the due calls of one batch to ``now_ms`` (default: the network clock's now)."""
        with self._batch_lock, self._db.write() as conn:
            now = self.clock.now_ms() if now_ms is None else now_ms
            placed = self.before_batch(conn, now) if self.before_batch is not None else 0
            claimed = self._runs.claim_due(conn, now, self._batch_size)
            steps = [(item, self.advance(item.run, now)) for item in claimed]
            deliveries, fetches = self._store(conn, steps)
        self._after_store(deliveries, fetches)
        return StepReport(len(claimed) + placed, len(deliveries))

    def _store(
        self, conn: Any, steps: list[tuple[ClaimedRun, Advanced]]
    ) -> tuple[list[NewDelivery], list[NewFlowRequest]]:
        """Write what playing the claimed runs produced, in the caller's transaction."""
        updates: list[RunUpdate] = []
        deliveries: list[NewDelivery] = []
        fetches: list[NewFlowRequest] = []
        for item, step in steps:
            call = to_call(item.run, self._rates)
            updates.append(RunUpdate(item, call, step.events))
            deliveries += self._callbacks(item, step.notifications)
            fetches += [
                NewFlowRequest(item.call_id, f.applet, f.url, f.params, f.at, f.timeout_ms)
                for f in step.fetches
            ]
        self._runs.save(conn, updates)
        if deliveries:
            enqueue(conn, deliveries)
        flow_requests.enqueue(conn, fetches)
        return deliveries, fetches

    def _after_store(self, deliveries: list[NewDelivery], fetches: list[NewFlowRequest]) -> None:
        if deliveries and self._on_callbacks is not None:
            self._on_callbacks()
        if fetches and self.on_fetches is not None:
            self.on_fetches()

    def act(self, account_id: int, call_sid: str, decide: Callable[[CallRun, int], Timer]) -> Acted | None:
        """A person acts on a live call now (the console's Phone): lock the call, bring it up to the
        network clock's now, ask ``decide`` for the timer the action becomes (it raises to refuse:
        then nothing is stored), and play it at once, in one transaction. Acting on the call as it is
        under its lock is what makes the first of two pages win. None if the account has no such
        live call."""
        with self._batch_lock, self._db.write() as conn:
            now = self.clock.now_ms()
            item = self._runs.claim(conn, account_id, call_sid)
            if item is None:
                return None
            before = self.advance(item.run, now)
            item.run.schedule(decide(item.run, now))
            after = self.advance(item.run, now)
            combined = Advanced(
                before.events + after.events,
                before.notifications + after.notifications,
                before.fetches + after.fetches,
            )
            deliveries, fetches = self._store(conn, [(item, combined)])
        self._after_store(deliveries, fetches)
        self.due_at(item.run.next_due_at)
        return Acted(item.run, after.events)

    def drain(self, now_ms: int | None = None) -> int:
        """Run batches until nothing is due at ``now_ms``; returns the calls advanced."""
        now = self.clock.now_ms() if now_ms is None else now_ms
        next_due = self.next_due_at()
        if next_due is None or next_due > now:
            return 0  # a read, not a write transaction: nothing to take the write lock for
        total = 0
        while True:
            report = self.run_due(now_ms)
            total += report.calls
            if report.calls < self._batch_size:
                return total

    def next_due_at(self) -> int | None:
        """The earliest due work: a call's timer or a generator's next arrival."""
        times = [self._runs.next_due_at(), self.next_arrival() if self.next_arrival is not None else None]
        known = [t for t in times if t is not None]
        return min(known) if known else None

    def advance(self, run: CallRun, now: int) -> Advanced:
        """Play the run's timers due by ``now`` through the state machine (no I/O but the carrier's)."""
        events: list[Event] = []
        notifications: list[tuple[Notify, Call]] = []
        fetches: list[Fetch] = []
        for _ in range(MAX_STEPS_PER_CALL):
            timer = transitions.pop_due(run, now)
            if timer is None:
                break
            for effect in transitions.apply(run, timer, settle_delay_ms=self._settle_delay_ms):
                if isinstance(effect, Event):
                    events.append(effect)
                elif isinstance(effect, Notify):
                    # The record as it is at that moment: the answered callback of a call that also
                    # ends in this batch must still say in-progress.
                    notifications.append((effect, to_call(run, self._rates)))
                elif isinstance(effect, Dial):
                    for signal in self.carrier.dial(run, effect.leg, effect.at):
                        run.schedule(signal)
                elif isinstance(effect, Hangup):
                    self.carrier.hangup(run, effect.leg, effect.at)
                elif isinstance(effect, Gather):
                    for timer in self.carrier.gather(run, effect):
                        run.schedule(timer)
                elif isinstance(effect, Listen):
                    for timer in self.carrier.listen(run, effect):
                        run.schedule(timer)
                elif isinstance(effect, Incoming):
                    for timer in self.carrier.incoming(run, effect):
                        run.schedule(timer)
                elif isinstance(effect, Fetch):
                    fetches.append(effect)
        else:
            log.error("call %s did not settle in %d steps", run.sid, MAX_STEPS_PER_CALL)
            run.timers.clear()
        return Advanced(events, notifications, fetches)

    def _callbacks(self, item: ClaimedRun, notifications: list[tuple[Notify, Call]]) -> list[NewDelivery]:
        request = item.run.callback
        if request is None or not notifications:
            return []
        renderer = self._renderers.get(request.dialect)
        if renderer is None:
            log.error("no status-callback renderer for dialect %s", request.dialect)
            return []
        made = []
        for notification, call in notifications:
            payload = renderer(call, notification.event, request)
            if payload is not None:
                made.append(
                    NewDelivery(
                        account_id=item.account_id,
                        call_id=item.call_id,
                        event=notification.event,
                        url=request.url_for(notification.event),
                        content_type=request.content_type,
                        payload=payload,
                        created_at_ms=wall_ms(),
                    )
                )
        return made

    def signal(self, call_sid: str, leg: int, signal: Signal, at_ms: int, *, answered_by: str = "") -> bool:
        """A carrier reports what a leg did (``ringing``, ``answered``, ``busy``, ``failed``,
        ``hangup``) as it happens; the state machine takes it in time order with the call's own
        timers. False if the call is not live."""
        timer = Timer(at_ms, TimerKind.SIGNAL, leg=leg, signal=signal, answered_by=answered_by)
        if not self._runs.schedule(call_sid, timer):
            return False
        self.due_at(at_ms)
        return True

    # --- the background task ---

    def _tick(self) -> None:
        """Pick up what other processes changed: the virtual clock, the scenario."""
        self.clock.refresh()
        if self._on_tick is not None:
            self._on_tick()

    def due_at(self, at_ms: int | None) -> None:
        """A run now has a timer at ``at_ms``: wake the background task only if it planned to look
        later than that (thread-safe). Placing a call costs no extra engine pass this way."""
        if at_ms is not None and at_ms <= self._planned_wake_ms:
            self.wake()

    def wake(self) -> None:
        """Look for due work at once (thread-safe)."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None:
            loop.call_soon_threadsafe(event.set)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self.run_forever(), name="call-engine")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_forever(self) -> None:
        assert self._wake is not None
        while True:
            try:
                await anyio.to_thread.run_sync(self._tick)
                advanced = await anyio.to_thread.run_sync(self.drain)
                next_due = await anyio.to_thread.run_sync(self.next_due_at)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if unreachable(exc):  # the database is restarting: one line, not a traceback a second
                    log.warning("call engine step failed (the database cannot be reached); retrying")
                else:
                    log.exception("call engine step failed; retrying in a second")
                advanced, next_due = 0, None
                await asyncio.sleep(1)
            now = self.clock.now_ms()
            delay = 0.5 if next_due is None else self.clock.wall_delay_s(next_due - now)
            # Poll at least twice a second: another process may have placed calls or moved the clock.
            delay = min(max(delay, 0.0), 0.5)
            self._planned_wake_ms = (
                now if self.clock.is_virtual else now + int(delay * 1000 * self.clock.time_scale)
            )
            if advanced:
                log.debug("advanced %d calls", advanced)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
