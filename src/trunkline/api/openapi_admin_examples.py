"""The admin API's documented examples (issue 17): one success answer per operation, so a mock
server serving ``openapi.json`` answers something a client can use.

Each answer is built the way the server builds it: domain objects at the fixed instant ``AT_MS``
with fixed ids, turned into JSON by the very functions the admin routes call (``account_json``,
``flow_json``, ``events_json``…), and inputs (a flow, a scenario, a traffic spec) go through the
parsers the routes use, so an example cannot show a shape or a value the server would not. The
story is one account's: the seeded call history of ``openapi_examples_seed``, one inbound call
answered by a "support" flow, a traffic generator, an agent and a call-tracking property.
Tokens are obviously fake fixed strings, never real secrets.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from trunkline.api.admin.accounts_routes import account_json, credential_json
from trunkline.api.admin.agents_routes import agent_json
from trunkline.api.admin.flows_routes import flow_json, flow_requests_json, generator_json, inbound_json
from trunkline.api.admin.routes import events_json, processes_json, webhooks_json
from trunkline.api.admin.tracking_routes import property_json
from trunkline.api.exotel_v1.routes import DIALECT_NAME
from trunkline.api.exotel_v1.status_callback import JSON, status_callback_renderer
from trunkline.api.openapi_examples_seed import (
    ACCOUNT_SID,
    AT_MS,
    EXOPHONE,
    PROPERTY_SID,
    PUBLIC_URL,
    fixed_id,
    just_placed,
)
from trunkline.domain.calls.flow_steps import passthru_params
from trunkline.domain.calls.model import Call
from trunkline.domain.calls.run_state import CallbackRequest, CallRun, FlowRun, LegRun
from trunkline.domain.flows.definition import parse_flow
from trunkline.domain.network.scenarios import parse_scenario
from trunkline.domain.traffic.generator import parse_spec
from trunkline.engine.clock import describe_clock
from trunkline.services.accounts import Account, Credential, CredentialInfo
from trunkline.services.agents import Agent
from trunkline.services.flows import FlowRequest, Generator, StoredFlow
from trunkline.services.processes import LiveProcess
from trunkline.services.sandbox import AttemptResult, Delivery, DeliveryLog, StoredEvent
from trunkline.services.tracking import Property, TrackingNumber

API_KEY = (fixed_id("api-key") + fixed_id("api-key/2"))[:40]
"""40 hex digits, as ``new_api_key`` makes them."""
NEW_API_KEY = (fixed_id("second-api-key") + fixed_id("second-api-key/2"))[:40]
FAKE_TOKEN = "example-token-not-a-secret-0001"
"""Shown where a real answer carries a token made just now (create, add, rotate)."""
ROTATED_TOKEN = "example-token-not-a-secret-0002"
APP_ID = "support"
CALLER = "+919876501234"
"""The caller of the example inbound call."""
SALES = "+919876543210"
STARTED = AT_MS - 120_000
"""When the example inbound call came in: two minutes before ``AT_MS``."""
CRM_URL = "https://crm.example.com/exotel/open"
CALLBACK_URL = "https://crm.example.com/exotel/status"
SUPPORT_FLOW = {
    "name": "Support line",
    "applets": [
        {"id": "welcome", "type": "greeting", "text": "Welcome to Example Co"},
        {
            "id": "menu",
            "type": "ivr",
            "prompt": "Press 1 for sales, 2 for support",
            "branches": {"1": "check", "2": "support"},
            "default": "bye",
        },
        {"id": "check", "type": "passthru", "url": CRM_URL, "on_success": "sales", "on_failure": "vm"},
        {"id": "sales", "type": "connect", "numbers": [SALES], "record": True, "next": "bye"},
        {
            "id": "support",
            "type": "connect",
            "numbers": ["+919876500001"],
            "on_no_answer": "vm",
            "next": "bye",
        },
        {"id": "vm", "type": "voicemail", "prompt": "Leave a message", "max_seconds": 60, "next": "bye"},
        {"id": "bye", "type": "hangup"},
    ],
}
SCENARIO = {
    "rules": [
        {
            "match": "+9180*",
            "answer": 0.5,
            "busy": 0.3,
            "no_answer": 0.2,
            "fail": 0,
            "machine": 0.1,
            "ring_seconds": [5, 30],
            "talk_seconds": {"mean": 40, "max": 300},
        },
        {"match": "+919999900007", "press": ["1", "2"], "think_seconds": [1, 1]},
    ]
}
GENERATOR_STARTED = AT_MS - 24_000
"""The example generator started 24 s ago: 12 calls at 30 a minute."""
TRAFFIC = {
    "exophones": [EXOPHONE],
    "rate_per_minute": 30,
    "count": 500,
    "arrival": "poisson",
    "callers": 200,
    "seed": 7,
}


def _clock(now_ms: int) -> dict[str, Any]:
    return describe_clock("virtual", 1.0, now_ms)


def _account() -> Account:
    return Account(1, ACCOUNT_SID, "Example Co", (EXOPHONE,))


def _keys() -> list[CredentialInfo]:
    return [CredentialInfo(API_KEY, AT_MS - 30 * 86_400_000)]


def _flow() -> StoredFlow:
    document = parse_flow(APP_ID, SUPPORT_FLOW).document
    return StoredFlow(APP_ID, document["name"], document, AT_MS - 86_400_000, [EXOPHONE])


def _generator(state: str, placed: int, next_at: int | None) -> Generator:
    spec = parse_spec(TRAFFIC).document() | {"started_at": GENERATOR_STARTED}
    return Generator(3, 1, ACCOUNT_SID, spec, state, next_at, placed, GENERATOR_STARTED)


def _inbound(call: Call) -> Call:
    """The example inbound call, as placing it answers: ringing the account's ExoPhone."""
    return just_placed(
        call,
        "inbound",
        STARTED,
        from_number=CALLER,
        to_number=EXOPHONE,
        phone_number=EXOPHONE,
        direction="inbound",
        flow_app_id=APP_ID,
    )


