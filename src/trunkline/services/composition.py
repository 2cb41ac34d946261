"""The composition root of a server: where every part of it (stores, engine, workers, services) is
built, in dependency order, with its hooks passed as constructor arguments.

``build_server`` is what ``api/app.py`` (and through it the tests' live servers) starts from. A CLI
command builds its parts in ``services/commands.py`` instead, only the services it asks for. Those
are the two places that construct stores and services.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import anyio.to_thread

from trunkline.config import Settings
from trunkline.domain.calls.cursor import CursorCodec
from trunkline.domain.calls.pricing import RateTable
from trunkline.domain.calls.run_state import CallRun
from trunkline.engine import network_scenarios
from trunkline.engine.calls.engine import CallbackRenderer, CallEngine
from trunkline.engine.calls.service import CallService
from trunkline.engine.calls.traffic import TrafficRunner
from trunkline.engine.carriers.console import ConsolePhones, HeldNumbers
from trunkline.engine.carriers.simulated import SimulatedNetwork
from trunkline.engine.clock import NetworkClock
from trunkline.engine.flows.passthru import PassthruRequester
from trunkline.engine.recordings.files import RecordingFiles
from trunkline.engine.recordings.held import HeldRecordings
from trunkline.engine.webhooks.delivery import WebhookDeliverer
from trunkline.services.accounts import AccountService
from trunkline.services.agents import AgentService
from trunkline.services.call_feed import CallFeedService
from trunkline.services.calls import CallsService
from trunkline.services.credentials import Authenticator
from trunkline.services.flows import FlowService, NetworkParts
from trunkline.services.health import HealthService
from trunkline.services.leases import LeaseService, new_instance_id
from trunkline.services.numbers import NumberService
from trunkline.services.overview import OverviewService
from trunkline.services.phone import PhoneService
from trunkline.services.processes import ProcessRegistry
from trunkline.services.rate_limits import SharedRateLimit
from trunkline.services.recordings import RecordingService
from trunkline.services.replica_setup import use_replicas
from trunkline.services.sandbox import SandboxService, SandboxStores
from trunkline.services.store_runner import StoreRunner
from trunkline.services.tracking import TrackingService
from trunkline.store.accounts import AccountStore
from trunkline.store.agents import AgentStore
from trunkline.store.call_feed import CallFeed
from trunkline.store.call_lookup import CallLookup, call_lookup
from trunkline.store.call_runs import CallRunStore
from trunkline.store.calls import CallStore
from trunkline.store.database import Database
from trunkline.store.flow_requests import FlowRequestStore
from trunkline.store.flows import FlowStore
from trunkline.store.health import HealthStore
from trunkline.store.numbering import NumberingStore
from trunkline.store.phone import PhoneLegObserver, PhoneStore
from trunkline.store.processes import ProcessStore, RateBucketStore
from trunkline.store.recordings import RecordingStore
from trunkline.store.replicas import ReplicaRouter
from trunkline.store.tracking.observer import TrackingObserver
from trunkline.store.traffic import TrafficStore
from trunkline.store.webhooks import WebhookStore

log = logging.getLogger("trunkline.services.composition")

__all__ = ["Database", "Server", "Services", "build_server", "open_database"]


def open_database(database_url: str) -> Database:
    """Open a store and bring its schema up to date."""
    db = Database(database_url)
    db.migrate()
    return db


@dataclass(frozen=True, slots=True)
class Services:
    """What a server's front ends (the dialects, the admin API) are handed: services only."""

    settings: Settings
    runner: StoreRunner
    credentials: Authenticator
    cursors: CursorCodec
    """Signs and checks the v1 bulk list's page cursors."""
    accounts: AccountService
    calls: CallsService
    numbers: NumberService
    recordings: RecordingService
    flows: FlowService
    agents: AgentService
    tracking: TrackingService
    sandbox: SandboxService
    call_feed: CallFeedService
    """Live call changes, for the console's event streams."""
    secret: bytes
    """The server's secret key (signs cursors, recording links and console sessions)."""
    health: HealthService
    """Readiness and the store's figures for ``/readyz`` and ``/metrics``."""
    phone: PhoneService
    """The console's Phone: numbers a person answers in a browser."""
    overview: OverviewService
    """The console's Overview charts, read from the call rollups."""
    rate_limit: SharedRateLimit | None
    """The rate limit every process shares (PostgreSQL); None where one process keeps its own."""
    processes: ProcessRegistry


