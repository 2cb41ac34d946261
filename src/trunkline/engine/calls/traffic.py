"""Running traffic generators: at the start of each engine batch, every generator whose next call
is due places its calls (up to now) as inbound calls, in the batch's own transaction, so the same
batch already rings them. A generator whose ExoPhone lost its flow stops with the reason."""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy import Connection

from trunkline.domain.calls import transitions
from trunkline.domain.calls.call_record import to_call
from trunkline.domain.calls.effects import Event
from trunkline.domain.calls.pricing import RateTable
from trunkline.domain.calls.run_state import CallRun, FlowRun
from trunkline.domain.traffic.generator import arrival, gap_ms, is_finished, parse_spec, session
from trunkline.store.call_runs import CallRunStore
from trunkline.store.call_writes import NewRun
from trunkline.store.flows import FlowStore
from trunkline.store.traffic import FAILED, FINISHED, RUNNING, Generator, TrafficStore

log = logging.getLogger("trunkline.traffic")


class NewRunFactory(Protocol):
    """A new inbound call's run (``CallService.inbound_run``)."""

    def __call__(self, account_sid: str, from_number: str, exophone: str, at: int) -> CallRun: ...


class TrafficRunner:
    def __init__(
        self,
        traffic: TrafficStore,
        flows: FlowStore,
        runs: CallRunStore,
        rates: RateTable,
        new_run: NewRunFactory,
        *,
        per_batch: int = 500,
    ) -> None:
        self._traffic, self._flows, self._runs, self._rates = traffic, flows, runs, rates
        self._new_run = new_run
        self._per_batch = per_batch

    def __call__(self, conn: Connection, now_ms: int) -> int:
        placed = 0
        for generator in self._traffic.claim_due(conn, now_ms):
            placed += self._run(conn, generator, now_ms)
        return placed

    def _run(self, conn: Connection, generator: Generator, now_ms: int) -> int:
        document = dict(generator.spec)
        spec = parse_spec({k: v for k, v in document.items() if k not in ("started_at", "reason")})
        placed, next_at = generator.placed, generator.next_at
        assert next_at is not None
        if "started_at" not in document:  # started from the CLI: it begins now
            document["started_at"] = next_at = now_ms
        started_at = int(document["started_at"])
        flows = self._flows.exophone_flows(generator.account_id, list(spec.exophones))
        items: list[NewRun] = []
        state = RUNNING
        while next_at <= now_ms and len(items) < self._per_batch:
            if is_finished(spec, placed, next_at, started_at):
                break
            call = arrival(spec, placed, next_at)
            flow = flows.get(call.exophone)
            if flow is None:
                document["reason"] = f"ExoPhone {call.exophone} has no flow to answer calls with"
                log.warning("traffic generator %d stopped: %s", generator.id, document["reason"])
                state = FAILED
                break
            run = self._new_run(generator.account_sid, call.caller, call.exophone, call.at)
            run.flow_app_id, run.flow = flow.app_id, FlowRun(flow.app_id, flow.document)
            run.extra["TrafficGenerator"] = str(generator.id)
            visit = session(spec, placed, call.at)
            if visit is not None:
                run.extra.update(visit.to_extra())
            transitions.start(run)
            call_record = to_call(run, self._rates)
            items.append(NewRun(generator.account_id, call_record, run, [Event("call.created", call.at)]))
            next_at += gap_ms(spec, placed)
            placed += 1
        self._runs.insert(conn, items)
        if state == RUNNING and is_finished(spec, placed, next_at, started_at):
            state = FINISHED
        self._traffic.progress(
            conn,
            generator.id,
            placed=placed,
            next_at=next_at if state == RUNNING else None,
            state=state,
            spec=document if document != generator.spec else None,
        )
        return len(items)