def _events() -> list[StoredEvent]:
    """The inbound call's transitions: the caller presses 1, the CRM says yes, sales answers."""
    steps: list[tuple[int, str, dict[str, Any]]] = [
        (0, "call.created", {}),
        (0, "leg1.ringing", {"number": CALLER, "direction": "inbound"}),
        (2_000, "leg1.answered", {"answered_by": "human"}),
        (2_000, "flow.started", {"app_id": APP_ID}),
        (2_000, "flow.applet", {"applet": "welcome", "type": "greeting"}),
        (4_000, "flow.applet", {"applet": "menu", "type": "ivr"}),
        (4_000, "ivr.prompt", {"applet": "menu", "attempt": 1}),
        (8_000, "ivr.keys", {"keys": "1"}),
        (8_000, "flow.applet", {"applet": "check", "type": "passthru"}),
        (8_000, "passthru.reply", {"status": "200"}),
        (8_000, "flow.applet", {"applet": "sales", "type": "connect"}),
        (8_000, "leg2.dialing", {"number": SALES}),
        (9_000, "leg2.ringing", {}),
        (15_000, "leg2.answered", {"answered_by": "human"}),
        (15_000, "call.bridged", {"leg": 2}),
        (95_000, "leg2.completed", {"by": "leg2"}),
        (95_000, "flow.applet", {"applet": "bye", "type": "hangup"}),
        (95_000, "flow.ended", {}),
        (95_000, "leg1.completed", {"by": "flow"}),
        (95_000, "call.completed", {}),
        (97_000, "call.settled", {}),
    ]
    return [StoredEvent(STARTED + offset, name, detail) for offset, name, detail in steps]


def _flow_request() -> FlowRequest:
    """The Passthru GET the inbound call's flow made after the caller pressed 1."""
    asked = STARTED + 8_000
    run = CallRun(
        sid=fixed_id("inbound"),
        account_sid=ACCOUNT_SID,
        from_number=CALLER,
        to_number=EXOPHONE,
        caller_id=EXOPHONE,
        created_at=STARTED,
        ring_timeout_s=30,
        direction="inbound",
        flow_app_id=APP_ID,
        flow=FlowRun(APP_ID, _flow().document, applet="check", keys=["1"], prompts=1),
        legs=[LegRun(CALLER, "in-progress", STARTED, answered_at=STARTED + 2_000)],
    )
    params = passthru_params(run, asked)
    return FlowRequest(1, 41, "check", CRM_URL, params, asked, 5_000, "done", 200, None, 38)


def _webhooks(call: Call) -> DeliveryLog:
    """The terminal status callback of the finished call, delivered at the first attempt."""
    request = CallbackRequest(CALLBACK_URL, ["terminal"], JSON, DIALECT_NAME)
    payload = status_callback_renderer(PUBLIC_URL)(call, "terminal", request)
    assert payload is not None
    sent = call.date_updated
    delivery = Delivery(7, 1, 40, "terminal", CALLBACK_URL, JSON, payload, "delivered", 1, None, sent, 200)
    return DeliveryLog(delivery, [AttemptResult(sent, 112, 200, '{"ok": true}', None)])


