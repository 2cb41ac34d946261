"""The sandbox's controls: the network clock, the simulated network's scenario, a call's events and
webhook deliveries, and reset.

``SandboxService`` is a running server's: it moves the live clock and runs what fell due.
``StoredSandbox`` is the CLI's: it changes the stored clock and scenario, which a running server
picks up within half a second (its engine re-reads both on every tick) and a stopped one on its
next start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.network.magic_numbers import magic_numbers
from trunkline.domain.network.scenarios import Scenario
from trunkline.engine import network_scenarios
from trunkline.engine.calls.engine import CallEngine
from trunkline.engine.carriers.simulated import SimulatedNetwork
from trunkline.engine.clock import VIRTUAL_KEY, NetworkClock, advance_stored, wall_ms
from trunkline.engine.flows.passthru import PassthruRequester
from trunkline.engine.network_run import run_network
from trunkline.engine.webhooks.delivery import WebhookDeliverer
from trunkline.services.accounts import AccountService
from trunkline.services.processes import ProcessRegistry
from trunkline.services.store_runner import StoreRunner
from trunkline.store import meta_values
from trunkline.store.account_setup import clear_account_setup
from trunkline.store.call_runs import CallRunStore, StoredEvent
from trunkline.store.call_writes import CallWrites
from trunkline.store.database import Database
from trunkline.store.flow_requests import FlowRequestStore
from trunkline.store.traffic import TrafficStore
from trunkline.store.webhooks import AttemptResult, Delivery, DeliveryLog, WebhookStore

__all__ = ["AttemptResult", "Delivery", "DeliveryLog", "SandboxService", "StoredEvent", "StoredSandbox"]


class SandboxService:
    def __init__(
        self,
        runner: StoreRunner,
        db: Database,
        accounts: AccountService,
        clock: NetworkClock,
        network: SimulatedNetwork,
        engine: CallEngine,
        passthru: PassthruRequester,
        deliverer: WebhookDeliverer,
        stores: SandboxStores,
        processes: ProcessRegistry,
    ) -> None:
        self._runner, self._db, self._accounts = runner, db, accounts
        self._clock, self._network, self._engine = clock, network, engine
        self._passthru, self._deliverer, self._stores = passthru, deliverer, stores
        self._processes = processes
        """Every live process takes up a clock move, a reset or a scenario before the request
        answers (``wait_seen``, at most 2 s)."""

    async def clock(self) -> dict[str, Any]:
        """The clock as ``NetworkClock.describe`` says, with the calls in flight."""
        return self._clock.describe() | {
            "calls_in_flight": await self._runner.blocking(self._stores.runs.in_flight)
        }

    async def advance(self, seconds: float) -> dict[str, Any]:
        """Move the virtual clock and run everything that fell due, Passthru replies included."""
        await self._runner.blocking(self._clock.advance, int(seconds * 1000))
        await self._processes.wait_seen()
        advanced = await run_network(self._engine, self._passthru, self._stores.flow_requests)
        self._deliverer.wake()
        return self._clock.describe() | {"calls_advanced": advanced}

    def scenario(self) -> Scenario:
        return self._network.scenario

    @staticmethod
    def magic_numbers() -> list[tuple[str, str]]:
        """The simulated network's test numbers whose behaviour no scenario changes, described."""
        return magic_numbers()

    async def set_scenario(self, document: Any) -> Scenario:
        """Validate and store scenario rules; the network uses them at once."""
        scenario = await self._runner.blocking(network_scenarios.save, self._db, document)
        self._network.use(scenario)
        await self._processes.wait_seen()
        return scenario

    def _call_id(self, call_sid: str) -> int:
        found = self._stores.runs.find(None, call_sid)
        if found is None:
            raise NotFound(f"no call {call_sid} placed through the engine")
        return found[0]

    async def events(self, call_sid: str) -> list[StoredEvent]:
        """Every transition of a call placed through the engine."""
        call_id = await self._runner.blocking(self._call_id, call_sid)
        return await self._runner.blocking(self._stores.runs.events, call_id)

    async def deliveries(self, call_sid: str) -> list[DeliveryLog]:
        """A call's status-callback deliveries, with every attempt."""
        call_id = await self._runner.blocking(self._call_id, call_sid)
        return await self._runner.blocking(self._stores.webhooks.for_call, None, call_id)

    async def redeliver(self, delivery_id: int) -> None:
        """Send a delivery again now."""
        if not await self._runner.blocking(self._stores.webhooks.redeliver, delivery_id, wall_ms()):
            raise NotFound(f"no webhook delivery {delivery_id}")
        self._deliverer.wake()

    async def reset(self, account_sid: str | None, *, everything: bool = False) -> dict[str, Any]:
        """Delete calls (of one account or all), stop their traffic; resetting every account also
        resets the virtual clock.

        ``everything`` (one account only) returns that account to a clean state for the next test
        of a suite sharing one server: its calls with their callbacks, flows, agents, properties
        and traffic generators go, and the server-wide scenario and virtual clock are reset too."""
        if everything and account_sid is None:
            raise InvalidParameter("a reset of everything needs account_sid", parameter="account_sid")
        account_id = None
        if account_sid is not None:
            account_id = (await self._runner.blocking(self._accounts.get, account_sid)).id
        stopped = await self._runner.blocking(self._stores.traffic.stop_all, account_id)
        deleted = await self._runner.blocking(self._stores.call_writes.purge, account_id)
        result: dict[str, Any] = {"calls_deleted": deleted, "generators_stopped": stopped}
        if account_id is not None and everything:
            cleared = await self._runner.blocking(clear_account_setup, self._db, account_id)
            await self.set_scenario({"rules": []})
            result |= {
                "flows_deleted": cleared.flows,
                "agents_deleted": cleared.agents,
                "properties_deleted": cleared.properties,
                "generators_deleted": cleared.generators,
                "scenario_cleared": True,
            }
        if account_id is None or everything:
            await self._runner.blocking(self._clock.reset)
            await self._processes.wait_seen()
        return result | {"clock": self._clock.describe()}


@dataclass(frozen=True, slots=True)
class SandboxStores:
    """The stores the sandbox controls reach."""

    runs: CallRunStore
    call_writes: CallWrites
    webhooks: WebhookStore
    traffic: TrafficStore
    flow_requests: FlowRequestStore


class StoredSandbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    def clock_ms(self) -> int | None:
        """The stored virtual clock; None until a server ran with a virtual clock."""
        value = meta_values.get(self._db, VIRTUAL_KEY)
        return None if value is None else int(value)

    def advance_clock(self, ms: int) -> int:
        """Move the stored virtual clock forward; the new time."""
        return advance_stored(self._db, ms)

    def scenario(self) -> Scenario:
        return network_scenarios.load(self._db)

    def set_scenario_file(self, path: str) -> Scenario:
        """Validate and store scenario rules from a JSON file."""
        return network_scenarios.save(self._db, network_scenarios.read_file(path))
