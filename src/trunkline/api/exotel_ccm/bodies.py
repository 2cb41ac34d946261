"""The shapes of CCM v2 answers, as TypedDicts: what ``render.py`` and ``errors.py`` build and what the
OpenAPI document describes (``openapi.py`` generates the schemas from these). Plain dicts at run time."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict  # noqa: UP035 - pydantic needs these on 3.11


class CcmAgent(TypedDict):
    user_id: str
    contact_uri: str | None


class CcmCustomer(TypedDict):
    number: str | None


class CcmMadeCall(TypedDict):
    """Make-call's ``response``: the call just placed, in its first state."""

    call_sid: str
    call_state: str
    call_status: str | None
    assigned_agent_details: CcmAgent
    customer_details: CcmCustomer
    virtual_number: str | None
    recording: bool
    created_time: str | None


class CcmRecording(TypedDict):
    available: bool
    url: str | None


class CcmCallDetails(TypedDict):
    sid: str
    direction: str
    virtual_number: str | None
    state: str
    status: str | None
    assigned_agent_details: CcmAgent | None
    customer_details: CcmCustomer
    created_time: str | None
    updated_time: str | None
    start_time: str | None
    end_time: str | None
    total_duration: int | None
    total_talk_time: int | None
    recording: CcmRecording
    custom_field: str | None
    legs: str
    """The path of this call's legs."""


class CcmCallDetailsResponse(TypedDict):
    call_details: CcmCallDetails


class CcmLeg(TypedDict):
    sid: str
    name: str | None
    contact_uri: str | None
    date_created: str | None
    date_updated: str | None
    status: str | None
    group_id: NotRequired[None]
    """Customer legs only."""
    group_name: NotRequired[None]
    """Customer legs only."""


CcmLegDetails = TypedDict(
    "CcmLegDetails",
    {"call_sid": str, "account_sid": str, "from": list[CcmLeg], "to": list[CcmLeg]},
)
"""The legs in the v3 shape: ``from`` the agent's, ``to`` the customer's."""


class CcmLegsResponse(TypedDict):
    code: int
    error_data: None
    status: Literal["success"]
    leg_details: CcmLegDetails


class CcmMadeCallEnvelope(TypedDict):
    request_id: str
    method: str
    http_code: int
    response: CcmMadeCall


class CcmCallDetailsEnvelope(TypedDict):
    request_id: str
    method: str
    http_code: int
    response: CcmCallDetailsResponse


class CcmLegsEnvelope(TypedDict):
    request_id: str
    method: str
    http_code: int
    metadata: None
    response: CcmLegsResponse


class CcmErrorData(TypedDict):
    code: int
    """Exotel's error code: 1000 not found, 1001 missing, 1002 invalid, 1003 forbidden, 1007
    unparseable body, 1010 authorization, 1011 content type, 1012/10705/10706 agent unavailable,
    10716 virtual number, 10724 rate limit, 10731 user, 10744 call's legs, 405 method, 1100 internal."""
    message: str
    description: str


class CcmFailure(TypedDict):
    code: int
    error_data: CcmErrorData
    status: Literal["failure"]
    data: None


class CcmErrorEnvelope(TypedDict):
    """Every CCM failure."""

    request_id: str
    method: str
    http_code: int
    response: CcmFailure