def _processes() -> dict[str, Any]:
    started = AT_MS - 3 * 3_600_000
    found = [
        LiveProcess(fixed_id("process-1")[:16], "web-1", 4012, started, 1_200, 57, True),
        LiveProcess(fixed_id("process-2")[:16], "web-2", 3977, started, 3_400, 57, False),
    ]
    return dict(processes_json(True, 5.0, 30_000, found))


def admin_examples(call: Call, numbers: list[TrackingNumber]) -> dict[str, Any]:
    """Every admin operation's example answer by operation id; ``call`` is the seeded history's
    finished call (its status callback and its sid), ``numbers`` the property's tracking numbers."""
    account = account_json(_account(), _keys())
    agent = Agent("agent-1", "Asha Rao", "+919876512345", "on", AT_MS - 86_400_000, AT_MS - 86_400_000)
    updated_agent = replace(agent, device_state="busy", updated_at=AT_MS)
    flow = flow_json(ACCOUNT_SID, _flow())
    prop = Property(1, 1, PROPERTY_SID, "example.com", AT_MS - 7 * 86_400_000)
    running = generator_json(_generator("running", 12, AT_MS + 1_800))
    scenario = parse_scenario(SCENARIO).document
    credential = credential_json(ACCOUNT_SID, Credential(NEW_API_KEY, FAKE_TOKEN))
    return {
        "admin_clock_get": _clock(AT_MS) | {"calls_in_flight": 3},
        "admin_clock_advance": _clock(AT_MS + 60_000) | {"calls_advanced": 4},
        "admin_scenario_get": scenario,
        "admin_scenario_put": scenario,
        "admin_processes_list": _processes(),
        "admin_calls_events_list": events_json(fixed_id("inbound"), _events()),
        "admin_calls_webhooks_list": webhooks_json(call.sid, [_webhooks(call)]),
        "admin_webhooks_redeliver": {"delivery_id": 7, "state": "pending"},
        "admin_sandbox_reset": {"calls_deleted": 41, "generators_stopped": 1, "clock": _clock(AT_MS)},
        "admin_accounts_list": {"accounts": [account]},
        "admin_accounts_create": account_json(
            replace(_account(), exophones=()), [CredentialInfo(API_KEY, AT_MS)]
        )
        | {"api_token": FAKE_TOKEN},
        "admin_accounts_get": account,
        "admin_accounts_delete": {"deleted": ACCOUNT_SID},
        "admin_accounts_add_credential": credential,
        "admin_accounts_rotate_credential": credential_json(ACCOUNT_SID, Credential(API_KEY, ROTATED_TOKEN)),
        "admin_accounts_revoke_credential": {"sid": ACCOUNT_SID, "revoked": NEW_API_KEY},
        "admin_accounts_add_exophone": {"sid": ACCOUNT_SID, "exophones": [EXOPHONE, "+918047112234"]},
        "admin_accounts_remove_exophone": {"sid": ACCOUNT_SID, "exophones": [EXOPHONE]},
        "admin_flows_put": {"created": True} | flow,
        "admin_flows_get": flow,
        "admin_flows_delete": {"deleted": APP_ID},
        "admin_flows_list": {"flows": [flow]},
        "admin_exophones_flow_put": {"exophone": EXOPHONE, "app_id": APP_ID},
        "admin_inbound_create": inbound_json(ACCOUNT_SID, _inbound(call), EXOPHONE),
        "admin_traffic_create": generator_json(_generator("running", 0, GENERATOR_STARTED)),
        "admin_traffic_list": {"generators": [running]},
        "admin_traffic_get": running,
        "admin_traffic_stop": generator_json(_generator("stopped", 12, None)),
        "admin_calls_flow_requests_list": flow_requests_json(fixed_id("inbound"), [_flow_request()]),
        "admin_agents_create": agent_json(agent),
        "admin_agents_list": {"users": [agent_json(agent)]},
        "admin_agents_get": agent_json(agent),
        "admin_agents_update": agent_json(updated_agent),
        "admin_properties_create": property_json(prop, []),
        "admin_properties_list": {"properties": [property_json(prop, numbers)]},
        "admin_properties_get": property_json(prop, numbers),
        "admin_properties_delete": {"deleted": PROPERTY_SID},
    }
