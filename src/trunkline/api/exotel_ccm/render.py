"""CCM v2 bodies built from the shared call model: the make-call answer, call details in Exotel's
field order, and the legs in the v3 shape (docs/api-choices.md §CCM v2). Numbers are E.164 with ``+``.

Every answer, success or failure, is ``{request_id, method, http_code, response}``; failures are
``errors.py``'s. Timestamps are ISO 8601 UTC with milliseconds."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from trunkline.api.exotel_ccm import status
from trunkline.api.exotel_ccm.bodies import (
    CcmAgent,
    CcmCallDetails,
    CcmLeg,
    CcmLegDetails,
    CcmMadeCall,
)
from trunkline.domain.agents.model import Agent
from trunkline.domain.calls.model import Call, Leg
from trunkline.domain.calls.run_state import CallRun
from trunkline.logging_setup import current_request_id

CUSTOMER_NAME = "Customer"
JSON = "application/json"


def request_id() -> str:
    """The envelope's ``request_id``: this request's own id, the one its ``X-Request-Id`` header
    carries (``api/request_id.py``), so a client's report of either finds the server's log lines.
    It is a fresh 32-hex-digit id like Exotel's, unless the client or its proxy sent an id of its
    own (docs/api-choices.md, CCM v2, "Request ids"). A fresh one where no request is being served."""
    rid = current_request_id.get()
    return rid if rid is not None else os.urandom(16).hex()


def iso(ms: int | None) -> str | None:
    """Epoch milliseconds as ``2024-06-15T10:30:00.000Z``."""
    if ms is None:
        return None
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{ms % 1000:03d}Z"
    )


def success(
    method: str, response: Mapping[str, Any], headers: dict[str, str] | None = None, *, metadata: bool = False
) -> Response:
    body: dict[str, Any] = {"request_id": request_id(), "method": method, "http_code": 200}
    if metadata:
        body["metadata"] = None
    body["response"] = response
    return Response(orjson.dumps(body), media_type=JSON, headers=headers)


def recording_url(call: Call, public_url: str) -> str | None:
    return f"{public_url}/{call.recording_path}" if call.recording_path else None


def made_call(call: Call, agent: Agent, record: bool) -> CcmMadeCall:
    return {
        "call_sid": call.sid,
        "call_state": status.ACTIVE,
        "call_status": None,
        "assigned_agent_details": {"user_id": agent.user_id, "contact_uri": call.from_number},
        "customer_details": {"number": call.to_number},
        "virtual_number": call.phone_number,
        "recording": record,
        "created_time": iso(call.date_created),
    }


def agent_number(call: Call) -> str | None:
    """The number or URI the call rang the agent on (None: no agent leg)."""
    if status.is_incoming(call):
        legs = status.agent_legs(call)
        return legs[-1].number if legs else None
    return call.from_number


def customer_number(call: Call) -> str | None:
    return call.from_number if status.is_incoming(call) else call.to_number


def call_details(call: Call, user_id: str | None, account_sid: str, public_url: str) -> CcmCallDetails:
    url = recording_url(call, public_url)
    agent: CcmAgent | None = (
        None if user_id is None else {"user_id": user_id, "contact_uri": agent_number(call)}
    )
    return {
        "sid": call.sid,
        "direction": call.direction,
        "virtual_number": call.phone_number,
        "state": status.state(call),
        "status": status.status(call),
        "assigned_agent_details": agent,
        "customer_details": {"number": customer_number(call)},
        "created_time": iso(call.date_created),
        "updated_time": iso(call.date_updated),
        "start_time": iso(call.start_time),
        "end_time": iso(call.end_time),
        "total_duration": call.duration,
        "total_talk_time": call.conversation_duration,
        "recording": {"available": url is not None, "url": url},
        "custom_field": call.custom_field,
        "legs": f"/v2/accounts/{account_sid}/calls/{call.sid}/legs",
    }


def leg_sid(call_sid: str, leg_id: int) -> str:
    """A stable id per leg (legs have none of their own in the model)."""
    return hashlib.blake2b(f"{call_sid}/{leg_id}".encode(), digest_size=16).hexdigest()


def _leg(call: Call, leg: Leg, run: CallRun | None, name: str | None, *, customer: bool) -> CcmLeg:
    """Times from the engine's run when the call has one (seeded calls have only the call's)."""
    ran = run.legs[leg.leg_id - 1] if run is not None and leg.leg_id <= len(run.legs) else None
    if ran is not None:
        created = ran.dialed_at
        updated = ran.ended_at or ran.answered_at or ran.dialed_at
    else:
        created, updated = call.start_time or call.date_created, call.date_updated
    body: CcmLeg = {
        "sid": leg_sid(call.sid, leg.leg_id),
        "name": name,
        "contact_uri": leg.number,
        "date_created": iso(created),
        "date_updated": iso(updated),
        "status": status.leg_status(leg.status),
    }
    if customer:
        body["group_id"] = None
        body["group_name"] = None
    return body


def leg_details(call: Call, run: CallRun | None, agent_name: str | None, account_sid: str) -> CcmLegDetails:
    agents = [_leg(call, leg, run, agent_name, customer=False) for leg in status.agent_legs(call)]
    customers = [_leg(call, leg, run, CUSTOMER_NAME, customer=True) for leg in status.customer_legs(call)]
    return {"call_sid": call.sid, "account_sid": account_sid, "from": agents, "to": customers}