@dataclass(frozen=True, slots=True)
class Server:
    """One server's services and the background workers behind them (run by the ASGI lifespan)."""

    services: Services
    engine: CallEngine
    deliverer: WebhookDeliverer
    passthru: PassthruRequester
    placing: CallService
    lookup: CallLookup
    leases: LeaseService
    replicas: ReplicaRouter | None

    async def start(self) -> None:
        # Before the workers claim: leases a killed process left behind come back at once.
        await anyio.to_thread.run_sync(self.leases.on_start)
        await self.services.processes.start()
        if self.replicas is not None:
            self.replicas.start()
        self.engine.start()
        self.deliverer.start()
        self.passthru.start()

    async def stop(self) -> None:
        """After the requests in flight have finished (uvicorn's graceful shutdown): stop the
        workers, then leave the process registry and hand back every lease this process still
        holds, so another process sends those callbacks and makes those Passthru requests now, not
        when the leases run out (the SIGTERM path ends here)."""
        await self.services.call_feed.close()
        self.placing.close()
        await self.engine.stop()
        await self.passthru.stop()
        await self.deliverer.stop()
        await self.services.processes.stop()
        await self.lookup.close()
        if self.replicas is not None:
            await anyio.to_thread.run_sync(self.replicas.stop)
        await anyio.to_thread.run_sync(self.leases.on_stop)


