"""What the admin API's flow, inbound-call and traffic-generator operations answer, as TypedDicts
(``response_model`` of each route in ``flows_routes``), so ``/openapi.json`` describes them from
the code; the reasons are ``bodies``'s, whose strict config these share."""

from __future__ import annotations

from typing import Any

from pydantic import with_config
from typing_extensions import TypedDict

from trunkline.api.admin.bodies import STRICT


@with_config(STRICT)
class FlowBody(TypedDict):
    app_id: str
    name: str
    url: str
    """The flow's URL, as a v1 connect's ``Url`` names it."""
    updated_at: str
    """IST, ``YYYY-MM-DD HH:MM:SS``."""
    exophones: list[str]
    """The ExoPhones whose inbound calls it answers."""
    applets: list[dict[str, Any]]
    """The applets as normalised by ``domain.flows.definition`` (each kind has its own fields)."""


class PutFlowAnswer(FlowBody):
    created: bool
    """False when the flow replaced one of the same app_id."""


@with_config(STRICT)
class FlowsAnswer(TypedDict):
    flows: list[FlowBody]


@with_config(STRICT)
class FlowAssignmentAnswer(TypedDict):
    exophone: str
    """E.164."""
    app_id: str | None
    """None: the ExoPhone answers with no flow."""


_InboundCallKeys = TypedDict(
    "_InboundCallKeys",
    {"sid": str, "from": str, "to": str, "direction": str, "flow_app_id": str | None, "uri": str},
)
"""Functional form: ``from`` is a keyword."""


@with_config(STRICT)
class InboundCallAnswer(_InboundCallKeys):
    """An inbound call just placed; ``uri`` is its v1 details path."""


@with_config(STRICT)
class GeneratorBody(TypedDict):
    id: int
    account_sid: str
    state: str
    """``running``, ``finished``, ``stopped`` or ``failed``."""
    placed: int
    """Calls placed so far."""
    next_at: str | None
    """IST time of the next call; None once it ended or before its first is due."""
    started_at: str | None
    reason: str | None
    """Why it stopped early (an ExoPhone without a flow, say)."""
    spec: dict[str, Any]
    """The traffic spec as given."""


@with_config(STRICT)
class GeneratorsAnswer(TypedDict):
    generators: list[GeneratorBody]


@with_config(STRICT)
class FlowRequestBody(TypedDict):
    """One HTTP request a call's flow made (a Passthru applet), with its outcome."""

    id: int
    call_id: int
    applet: str
    url: str
    params: dict[str, str]
    requested_at: int
    """UTC epoch milliseconds."""
    timeout_ms: int
    state: str
    response_status: int | None
    error: str | None
    duration_ms: int | None


@with_config(STRICT)
class FlowRequestsAnswer(TypedDict):
    call_sid: str
    requests: list[FlowRequestBody]
