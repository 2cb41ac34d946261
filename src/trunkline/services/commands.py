"""The services of one CLI command: ``CommandServices`` builds each one the first time a command
asks for it, over one store.

Why each property imports its service where it builds it: a command pays only for what it uses. A
module-level import of every service (the composition root's way) loaded the web-hook client,
psycopg, Alembic and the engine into every command: ~105 MiB before any work (~66 MiB now), which
left ``trunkline seed`` of a million calls at 197 MiB against its 200 MB budget (169 MiB now;
BENCHMARKS.md, "Hardening"), and most of a second of imports before every command. A test holds the line
(``tests/cli/test_command_imports.py``).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from trunkline.config import Settings

if TYPE_CHECKING:
    from trunkline.services.accounts import AccountService
    from trunkline.services.agents import AgentService
    from trunkline.services.archive.export import ExportService
    from trunkline.services.archive.sync import SyncService
    from trunkline.services.flows import FlowService
    from trunkline.services.numbers import NumberService
    from trunkline.services.sandbox import StoredSandbox
    from trunkline.services.seeding import SeedingService
    from trunkline.services.store_runner import StoreRunner
    from trunkline.services.tracking import TrackingService
    from trunkline.store.database import Database

__all__ = ["CommandServices"]


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
        from trunkline.services.replica_setup import use_replicas
        from trunkline.services.store_opening import open_store

        db = open_store(self.url, create=self._create)
        use_replicas(self.settings, db)
        return db

    _owns_db = True

    def close(self) -> None:
        if self._owns_db and "db" in self.__dict__:
            self.db.dispose()

    def secret_key(self, configured: str | None) -> bytes:
        """The server's secret (``TRUNKLINE_SECRET_KEY``, or the one kept in the store)."""
        return self.db.secret_key(configured)

    @cached_property
    def _runner(self) -> StoreRunner:
        from trunkline.services.store_runner import StoreRunner

        return StoreRunner(is_sqlite=self.db.is_sqlite)

    @cached_property
    def accounts(self) -> AccountService:
        from trunkline.services.accounts import AccountService
        from trunkline.store.accounts import AccountStore

        return AccountService(AccountStore(self.db))

    @cached_property
    def agents(self) -> AgentService:
        from trunkline.services.agents import AgentService
        from trunkline.store.agents import AgentStore

        return AgentService(self.accounts, AgentStore(self.db))

    @cached_property
    def flows(self) -> FlowService:
        from trunkline.services.flows import FlowService
        from trunkline.store.flow_requests import FlowRequestStore
        from trunkline.store.flows import FlowStore
        from trunkline.store.traffic import TrafficStore

        return FlowService(
            self.accounts, FlowStore(self.db), TrafficStore(self.db), FlowRequestStore(self.db)
        )

    @cached_property
    def tracking(self) -> TrackingService:
        from trunkline.services.tracking import TrackingService
        from trunkline.store.flows import FlowStore

        return TrackingService(self._runner, self.db, self.accounts, FlowStore(self.db))

    @cached_property
    def numbers(self) -> NumberService:
        from trunkline.services.numbers import NumberService
        from trunkline.store.numbering import NumberingStore

        return NumberService(self._runner, NumberingStore(self.db))

    @cached_property
    def seeding(self) -> SeedingService:
        from trunkline.services.seeding import SeedingService

        return SeedingService(self.db, self.accounts)

    @cached_property
    def settings(self) -> Settings:
        return Settings()

    @cached_property
    def export(self) -> ExportService:
        from trunkline.services.archive.export import ExportService
        from trunkline.store.call_export import CallExport

        return ExportService(self.accounts, CallExport(self.db), self.settings.export_batch_size)

    @cached_property
    def sync(self) -> SyncService:
        from trunkline.engine.recordings.held import HeldRecordings
        from trunkline.services.archive.sync import SyncService
        from trunkline.store.call_writes import CallWrites

        return SyncService(
            self.db, self.accounts, CallWrites(self.db), HeldRecordings(self.settings.recordings_archive_dir)
        )

    @cached_property
    def sandbox(self) -> StoredSandbox:
        from trunkline.services.sandbox import StoredSandbox

        return StoredSandbox(self.db)
