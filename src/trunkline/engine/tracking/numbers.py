"""Configuring a tracking number: its settings, and how its inbound calls are routed.

RoutingMethod ``Endpoint`` routes calls through a flow generated for the number (``fone-<digits>``):
one Connect applet dialling EndpointNumber, recording the conversation when Recording is ``Call``.
``Flow`` assigns an existing flow of the account, which then decides everything (recording
included). Either way the number's ExoPhone answers with that flow, so the existing inbound
machinery (admin API, traffic generators, the engine) rings it.
"""

from __future__ import annotations

from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.flows.definition import Flow, parse_flow
from trunkline.domain.tracking.numbers import TrackingNumber, parse_number_update
from trunkline.store.database import Database
from trunkline.store.flows import FlowStore
from trunkline.store.tracking.numbers import TrackingNumberStore

_ROUTING_COLUMNS = frozenset({"routing_method", "endpoint_number", "recording", "flow"})


def endpoint_flow_id(number: str) -> str:
    return "fone-" + number.lstrip("+")


class NumberConfigurator:
    def __init__(self, db: Database, numbers: TrackingNumberStore, flows: FlowStore) -> None:
        self._db, self._numbers, self._flows = db, numbers, flows

    def configure(self, account_id: int, number: str, params: dict[str, str], now_ms: int) -> TrackingNumber:
        """Apply a Configure Numbers request (blocking): the number's settings, its generated flow
        and the flow's assignment in one transaction, so a request that fails changes nothing."""
        current = self._numbers.number(account_id, number)
        if current is None:
            raise NotFound(f"{number} is not a tracking number of this account", parameter="Number")
        changes = parse_number_update(params, current_endpoint=current.endpoint_number).changes
        method = changes.get("routing_method", current.routing_method)
        routing: Flow | str | None = None  # the flow to generate, or the app_id to assign
        if _ROUTING_COLUMNS & changes.keys():
            if method == "Endpoint":
                endpoint = changes.get("endpoint_number", current.endpoint_number)
                if endpoint is None:
                    raise InvalidParameter(
                        "EndpointNumber cannot be cleared while RoutingMethod is Endpoint",
                        parameter="EndpointNumber",
                    )
                record = changes.get("recording", current.recording) == "Call"
                routing = _endpoint_flow(number, endpoint, record)
            elif method == "Flow":
                routing = changes.get("flow", current.flow)
                if routing is None or self._flows.get(account_id, routing) is None:
                    raise InvalidParameter(f"Flow: no flow {routing!r} in this account", parameter="Flow")
        with self._db.write() as conn:
            if isinstance(routing, Flow):
                self._flows.put_in(conn, account_id, routing, now_ms)
                self._flows.assign_in(conn, account_id, number, routing.app_id)
            elif routing is not None:
                self._flows.assign_in(conn, account_id, number, routing)
            return self._numbers.update_number_in(conn, account_id, number, changes, now_ms)


def _endpoint_flow(number: str, endpoint: str, record: bool) -> Flow:
    """The flow generated for RoutingMethod Endpoint: one Connect applet dialling the endpoint."""
    document = {
        "name": f"Tracking number {number}",
        "applets": [{"id": "endpoint", "type": "connect", "numbers": [endpoint], "record": record}],
    }
    return parse_flow(endpoint_flow_id(number), document)
