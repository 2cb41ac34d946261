"""The composition root: where every part of a server (stores, engine, workers, services) and of a
CLI command is built, in dependency order, with its hooks passed as constructor arguments.

``build_server`` is what ``api/app.py`` (and through it the tests' live servers) starts from;
``CommandServices`` is what a CLI command opens, building only the services it asks for, on first
use, so a command stays cheap to start. Nothing else constructs a store or a service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import anyio.to_thread

from trunkline.config import Settings
from trunkline.domain.calls.cursor import CursorCodec
from trunkline.domain.calls.pricing import RateTable
from trunkline.domain.calls.run_state import CallRun
from trunkline.engine import network_scenarios
from trunkline.engine.calls.engine import CallbackRenderer, CallEngine
from trunkline.engine.calls.service import CallService
from trunkline.engine.calls.traffic import TrafficRunner
from trunkline.engine.carriers.simulated import SimulatedNetwork
from trunkline.engine.clock import NetworkClock
from trunkline.engine.flows.passthru import PassthruRequester
from trunkline.engine.recordings.files import RecordingFiles
from trunkline.engine.recordings.held import HeldRecordings
from trunkline.engine.webhooks.delivery import WebhookDeliverer
from trunkline.services.accounts import AccountService
from trunkline.services.agents import AgentService
from trunkline.services.archive.export import ExportService
from trunkline.services.archive.sync import SyncService
from trunkline.services.calls import CallsService
from trunkline.services.credentials import Authenticator
from trunkline.services.flows import FlowService, NetworkParts
from trunkline.services.leases import LeaseService, new_instance_id
from trunkline.services.numbers import NumberService
from trunkline.services.recordings import RecordingService
from trunkline.services.sandbox import SandboxService, SandboxStores, StoredSandbox
from trunkline.services.seeding import SeedingService
from trunkline.services.store_opening import open_store
from trunkline.services.store_runner import StoreRunner
from trunkline.services.tracking import TrackingService
from trunkline.store.accounts import AccountStore
from trunkline.store.agents import AgentStore
from trunkline.store.call_export import CallExport
from trunkline.store.call_lookup import CallLookup, call_lookup
from trunkline.store.call_runs import CallRunStore
from trunkline.store.call_writes import CallWrites
from trunkline.store.calls import CallStore
from trunkline.store.database import Database
from trunkline.store.flow_requests import FlowRequestStore
from trunkline.store.flows import FlowStore
from trunkline.store.numbering import NumberingStore
from trunkline.store.recordings import RecordingStore
from trunkline.store.tracking.observer import TrackingObserver
from trunkline.store.traffic import TrafficStore
from trunkline.store.webhooks import WebhookStore

__all__ = ["CommandServices", "Database", "Server", "Services", "build_server", "open_database"]


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

    async def start(self) -> None:
        # Before the workers claim: leases a killed process left behind come back at once.
        await anyio.to_thread.run_sync(self.leases.on_start)
        self.engine.start()
        self.deliverer.start()
        self.passthru.start()

    async def stop(self) -> None:
        self.placing.close()
        await self.engine.stop()
        await self.passthru.stop()
        await self.deliverer.stop()
        await self.lookup.close()


def build_server(settings: Settings, db: Database, renderers: Mapping[str, CallbackRenderer]) -> Server:
    """Every part of one server over ``db``. ``renderers``: each dialect's status-callback format,
    by the dialect name a call is placed with.

    The engine and its workers call each other (the engine wakes the Passthru worker, whose replies
    wake the engine; generators place calls the call service builds, for the engine to run), so
    a hook that names a part built later reaches it through the closure, never by rewiring."""
    runner = StoreRunner(is_sqlite=db.is_sqlite)
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
    runs.writes.observers.extend([TrackingObserver(), agent_store])
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

    passthru = PassthruRequester(
        flow_requests,
        clock,
        public_url=settings.public_url,
        allow_private=settings.callbacks_allow_private(),
        on_reply=due_at,
        holder=instance_id,
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
        on_fetches=passthru.wake,
        on_tick=lambda: network.refresh(lambda: network_scenarios.load(db)),
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
        ),
    )
    services.numbers.ensure_seed()
    leases = LeaseService(instance_id, webhooks, flow_requests, sole_process=db.is_sqlite)
    return Server(services, engine, deliverer, passthru, placing, lookup, leases)


class CommandServices:
    """The services of one CLI command over one store, each built the first time it is asked for.

    A command changes the store directly; a running server sees the change at once (accounts,
    flows, agents, properties) or within half a second (its engine re-reads the clock, the scenario
    and generators on every tick)."""

    def __init__(self, database_url: str | None, *, create: bool = False) -> None:
        """``create``: whether a missing SQLite file may be created (see ``open_store``)."""
        self.url = database_url or Settings().database_url
        self._create = create

    @classmethod
    def over(cls, db: Database) -> CommandServices:
        """Services over a store already open (tests' factories); ``close`` leaves it open."""
        services = cls(db.url)
        services.__dict__["db"] = db
        services._owns_db = False
        return services

    @cached_property
    def db(self) -> Database:
        return open_store(self.url, create=self._create)

    _owns_db = True

    def close(self) -> None:
        if self._owns_db and "db" in self.__dict__:
            self.db.dispose()

    def secret_key(self, configured: str | None) -> bytes:
        """The server's secret (``TRUNKLINE_SECRET_KEY``, or the one kept in the store)."""
        return self.db.secret_key(configured)

    @cached_property
    def _runner(self) -> StoreRunner:
        return StoreRunner(is_sqlite=self.db.is_sqlite)

    @cached_property
    def accounts(self) -> AccountService:
        return AccountService(AccountStore(self.db))

    @cached_property
    def agents(self) -> AgentService:
        return AgentService(self.accounts, AgentStore(self.db))

    @cached_property
    def flows(self) -> FlowService:
        return FlowService(
            self.accounts, FlowStore(self.db), TrafficStore(self.db), FlowRequestStore(self.db)
        )

    @cached_property
    def tracking(self) -> TrackingService:
        return TrackingService(self._runner, self.db, self.accounts, FlowStore(self.db))

    @cached_property
    def numbers(self) -> NumberService:
        return NumberService(self._runner, NumberingStore(self.db))

    @cached_property
    def seeding(self) -> SeedingService:
        return SeedingService(self.db, self.accounts)

    @cached_property
    def settings(self) -> Settings:
        return Settings()

    @cached_property
    def export(self) -> ExportService:
        return ExportService(self.accounts, CallExport(self.db), self.settings.export_batch_size)

    @cached_property
    def sync(self) -> SyncService:
        return SyncService(
            self.db, self.accounts, CallWrites(self.db), HeldRecordings(self.settings.recordings_archive_dir)
        )

    @cached_property
    def sandbox(self) -> StoredSandbox:
        return StoredSandbox(self.db)
