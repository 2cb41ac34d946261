"""Admin API for flows, inbound calls and traffic generators (the sandbox's side of issue 4).

Flows are JSON or YAML documents (``domain.flows.definition``); an ExoPhone answers inbound calls
with the flow assigned to it. Inbound calls come one at a time or from a traffic generator, and
run on the network clock like every other call.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

import orjson
import yaml
from fastapi import APIRouter, Request
from pydantic import Field

from trunkline.api.admin.bodies import DeletedAnswer
from trunkline.api.admin.dependencies import PREFIX, Admin, AdminBody, Document, RowId
from trunkline.api.admin.flows_bodies import (
    FlowAssignmentAnswer,
    FlowBody,
    FlowRequestBody,
    FlowRequestsAnswer,
    FlowsAnswer,
    GeneratorBody,
    GeneratorsAnswer,
    InboundCallAnswer,
    PutFlowAnswer,
)
from trunkline.domain.calls.connect_request import flow_url
from trunkline.domain.calls.model import Call
from trunkline.domain.client_text import control_in_document
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.flows.definition import parse_flow
from trunkline.domain.tracking.sessions import parse_session
from trunkline.domain.traffic.generator import caller_number
from trunkline.services.flows import FlowRequest, Generator, StoredFlow

router = APIRouter(prefix=PREFIX, tags=["admin: flows and inbound traffic"])
MAX_FLOW_BYTES = 256 * 1024


async def flow_document(request: Request) -> Any:
    """The request body as JSON, or YAML when the Content-Type says so."""
    body = await request.body()
    if len(body) > MAX_FLOW_BYTES:
        raise InvalidParameter(
            f"a flow document is at most {MAX_FLOW_BYTES // 1024} KiB", parameter="applets"
        )
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    try:
        document = yaml.safe_load(body) if "yaml" in content_type else orjson.loads(body)
    except (yaml.YAMLError, ValueError) as exc:
        kind = "YAML" if "yaml" in content_type else "JSON"
        raise InvalidParameter(
            f"the body is not valid {kind}: {str(exc).splitlines()[0]}", parameter="applets"
        ) from None
    where = control_in_document(document)
    if where is not None:  # PostgreSQL refuses NUL in text; no field of a flow means a control character
        raise InvalidParameter(f"{where} contains a control character", parameter="applets")
    return document


def flow_json(account_sid: str, stored: StoredFlow) -> FlowBody:
    return {
        "app_id": stored.app_id,
        "name": stored.name,
        "url": flow_url(account_sid, stored.app_id),
        "updated_at": ms_to_ist(stored.updated_at),
        "exophones": stored.exophones,
        "applets": stored.document["applets"],
    }


@router.put(
    "/accounts/{account_sid}/flows/{app_id}",
    summary="Create or replace a flow (JSON, or YAML with Content-Type: application/yaml)",
    openapi_extra={"requestBody": {"content": {"application/json": {}, "application/yaml": {}}}},
    operation_id="admin_flows_put",
    response_model=PutFlowAnswer,
)
async def put_flow(services: Admin, account_sid: str, app_id: str, request: Request) -> PutFlowAnswer:
    await services.runner.blocking(services.accounts.get, account_sid)
    flow = parse_flow(app_id, await flow_document(request))
    created, stored = await services.runner.blocking(services.flows.put, account_sid, flow)
    return {"created": created, **flow_json(account_sid, stored)}


@router.get(
    "/accounts/{account_sid}/flows",
    summary="The account's flows",
    operation_id="admin_flows_list",
    response_model=FlowsAnswer,
)
def list_flows(services: Admin, account_sid: str) -> FlowsAnswer:
    return {"flows": [flow_json(account_sid, f) for f in services.flows.of_account(account_sid)]}


@router.get(
    "/accounts/{account_sid}/flows/{app_id}",
    summary="One flow",
    operation_id="admin_flows_get",
    response_model=FlowBody,
)
def get_flow(services: Admin, account_sid: str, app_id: str) -> FlowBody:
    stored = services.flows.get(account_sid, app_id)
    if stored is None:
        raise NotFound(f"no flow {app_id} in account {account_sid}")
    return flow_json(account_sid, stored)


@router.delete(
    "/accounts/{account_sid}/flows/{app_id}",
    summary="Delete a flow no ExoPhone uses",
    operation_id="admin_flows_delete",
    response_model=DeletedAnswer,
)
def delete_flow(services: Admin, account_sid: str, app_id: str) -> DeletedAnswer:
    if not services.flows.delete(account_sid, app_id):
        raise NotFound(f"no flow {app_id} in account {account_sid}")
    return {"deleted": app_id}


class Assignment(AdminBody):
    app_id: str | None = Field(description="The flow answering calls to this ExoPhone; null: none.")


@router.put(
    "/accounts/{account_sid}/exophones/{number}/flow",
    summary="Answer an ExoPhone's calls with a flow",
    operation_id="admin_exophones_flow_put",
    response_model=FlowAssignmentAnswer,
)
def assign_flow(
    services: Admin, account_sid: str, number: str, assignment: Assignment
) -> FlowAssignmentAnswer:
    services.accounts.get(account_sid)
    exophone = caller_number(number, "number")
    services.flows.assign(account_sid, exophone, assignment.app_id)
    return {"exophone": exophone, "app_id": assignment.app_id}


class InboundCall(AdminBody):
    from_: str = Field(alias="from", description="The caller's number.")
    to: str = Field(description="One of the account's ExoPhones, with a flow assigned.")
    session: dict[str, Any] | None = Field(
        None,
        description="The caller's web session, for call tracking: traffic_type (Campaign, Direct, Organic, "
        "Referral, Unattributed), keywords, landing_uri, conversion_uri, ga_client_id, ads_click_id.",
    )


@router.post(
    "/accounts/{account_sid}/inbound",
    status_code=201,
    summary="Place one inbound call to an ExoPhone",
    operation_id="admin_inbound_create",
    response_model=InboundCallAnswer,
)
def inbound_call(services: Admin, account_sid: str, call: InboundCall) -> InboundCallAnswer:
    account = services.accounts.get(account_sid)
    caller, exophone = caller_number(call.from_, "from"), caller_number(call.to, "to")
    session = parse_session(call.session)
    extra = session.to_extra() if session is not None else None
    placed = services.flows.inbound(account_sid, caller, exophone, extra)
    return inbound_json(account.sid, placed, exophone)


def inbound_json(account_sid: str, placed: Call, exophone: str) -> InboundCallAnswer:
    """An inbound call just placed; ``exophone`` is the number dialled (its ``to_number``)."""
    return {
        "sid": placed.sid,
        "from": placed.from_number,
        "to": exophone,
        "direction": placed.direction,
        "flow_app_id": placed.flow_app_id,
        "uri": f"/v1/Accounts/{account_sid}/Calls/{placed.sid}",
    }


def generator_json(generator: Generator) -> GeneratorBody:
    spec = {k: v for k, v in generator.spec.items() if k not in ("started_at", "reason")}
    return {
        "id": generator.id,
        "account_sid": generator.account_sid,
        "state": generator.state,
        "placed": generator.placed,
        "next_at": ms_to_ist(generator.next_at)
        if generator.next_at is not None and generator.next_at >= 0
        else None,
        "started_at": ms_to_ist(int(generator.spec["started_at"]))
        if "started_at" in generator.spec
        else None,
        "reason": generator.spec.get("reason"),
        "spec": spec,
    }


@router.post(
    "/accounts/{account_sid}/traffic",
    status_code=201,
    summary="Start an inbound traffic generator",
    operation_id="admin_traffic_create",
    response_model=GeneratorBody,
)
def start_traffic(services: Admin, account_sid: str, document: Document) -> GeneratorBody:
    return generator_json(services.flows.start_traffic(account_sid, document))


@router.get(
    "/accounts/{account_sid}/traffic",
    summary="The account's traffic generators",
    operation_id="admin_traffic_list",
    response_model=GeneratorsAnswer,
)
def list_traffic(services: Admin, account_sid: str) -> GeneratorsAnswer:
    return {"generators": [generator_json(g) for g in services.flows.traffic(account_sid)]}


@router.get(
    "/traffic/{generator_id}",
    summary="A traffic generator's progress",
    operation_id="admin_traffic_get",
    response_model=GeneratorBody,
)
def get_traffic(services: Admin, generator_id: RowId) -> GeneratorBody:
    return generator_json(services.flows.generator(generator_id))


@router.delete(
    "/traffic/{generator_id}",
    summary="Stop a traffic generator (calls already placed go on)",
    operation_id="admin_traffic_stop",
    response_model=GeneratorBody,
)
def stop_traffic(services: Admin, generator_id: RowId) -> GeneratorBody:
    services.flows.generator(generator_id)
    services.flows.stop_traffic(generator_id)
    return generator_json(services.flows.generator(generator_id))


@router.get(
    "/calls/{call_sid}/flow-requests",
    summary="The HTTP requests a call's flow made (Passthru)",
    operation_id="admin_calls_flow_requests_list",
    response_model=FlowRequestsAnswer,
)
def flow_requests(services: Admin, call_sid: str) -> Any:
    return flow_requests_json(call_sid, services.flows.flow_requests(call_sid))


def flow_requests_json(call_sid: str, requests: list[FlowRequest]) -> FlowRequestsAnswer:
    return {"call_sid": call_sid, "requests": [cast(FlowRequestBody, asdict(r)) for r in requests]}
