"""The services one running server shares, built once at start and reached by every dialect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
import anyio.to_thread

from trunkline.api.auth import Authenticator
from trunkline.api.rate_limit import RateLimiter
from trunkline.config import Settings
from trunkline.domain.calls.cursor import CursorCodec
from trunkline.domain.calls.model import Call
from trunkline.domain.calls.pricing import RateTable
from trunkline.engine import network_scenarios
from trunkline.engine.calls.engine import CallbackRenderer, CallEngine
from trunkline.engine.calls.service import CallService
from trunkline.engine.calls.traffic import TrafficRunner
from trunkline.engine.carriers.simulated import SimulatedNetwork
from trunkline.engine.clock import NetworkClock
from trunkline.engine.flows.passthru import PassthruRequester
from trunkline.engine.recordings.files import RecordingFiles
from trunkline.engine.webhooks.delivery import WebhookDeliverer
from trunkline.store.accounts import AccountStore
from trunkline.store.agents import AgentStore
from trunkline.store.call_lookup import CallLookup, LookupUnavailable, call_lookup
from trunkline.store.call_runs import CallRunStore
from trunkline.store.call_writes import CallWrites
from trunkline.store.calls import CallStore
from trunkline.store.database import Database
from trunkline.store.flow_requests import FlowRequestStore
from trunkline.store.flows import FlowStore
from trunkline.store.numbering import NumberingStore
from trunkline.store.recordings import RecordingStore
from trunkline.store.tracking.call_lists import TrackedCallStore
from trunkline.store.tracking.numbers import TrackingNumberStore
from trunkline.store.tracking.observer import TrackingObserver
from trunkline.store.tracking.properties import PropertyStore
from trunkline.store.traffic import TrafficStore
from trunkline.store.webhooks import WebhookStore

T = TypeVar("T")


@dataclass
class AppContext:
    settings: Settings
    db: Database
    accounts: AccountStore
    calls: CallStore
    numbering: NumberingStore
    authenticator: Authenticator
    limiter: RateLimiter
    cursors: CursorCodec
    secret_key: bytes
    clock: NetworkClock
    network: SimulatedNetwork
    runs: CallRunStore
    call_writes: CallWrites
    engine: CallEngine
    call_service: CallService
    webhooks: WebhookStore
    deliverer: WebhookDeliverer
    flows: FlowStore
    traffic: TrafficStore
    flow_requests: FlowRequestStore
    passthru: PassthruRequester
    recordings: RecordingStore
    recording_files: RecordingFiles
    lookup: CallLookup
    properties: PropertyStore
    tracking_numbers: TrackingNumberStore
    tracked_calls: TrackedCallStore
    agents: AgentStore

    @classmethod
    def build(cls, settings: Settings, db: Database, renderers: dict[str, CallbackRenderer]) -> AppContext:
        accounts = AccountStore(db)
        secret = db.secret_key(settings.secret_key)
        clock = NetworkClock(db, mode=settings.clock, time_scale=settings.time_scale)
        if settings.scenario_file:
            network_scenarios.save(db, network_scenarios.read_file(settings.scenario_file))
        network = SimulatedNetwork(settings.network_seed, network_scenarios.load(db))
        rates = RateTable(settings.call_rates, settings.billing_pulse_seconds)
        runs = CallRunStore(db)
        # Kept in step with calls in the transaction that writes them, whichever dialect placed them.
        agents = AgentStore(db)
        runs.writes.observers.extend([TrackingObserver(), agents])
        webhooks = WebhookStore(db)
        deliverer = WebhookDeliverer(
            webhooks,
            timeout_s=settings.webhook_timeout_seconds,
            retries=settings.webhook_retries,
            backoff_s=settings.webhook_backoff_seconds,
            allow_private=settings.webhook_allow_private,
        )
        engine = CallEngine(
            db,
            runs,
            network,
            clock,
            rates,
            renderers=renderers,
            settle_delay_ms=settings.settle_delay_seconds * 1000,
            batch_size=settings.engine_batch_size,
            on_callbacks=deliverer.wake,
            on_tick=lambda: network.refresh(lambda: network_scenarios.load(db)),
        )
        flows, traffic, flow_requests = FlowStore(db), TrafficStore(db), FlowRequestStore(db)
        passthru = PassthruRequester(
            flow_requests,
            clock,
            public_url=settings.public_url,
            allow_private=settings.webhook_allow_private,
            on_reply=engine.due_at,
        )
        engine.on_fetches = passthru.wake
        call_service = CallService(
            runs,
            engine,
            rates,
            flows,
            default_ring_timeout_s=settings.default_ring_timeout_seconds,
            allow_private_callbacks=settings.webhook_allow_private,
        )
        engine.before_batch = TrafficRunner(traffic, flows, runs, rates, call_service.inbound_run)
        engine.next_arrival = traffic.next_at
        return cls(
            settings=settings,
            db=db,
            accounts=accounts,
            calls=CallStore(db),
            numbering=NumberingStore(db),
            authenticator=Authenticator(accounts),
            limiter=RateLimiter(settings.rate_limit_per_minute),
            cursors=CursorCodec(secret),
            secret_key=secret,
            clock=clock,
            network=network,
            runs=runs,
            call_writes=runs.writes,
            engine=engine,
            call_service=call_service,
            webhooks=webhooks,
            deliverer=deliverer,
            flows=flows,
            traffic=traffic,
            flow_requests=flow_requests,
            passthru=passthru,
            recordings=RecordingStore(db),
            recording_files=RecordingFiles(settings.recordings_dir),
            lookup=call_lookup(db),
            properties=PropertyStore(db),
            tracking_numbers=TrackingNumberStore(db),
            tracked_calls=TrackedCallStore(db),
            agents=agents,
        )

    async def start_workers(self) -> None:
        self.engine.start()
        self.deliverer.start()
        self.passthru.start()

    async def stop_workers(self) -> None:
        self.call_service.close()
        await self.engine.stop()
        await self.passthru.stop()
        await self.deliverer.stop()
        await self.lookup.close()

    async def call(
        self, account_id: int, account_sid: str, sid: str, *, with_legs: bool = False
    ) -> Call | None:
        """One call by Sid, batched with concurrent requests (``CallLookup``). With its legs, or when
        the lookup's connection fails: a quick read (``read``)."""
        if not with_legs:
            try:
                return await self.lookup.get(account_id, account_sid, sid)
            except LookupUnavailable:
                pass
        return await self.read(self.calls.get, account_id, account_sid, sid, with_legs, quick=True)

    async def run_network(self, *, max_wait_s: float = 60.0) -> int:
        """Run everything due on the network clock, flows' HTTP requests included: a call waiting
        for a Passthru answer goes on once it has come, until nothing due is left (the virtual
        clock's advance). Returns the calls advanced."""
        advanced, deadline = 0, anyio.current_time() + max_wait_s
        while True:
            # Count the requests out before draining: a reply that lands after the count is seen by
            # the next round, so the loop only ends after a drain that followed the last reply.
            out = await self.blocking(self.flow_requests.pending)
            advanced += await self.blocking(self.engine.drain)
            if not out and not await self.blocking(self.flow_requests.pending):
                break
            if anyio.current_time() > deadline:
                break
            if not await self.passthru.run_pending():
                await anyio.sleep(0.01)  # the background worker holds them: let it finish
        return advanced

    async def read(self, fn: Callable[..., T], *args: object, quick: bool = False) -> T:
        """Run a store read. A quick SQLite read (a primary-key lookup, tens of microseconds) runs
        inline: handing it to a thread would cost more than it saves. Everything else, and every
        PostgreSQL round trip, runs in the thread pool so the event loop keeps serving."""
        if quick and self.db.is_sqlite:
            return fn(*args)
        return await anyio.to_thread.run_sync(fn, *args)

    async def blocking(self, fn: Callable[..., T], *args: object) -> T:
        """Run blocking work (a write, a batch of the engine) in the thread pool."""
        return await anyio.to_thread.run_sync(fn, *args)
