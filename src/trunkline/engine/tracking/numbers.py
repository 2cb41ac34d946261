"""Configuring a tracking number: its settings, and how its inbound calls are routed.

RoutingMethod ``Endpoint`` routes calls through a flow generated for the number (``fone-<digits>``):
one Connect applet dialling EndpointNumber, recording the conversation when Recording is ``Call``.
``Flow`` assigns an existing flow of the account, which then decides everything (recording
included). Either way the number's ExoPhone answers with that flow, so the existing inbound
machinery (admin API, traffic generators, the engine) rings it.
"""

from __future__ import annotations

from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.flows.definition import parse_flow
from trunkline.domain.tracking.numbers import parse_number_update
from trunkline.store.flows import FlowStore
from trunkline.store.tracking import TrackingNumber, TrackingStore

_ROUTING_COLUMNS = frozenset({"routing_method", "endpoint_number", "recording", "flow"})


def endpoint_flow_id(number: str) -> str:
    return "fone-" + number.lstrip("+")


class NumberConfigurator:
    def __init__(self, tracking: TrackingStore, flows: FlowStore) -> None:
        self._tracking, self._flows = tracking, flows

    def configure(self, account_id: int, number: str, params: dict[str, str], now_ms: int) -> TrackingNumber:
        """Apply a Configure Numbers request (blocking)."""
        current = self._tracking.number(account_id, number)
        if current is None:
            raise NotFound(f"{number} is not a tracking number of this account", parameter="Number")
        changes = parse_number_update(params, current_endpoint=current.endpoint_number).changes
        method = changes.get("routing_method", current.routing_method)
        if _ROUTING_COLUMNS & changes.keys():
            if method == "Endpoint":
                endpoint = changes.get("endpoint_number", current.endpoint_number)
                if endpoint is None:
                    raise InvalidParameter(
                        "EndpointNumber cannot be cleared while RoutingMethod is Endpoint",
                        parameter="EndpointNumber",
                    )
                record = changes.get("recording", current.recording) == "Call"
                self._route_to_endpoint(account_id, number, endpoint, record, now_ms)
            elif method == "Flow":
                flow = changes.get("flow", current.flow)
                if flow is None or self._flows.get(account_id, flow) is None:
                    raise InvalidParameter(f"Flow: no flow {flow!r} in this account", parameter="Flow")
                self._flows.assign(account_id, number, flow)
        return self._tracking.update_number(account_id, number, changes, now_ms)

    def _route_to_endpoint(
        self, account_id: int, number: str, endpoint: str, record: bool, now_ms: int
    ) -> None:
        app_id = endpoint_flow_id(number)
        document = {
            "name": f"Tracking number {number}",
            "applets": [{"id": "endpoint", "type": "connect", "numbers": [endpoint], "record": record}],
        }
        self._flows.put(account_id, parse_flow(app_id, document), now_ms)
        self._flows.assign(account_id, number, app_id)
