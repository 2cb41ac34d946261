"""Flows, the ExoPhones they answer, inbound calls and traffic generators.

A server's service places inbound calls and wakes its engine when a generator starts; the CLI's
(built without an engine) only stores generators, which the running server's engine starts the next
time it looks, at its own network clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trunkline.domain.calls.model import Call
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.flows.definition import Flow
from trunkline.domain.traffic.generator import parse_spec
from trunkline.engine.clock import wall_ms
from trunkline.services.accounts import AccountService
from trunkline.store.flow_requests import FlowRequest, FlowRequestStore
from trunkline.store.flows import FlowStore, StoredFlow
from trunkline.store.traffic import Generator, TrafficStore

if TYPE_CHECKING:  # the network parts come from a server, which has the engine loaded
    from trunkline.engine.calls.service import CallService
    from trunkline.engine.clock import NetworkClock
    from trunkline.store.call_runs import CallRunStore

__all__ = ["FlowRequest", "FlowService", "Generator", "NetworkParts", "StoredFlow"]


@dataclass(frozen=True, slots=True)
class NetworkParts:
    """What a running server adds to the service: placing calls now and waking its engine."""

    placing: CallService
    clock: NetworkClock
    runs: CallRunStore
    wake_at: Callable[[int], None]


class FlowService:
    def __init__(
        self,
        accounts: AccountService,
        flows: FlowStore,
        traffic: TrafficStore,
        flow_requests: FlowRequestStore,
        network: NetworkParts | None = None,
    ) -> None:
        self._accounts, self._flows, self._traffic = accounts, flows, traffic
        self._flow_requests, self._network = flow_requests, network

    # --- flows ---

    def put(self, account_sid: str, flow: Flow) -> tuple[bool, StoredFlow]:
        """Create or replace a flow; whether it was new, and the flow as stored."""
        account = self._accounts.get(account_sid)
        created = self._flows.put(account.id, flow, wall_ms())
        stored = self._flows.get(account.id, flow.app_id)
        assert stored is not None
        return created, stored

    def of_account(self, account_sid: str) -> list[StoredFlow]:
        return self._flows.of_account(self._accounts.get(account_sid).id)

    def get(self, account_sid: str, app_id: str) -> StoredFlow | None:
        return self._flows.get(self._accounts.get(account_sid).id, app_id)

    def delete(self, account_sid: str, app_id: str) -> bool:
        """False when there is no such flow; a flow an ExoPhone answers with is refused."""
        return self._flows.delete(self._accounts.get(account_sid).id, app_id)

    def assign(self, account_sid: str, exophone: str, app_id: str | None) -> None:
        """Answer the ExoPhone's calls with the flow (None: with none)."""
        self._flows.assign(self._accounts.get(account_sid).id, exophone, app_id)

    # --- inbound calls and traffic ---

    def inbound(self, account_sid: str, caller: str, exophone: str, extra: dict[str, str] | None) -> Call:
        """Place one inbound call now (a server only); ``extra`` rides with it (a visitor session)."""
        assert self._network is not None, "inbound calls are placed by a running server"
        account = self._accounts.get(account_sid)
        from trunkline.engine.calls.service import Caller  # here: a CLI command never places calls

        return self._network.placing.inbound(Caller(account.id, account.sid), caller, exophone, extra=extra)

    def start_traffic(self, account_sid: str, document: Any) -> Generator:
        """Start a generator once every ExoPhone it calls answers with a flow. A server starts it at
        its network clock now; the CLI leaves the start to the running server's engine."""
        account = self._accounts.get(account_sid)
        spec = parse_spec(document)
        for exophone in spec.exophones:
            assigned = self._flows.exophone_flow(account.id, exophone)
            if assigned is None:
                raise InvalidParameter(
                    f"{exophone} is not an ExoPhone of account {account_sid}", parameter="exophones"
                )
            if assigned[0] is None:
                raise InvalidParameter(
                    f"ExoPhone {exophone} has no flow to answer calls with", parameter="exophones"
                )
        starts_at = self._network.clock.now_ms() if self._network is not None else None
        generator_id = self._traffic.create(account.id, spec.document(), starts_at, wall_ms())
        # Read back before waking the engine: the answer shows the generator as started, before
        # the engine's first batch places its first call.
        generator = self._traffic.get(generator_id)
        assert generator is not None
        if self._network is not None and starts_at is not None:
            self._network.wake_at(starts_at)
        return generator

    def traffic(self, account_sid: str) -> list[Generator]:
        return self._traffic.of_account(self._accounts.get(account_sid).id)

    def generator(self, generator_id: int) -> Generator:
        generator = self._traffic.get(generator_id)
        if generator is None:
            raise NotFound(f"no traffic generator {generator_id}")
        return generator

    def stop_traffic(self, generator_id: int) -> bool:
        """Stop a running generator (calls already placed go on); False when none was running."""
        return self._traffic.stop(generator_id)

    def flow_requests(self, call_sid: str) -> list[FlowRequest]:
        """The HTTP requests (Passthru) a call's flow made."""
        assert self._network is not None, "a server's engine keeps calls' runs"
        found = self._network.runs.find(None, call_sid)
        if found is None:
            raise NotFound(f"no call {call_sid} placed through the engine")
        return self._flow_requests.for_call(found[0])