def build_server(settings: Settings, db: Database, renderers: Mapping[str, CallbackRenderer]) -> Server:
    """Every part of one server over ``db``. ``renderers``: each dialect's status-callback format,
    by the dialect name a call is placed with.

    The engine and its workers call each other (the engine wakes the Passthru worker, whose replies
    wake the engine; generators place calls the call service builds, for the engine to run), so
    a hook that names a part built later reaches it through the closure, never by rewiring."""
    runner = StoreRunner(is_sqlite=db.is_sqlite)
    replicas = use_replicas(settings, db)
    account_store = AccountStore(db)
    secret = db.secret_key(settings.secret_key)
    clock = NetworkClock(db, mode=settings.clock, time_scale=settings.time_scale)
    if settings.scenario_file:
        network_scenarios.save(db, network_scenarios.read_file(settings.scenario_file))
    network = SimulatedNetwork(settings.network_seed, network_scenarios.load(db))
    rates = RateTable(settings.call_rates, settings.billing_pulse_seconds)
    runs = CallRunStore(db)
    # Kept in step with calls in the transaction that writes them, whichever dialect placed them.
    agent_store = AgentStore(db)
    runs.writes.observers.extend([TrackingObserver(), agent_store, PhoneLegObserver()])
    phone_store = PhoneStore(db)
    held = HeldNumbers(phone_store.live)
    phones = ConsolePhones(network, held)
    webhooks = WebhookStore(db)
    instance_id = new_instance_id()
    deliverer = WebhookDeliverer(
        webhooks,
        timeout_s=settings.webhook_timeout_seconds,
        retries=settings.webhook_retries,
        backoff_s=settings.webhook_backoff_seconds,
        allow_private=settings.callbacks_allow_private(),
        holder=instance_id,
    )
    flow_store, traffic, flow_requests = FlowStore(db), TrafficStore(db), FlowRequestStore(db)

    def due_at(at_ms: int | None) -> None:
        engine.due_at(at_ms)

    def inbound_run(account_sid: str, from_number: str, exophone: str, at: int) -> CallRun:
        return placing.inbound_run(account_sid, from_number, exophone, at)

    def work_taken_over() -> None:
        deliverer.wake()
        passthru.wake()

    def take_up(*, changed: bool) -> None:
        # The scenario every tick (the CLI changes it without a generation wait); the clock exactly,
        # backwards too, when an admin change was made since (a reset).
        network.refresh(lambda: network_scenarios.load(db))
        if changed:
            clock.refresh(exact=True)

    leases = LeaseService(instance_id, webhooks, flow_requests, sole_process=db.is_sqlite)
    processes = ProcessRegistry(
        ProcessStore(db),
        leases,
        enabled=not db.is_sqlite,
        heartbeat_s=settings.heartbeat_seconds,
        gone_after_s=settings.process_gone_seconds,
        on_takeover=work_taken_over,
    )
    passthru = PassthruRequester(
        flow_requests,
        clock,
        public_url=settings.public_url,
        allow_private=settings.callbacks_allow_private(),
        on_reply=due_at,
        holder=instance_id,
    )

    def tick() -> None:
        processes.take_up(take_up)
        held.refresh()

    engine = CallEngine(
        db,
        runs,
        phones,
        clock,
        rates,
        renderers=renderers,
        settle_delay_ms=settings.settle_delay_seconds * 1000,
        batch_size=settings.engine_batch_size,
        on_callbacks=deliverer.wake,
        on_fetches=passthru.wake,
        on_tick=tick,
        before_batch=TrafficRunner(traffic, flow_store, runs, rates, inbound_run),
        next_arrival=traffic.next_at,
    )
    placing = CallService(
        runs,
        engine,
        rates,
        flow_store,
        default_ring_timeout_s=settings.default_ring_timeout_seconds,
        allow_private_callbacks=settings.callbacks_allow_private(),
    )
    lookup = call_lookup(db)
    calls = CallStore(db)
    accounts = AccountService(account_store)
    services = Services(
        settings=settings,
        runner=runner,
        credentials=Authenticator(account_store, failures_per_minute=settings.login_failures_per_minute),
        cursors=CursorCodec(secret),
        accounts=accounts,
        calls=CallsService(runner, calls, lookup, runs, agent_store, placing, clock),
        numbers=NumberService(runner, NumberingStore(db)),
        recordings=RecordingService(
            runner,
            RecordingStore(db),
            RecordingFiles(settings.recordings_dir, held=HeldRecordings(settings.recordings_archive_dir)),
            secret,
        ),
        flows=FlowService(
            accounts, flow_store, traffic, flow_requests, NetworkParts(placing, clock, runs, engine.due_at)
        ),
        agents=AgentService(accounts, agent_store),
        tracking=TrackingService(runner, db, accounts, flow_store),
        sandbox=SandboxService(
            runner,
            db,
            accounts,
            clock,
            network,
            engine,
            passthru,
            deliverer,
            SandboxStores(runs, runs.writes, webhooks, traffic, flow_requests),
            processes,
        ),
        call_feed=CallFeedService(
            runner, CallFeed(db), poll_ms=settings.console_events_poll_ms, is_sqlite=db.is_sqlite
        ),
        secret=secret,
        health=HealthService(
            HealthStore(db),
            clock,
            max_lag_s=settings.readiness_max_lag_seconds,
            webhook_outcomes=lambda: dict(deliverer.outcomes),
        ),
        phone=PhoneService(
            accounts, phone_store, engine, placing, held, flow_store, hold_seconds=settings.phone_hold_seconds
        ),
        overview=OverviewService(runner, db, accounts, clock),
        rate_limit=None
        if db.is_sqlite
        else SharedRateLimit(runner, RateBucketStore(db), settings.rate_limit_per_minute),
        processes=processes,
    )
    services.numbers.ensure_seed()
    return Server(services, engine, deliverer, passthru, placing, lookup, leases, replicas)
