"""Placing and reading calls: connect, CCM's make-call for an agent, call details, the bulk list,
and a call's legs with its agent.

Call details are the hottest path of the server: ``details`` asks the batched lookup
(``store/call_lookup.py``) on the event loop and adds no thread hop or layer of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from trunkline.domain.agents.model import Agent, check_can_call
from trunkline.domain.calls.bulk_filters import BulkQuery
from trunkline.domain.calls.connect_request import ConnectRequest
from trunkline.domain.calls.model import Call
from trunkline.domain.calls.run_state import CallRun
from trunkline.engine.calls.service import Caller, CallService
from trunkline.engine.clock import NetworkClock
from trunkline.services.agent_turns import AgentTurns
from trunkline.services.store_runner import StoreRunner
from trunkline.store.agents import AgentStore
from trunkline.store.call_lookup import CallLookup, LookupUnavailable
from trunkline.store.call_runs import CallRunStore
from trunkline.store.calls import CallPage, CallStore

__all__ = ["CallPage", "Caller", "CallsService"]

AgentNumber = Callable[[Call], "str | None"]
"""The number or URI a call rang its agent on, as the dialect that placed it reads its legs."""


class CallsService:
    def __init__(
        self,
        runner: StoreRunner,
        calls: CallStore,
        lookup: CallLookup,
        runs: CallRunStore,
        agents: AgentStore,
        placing: CallService,
        clock: NetworkClock,
    ) -> None:
        self._runner, self._calls, self._lookup, self._runs = runner, calls, lookup, runs
        self._agents, self._placing, self._clock = agents, placing, clock
        self._turns = AgentTurns()

    def now_ms(self) -> int:
        """Network time: what a list's default window ends at."""
        return self._clock.now_ms()

    async def details(
        self, account_id: int, account_sid: str, sid: str, *, with_legs: bool = False
    ) -> Call | None:
        """One call by Sid, batched with concurrent requests (``CallLookup``). With its legs, or when
        the lookup's connection fails: a quick read."""
        if not with_legs:
            try:
                return await self._lookup.get(account_id, account_sid, sid)
            except LookupUnavailable:
                pass
        return await self._runner.read(self._calls.get, account_id, account_sid, sid, with_legs, quick=True)

    async def list(self, account_id: int, account_sid: str, query: BulkQuery) -> CallPage:
        return await self._runner.read(self._calls.list, account_id, account_sid, query)

    async def connect(self, caller: Caller, request: ConnectRequest, *, dialect: str) -> Call:
        """Place an outbound call; answers once it is stored (group commit, no thread held)."""
        return await self._placing.connect_async(caller, request, dialect=dialect)

    async def agent(self, account_id: int, user_id: str | None, contact_uri: str | None) -> Agent | None:
        """The agent a make-call names, by user_id or else by contact URI."""
        return await self._runner.read(self._agent, account_id, user_id, contact_uri)

    def _agent(self, account_id: int, user_id: str | None, contact_uri: str | None) -> Agent | None:
        if user_id is not None:
            return self._agents.get(account_id, user_id)
        assert contact_uri is not None
        return self._agents.by_contact_uri(account_id, contact_uri)

    async def connect_agent(
        self, caller: Caller, agent: Agent, request: ConnectRequest, *, dialect: str
    ) -> Call:
        """Place a call that rings ``agent`` first, unless the agent cannot take it (device off,
        already on a call). Calls for one agent take turns from the busy check until the call is
        stored (``AgentTurns``), so two requests at once cannot both ring a free agent."""
        async with self._turns.turn(caller.account_id, agent.user_id):
            # Across processes too (PostgreSQL): an advisory lock on the agent, held until the call
            # is stored, so that two processes' requests for it take turns as well.
            held = None
            if self._agents.shared:
                held = await self._runner.blocking(self._agents.lock_turn, caller.account_id, agent.user_id)
            try:
                # Read in the agent's turn: a call placed by the turn before is stored by now.
                on_a_call = await self._runner.read(self._agents.on_a_call, caller.account_id, agent.user_id)
                check_can_call(agent, on_a_call=on_a_call)
                return await self._placing.connect_async(caller, request, dialect=dialect)
            finally:
                if held is not None:
                    await self._runner.blocking(self._agents.end_turn, held)

    async def details_with_agent(
        self, account_id: int, account_sid: str, sid: str, agent_number: AgentNumber
    ) -> tuple[Call, str | None] | None:
        """The call with its legs and its agent's user_id, read together (one thread hop)."""
        return await self._runner.read(
            self._details_with_agent, account_id, account_sid, sid, agent_number, quick=True
        )

    def _details_with_agent(
        self, account_id: int, account_sid: str, sid: str, agent_number: AgentNumber
    ) -> tuple[Call, str | None] | None:
        call = self._calls.get(account_id, account_sid, sid, True)
        if call is None:
            return None
        return call, self._agents.agent_of_call(account_id, sid, agent_number(call))

    async def legs(
        self, account_id: int, account_sid: str, sid: str, agent_number: AgentNumber
    ) -> tuple[Call, CallRun | None, str | None] | None:
        """The call, its run (the legs as the engine plays them) and its agent's name."""
        return await self._runner.read(self._legs, account_id, account_sid, sid, agent_number)

    def _legs(
        self, account_id: int, account_sid: str, sid: str, agent_number: AgentNumber
    ) -> tuple[Call, CallRun | None, str | None] | None:
        call = self._calls.get(account_id, account_sid, sid, True)
        if call is None:
            return None
        found = self._runs.find(account_id, sid)
        user_id = self._agents.agent_of_call(account_id, sid, agent_number(call))
        agent = self._agents.get(account_id, user_id) if user_id is not None else None
        return call, found[1] if found else None, agent.name if agent else None
